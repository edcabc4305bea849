//! "Sign in with …" against a real OpenID Connect provider (`oidc-provider`):
//! a guest's dogs come along (promoted in place, or merged into a known
//! identity's account), an existing address joins only after the person
//! confirms and only when the provider verified it, and every forged,
//! replayed or cancelled answer is a clear message with nothing written (one
//! answer opened twice at once signs in once); starts are limited per
//! client, the session id held before dies, and nobody unlinks another's provider.

use crate::common::counters::{PROXIED, client, counted, fill, max, use_up};
use crate::common::flows::{add_dog, me, owner_of, post_form, user_id};
use crate::common::oidc::{Provider, location, open_callback, sign_in, spawn_with_providers, to_callback};
use crate::common::{Browser, TestApp};
use paws_inside::limits::LimitedAction;
use uuid::Uuid;

async fn member(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO users (email, is_anonymous, email_verified_at) VALUES ($1, false, now()) RETURNING id",
    )
    .bind(email)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn identity_owner(app: &TestApp, subject: &str) -> Option<Uuid> {
    sqlx::query_scalar("SELECT user_id FROM oidc_identities WHERE provider = 'test' AND subject = $1")
        .bind(subject)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_signing_in_with_a_provider_keeps_its_dogs_and_comes_back_to_the_same_account() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    // The sign-in page shows the button.
    let (_, page) = Browser::new().open(&app, "/sign-in").await;
    assert!(
        page.contains("Sign in with Test test") && page.contains("/auth/oidc/test/start"),
        "{page}"
    );

    let laptop = Browser::new();
    let dog = add_dog(&app, &laptop, "Rex").await;
    let guest = user_id(&app, &laptop).await;
    let before = laptop.cookie(&app).unwrap();
    assert_eq!(
        sign_in(&app, &provider, &laptop, "test", "alice@example.com").await,
        format!("{}/dogs", app.address)
    );
    let now = me(&app, &laptop).await.unwrap();
    assert_eq!(now["kind"], "member");
    assert_eq!(
        now["email"], "alice@example.com",
        "a verified, free address goes on the account"
    );
    assert_eq!(user_id(&app, &laptop).await, guest, "promoted in place");
    assert_eq!(owner_of(&app, dog).await, guest);
    assert_ne!(laptop.cookie(&app).unwrap(), before, "the session rotated");
    assert_eq!(identity_owner(&app, "alice@example.com").await, Some(guest));
    assert_eq!(app.count("oidc_logins").await, 0, "the attempt is used up");

    // Another browser's guest signs in with the same identity: merged into it.
    let phone = Browser::new();
    let second = add_dog(&app, &phone, "Bella").await;
    let phone_guest = user_id(&app, &phone).await;
    assert!(
        sign_in(&app, &provider, &phone, "test", "alice@example.com")
            .await
            .ends_with("/dogs")
    );
    assert_eq!(user_id(&app, &phone).await, guest);
    assert_eq!(owner_of(&app, second).await, guest, "the phone's dog came along");
    let gone: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(phone_guest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(gone, 0, "the merged guest is gone");

    // The account page lists the way in.
    let (_, account) = phone.open(&app, "/account").await;
    assert!(
        account.contains("data-testid=\"linked-test\"") && account.contains("Unlink Test test"),
        "{account}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_address_joins_only_when_the_person_confirms_in_that_browser() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    let bob = member(&app, "bob@example.com").await;
    // Made by an old sign-up nobody confirmed: a password whoever typed the
    // address chose. Proving the address must not switch it on.
    sqlx::query("UPDATE users SET email_verified_at = NULL, password_hash = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA' WHERE id = $1")
        .bind(bob)
        .execute(&app.pool)
        .await
        .unwrap();
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    assert_eq!(
        sign_in(&app, &provider, &b, "test", "bob@example.com").await,
        format!("{}/auth/oidc/confirm", app.address)
    );
    // Nothing decided yet: still the guest, no identity.
    assert_eq!(user_id(&app, &b).await, guest);
    assert_eq!(identity_owner(&app, "bob@example.com").await, None);
    let (_, page) = b.open(&app, "/auth/oidc/confirm").await;
    assert!(
        page.contains("data-testid=\"oidc-confirm\"") && page.contains("b…@example.com"),
        "{page}"
    );
    assert!(!page.contains("bob@example.com"), "the address is masked");

    // Another browser sees nothing and can decide nothing.
    let other = Browser::new();
    let (_, page) = other.open(&app, "/auth/oidc/confirm").await;
    assert!(page.contains("oidc-confirm-gone"), "{page}");
    let res = post_form(&app, &other, "/auth/oidc/confirm", &[("choice", "link")]).await;
    assert_eq!(
        location(&res, &app.address),
        format!("{}/sign-in?error=oidc_stale", app.address)
    );
    assert_eq!(identity_owner(&app, "bob@example.com").await, None);

    let res = post_form(&app, &b, "/auth/oidc/confirm", &[("choice", "link")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res, &app.address), format!("{}/dogs", app.address));
    assert_eq!(
        user_id(&app, &b).await,
        bob,
        "signed in to the account with the address"
    );
    assert_eq!(owner_of(&app, dog).await, bob, "the guest's dog came along");
    assert_eq!(identity_owner(&app, "bob@example.com").await, Some(bob));
    assert_eq!(app.count("oidc_pending").await, 0);
    let (proven, password): (bool, bool) = sqlx::query_as(
        "SELECT email_verified_at IS NOT NULL, password_hash IS NOT NULL FROM users WHERE id = $1",
    )
    .bind(bob)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (proven, password),
        (true, false),
        "proven now, and the unproven password is gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_it_separate_or_an_unverified_address_makes_an_account_of_its_own() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    let carol = member(&app, "carol@example.com").await;
    let dan = member(&app, "dan@example.com").await;

    // The provider does not vouch for the address: never joins carol's account,
    // and the address is not put on the new one either.
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    assert!(
        sign_in(&app, &provider, &b, "test", "unverified+carol@example.com")
            .await
            .ends_with("/dogs")
    );
    let now = me(&app, &b).await.unwrap();
    assert_eq!(
        (now["kind"].as_str(), now["email"].as_null()),
        (Some("member"), Some(())),
        "{now}"
    );
    assert_eq!(user_id(&app, &b).await, guest);
    assert_ne!(guest, carol);
    assert_eq!(owner_of(&app, dog).await, guest);
    // Without an address, the account page offers no password and its delete
    // page asks for the word.
    let (_, account) = b.open(&app, "/account").await;
    assert!(!account.contains("acct-password"), "{account}");
    let (_, delete) = b.open(&app, "/account/delete").await;
    assert!(delete.contains("Type the word delete"), "{delete}");

    // A verified address with an account, but the person keeps them apart.
    let c = Browser::new();
    assert!(
        sign_in(&app, &provider, &c, "test", "dan@example.com")
            .await
            .ends_with("/auth/oidc/confirm")
    );
    let res = post_form(&app, &c, "/auth/oidc/confirm", &[("choice", "separate")]).await;
    assert_eq!(location(&res, &app.address), format!("{}/dogs", app.address));
    let own = user_id(&app, &c).await;
    assert_ne!(own, dan);
    assert_eq!(identity_owner(&app, "dan@example.com").await, Some(own));
    assert!(
        me(&app, &c).await.unwrap()["email"].is_null(),
        "the address stays with dan's account"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_replayed_and_cancelled_answers_are_refused_with_nothing_written() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    let users = app.count("users").await;
    let refused = |url: String, code: &str| {
        let want = format!("{}/sign-in?error={code}", app.address);
        assert_eq!(url, want);
    };

    // Cancelled at the provider.
    let url = to_callback(&app, &provider, &b, "test", "sign_in", None).await;
    assert!(url.contains("error=access_denied"), "{url}");
    refused(open_callback(&b, &url, &app).await, "oidc_denied");
    // The provider fails on its side (any other error code).
    let url = to_callback(&app, &provider, &b, "test", "sign_in", None).await;
    let failed = url.replace("error=access_denied", "error=server_error");
    refused(open_callback(&b, &failed, &app).await, "oidc_refused");

    // Someone else's browser opens this browser's answer: refused, and it
    // does not use the attempt up.
    let url = to_callback(&app, &provider, &b, "test", "sign_in", Some("eve@example.com")).await;
    let thief = Browser::new();
    refused(open_callback(&thief, &url, &app).await, "oidc_stale");
    // Even one holding a cookie of its own attempt.
    let own = post_form(&app, &thief, "/auth/oidc/test/start", &[("next", "/")]).await;
    assert_eq!(own.status(), 303);
    refused(open_callback(&thief, &url, &app).await, "oidc_stale");
    assert!(me(&app, &thief).await.is_none());
    // A forged state, and a code that is not the provider's.
    let forged = url.replace("state=", "state=00");
    refused(open_callback(&b, &forged, &app).await, "oidc_stale");
    let tampered = url.replace("code=", "code=x");
    refused(open_callback(&b, &tampered, &app).await, "oidc_unverifiable");
    // That used the attempt: the real answer now finds nothing.
    refused(open_callback(&b, &url, &app).await, "oidc_stale");

    // An answer claiming another issuer (a mix-up).
    let url = to_callback(&app, &provider, &b, "test", "sign_in", Some("eve@example.com")).await;
    let mixed = url.replace("iss=", "iss=https%3A%2F%2Fevil.example%2F&was=");
    refused(open_callback(&b, &mixed, &app).await, "oidc_unverifiable");

    // An ID token whose nonce is not the one we sent.
    let url = to_callback(&app, &provider, &b, "test", "sign_in", Some("eve@example.com")).await;
    sqlx::query("UPDATE oidc_logins SET nonce = repeat('0', 64)")
        .execute(&app.pool)
        .await
        .unwrap();
    refused(open_callback(&b, &url, &app).await, "oidc_unverifiable");

    // An unknown provider, and one that went down while the person was there.
    let res = post_form(&app, &b, "/auth/oidc/nope/start", &[("next", "/")]).await;
    refused(location(&res, &app.address), "oidc_unknown");
    let url = to_callback(&app, &provider, &b, "test", "sign_in", Some("eve@example.com")).await;
    let mut provider = provider;
    provider.stop();
    refused(open_callback(&b, &url, &app).await, "oidc_down");
    let (status, page) = b.open(&app, "/sign-in?error=oidc_down").await;
    assert_eq!(status, 200);
    assert!(page.contains("We could not reach the provider"), "{page}");

    // An attempt abandoned at the provider expires and the reaper removes it.
    let _abandoned = post_form(&app, &b, "/auth/oidc/test/start", &[("next", "/")]).await;
    assert_eq!(app.count("oidc_logins").await, 2, "this one and the thief's own");
    sqlx::query("UPDATE oidc_logins SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let identity = paws_inside::db::reaper::identity(app.pool.clone(), app.photos.store.clone());
    let reaped = paws_inside::db::reaper::pass(&identity, 30, false).await.unwrap();
    assert_eq!((reaped.tables.tokens, app.count("oidc_logins").await), (2, 0));

    // Nothing was written: still the same guest, no account, no identity.
    assert_eq!(user_id(&app, &b).await, guest);
    assert_eq!(app.count("users").await, users);
    assert_eq!(app.count("oidc_identities").await, 0);
    // A cross-site POST cannot start a sign-in.
    let res = b
        .post(format!("{}/auth/oidc/test/start", app.address))
        .header("origin", "https://evil.example")
        .form(&[("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_link_another_provider_and_cannot_unlink_their_last_way_in() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test", "second"], &[]).await;
    let b = Browser::new();
    assert!(
        sign_in(&app, &provider, &b, "test", "noemail-x")
            .await
            .ends_with("/dogs")
    );
    let id = user_id(&app, &b).await;
    assert!(me(&app, &b).await.unwrap()["email"].is_null());

    // The only way in cannot go.
    let res = app.call(&b, "account/unlink", &[("provider", "test")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("only way in"));

    // Link the second provider from the account page (same person at the provider).
    let (_, account) = b.open(&app, "/account").await;
    assert!(
        account.contains("Link Test second") && !account.contains("Link Test test"),
        "{account}"
    );
    let url = to_callback(&app, &provider, &b, "second", "link", Some("noemail-x")).await;
    assert_eq!(
        open_callback(&b, &url, &app).await,
        format!("{}/account?linked=1", app.address)
    );
    assert_eq!(
        user_id(&app, &b).await,
        id,
        "linking does not change who the session is"
    );
    let linked: i64 = sqlx::query_scalar("SELECT count(*) FROM oidc_identities WHERE user_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(linked, 2);

    // Now one may go, then the other may not.
    assert_eq!(
        app.call(&b, "account/unlink", &[("provider", "test")])
            .await
            .status(),
        200
    );
    assert_eq!(
        app.call(&b, "account/unlink", &[("provider", "second")])
            .await
            .status(),
        400
    );

    // An identity of another account cannot be linked to this one.
    let other = Browser::new();
    assert!(
        sign_in(&app, &provider, &other, "test", "noemail-y")
            .await
            .ends_with("/dogs")
    );
    // (The same person at the provider, signed in to our app through the
    // second provider's identity: that is a different account here.)
    let c = Browser::new();
    assert!(
        sign_in(&app, &provider, &c, "second", "noemail-y")
            .await
            .ends_with("/dogs")
    );
    let url = to_callback(&app, &provider, &c, "test", "link", Some("noemail-y")).await;
    assert_eq!(
        open_callback(&c, &url, &app).await,
        format!("{}/account?error=oidc_taken", app.address)
    );
    assert_ne!(user_id(&app, &c).await, user_id(&app, &other).await);
    // Linking needs a recent sign-in (a stolen session cannot add a way in).
    sqlx::query("UPDATE sessions SET authenticated_at = now() - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = post_form(
        &app,
        &b,
        "/auth/oidc/second/start",
        &[("next", "/"), ("intent", "link")],
    )
    .await;
    assert_eq!(
        location(&res, &app.address),
        format!("{}/account?error=oidc_reauth", app.address)
    );
    // Linking needs a member.
    let guest = Browser::new();
    let res = post_form(
        &app,
        &guest,
        "/auth/oidc/test/start",
        &[("next", "/"), ("intent", "link")],
    )
    .await;
    assert_eq!(
        location(&res, &app.address),
        format!("{}/sign-in?error=oidc_signed_out", app.address)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_whose_addresses_are_not_believed_never_links_or_takes_one() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[("OIDC_TEST_TRUST_EMAIL", "false")]).await;
    let erin = member(&app, "erin@example.com").await;
    let b = Browser::new();
    // Verified, says the provider; not believed here: no confirm page, no address.
    assert!(
        sign_in(&app, &provider, &b, "test", "erin@example.com")
            .await
            .ends_with("/dogs")
    );
    assert_ne!(user_id(&app, &b).await, erin);
    assert!(me(&app, &b).await.unwrap()["email"].is_null());
    assert_eq!(app.count("oidc_pending").await, 0);
    let c = Browser::new();
    assert!(
        sign_in(&app, &provider, &c, "test", "free@example.com")
            .await
            .ends_with("/dogs")
    );
    assert!(
        me(&app, &c).await.unwrap()["email"].is_null(),
        "not even a free address is taken"
    );
}

/// A session fixation: whoever copied (or planted) this browser's cookie
/// before it came back from the provider must not be signed in with it —
/// neither the guest's id nor, on a later sign-in, the member's own earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_held_before_a_provider_sign_in_dies() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    let before = b.session_cookie(&app);
    assert!(
        sign_in(&app, &provider, &b, "test", "fixed@example.com")
            .await
            .ends_with("/dogs")
    );
    // Promoted in place: a row left behind would sign the copy in as the member.
    assert_eq!(user_id(&app, &b).await, guest);
    assert_ne!(b.session_cookie(&app), before);
    app.assert_session_dead(&before).await;
    // The provider again, signed in already (nothing else ends the member's sessions).
    let earlier = b.session_cookie(&app);
    assert!(
        sign_in(&app, &provider, &b, "test", "fixed@example.com")
            .await
            .ends_with("/dogs")
    );
    assert_ne!(b.session_cookie(&app), earlier);
    app.assert_session_dead(&earlier).await;
    assert_eq!(user_id(&app, &b).await, guest);
}

/// One client starting provider sign-ins without end (each stores an
/// attempt) is stopped by its own counter; other clients are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_sign_ins_are_limited_per_client() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &PROXIED).await;
    let (flooder, other) = ("203.0.113.6", "198.51.100.2");
    let action = LimitedAction::OpenIdPerClient;
    let start = async |b: &Browser| {
        let res = post_form(&app, b, "/auth/oidc/test/start", &[("next", "/")]).await;
        assert_eq!(res.status(), 303);
        location(&res, &app.address)
    };
    let b = Browser::from_ip(flooder);
    fill(&app, action, &client(flooder), max(action) - 1).await;
    assert!(start(&b).await.starts_with(&provider.issuer), "the last allowed");
    assert_eq!(counted(&app, action, &client(flooder)).await, max(action));
    use_up(&app, action, &client(flooder)).await;
    assert_eq!(start(&b).await, format!("{}/sign-in?error=too_many", app.address));
    assert_eq!(app.count("oidc_logins").await, 1, "nothing stored when refused");
    let (_, page) = b.open(&app, "/sign-in?error=too_many").await;
    assert!(page.contains("Too many attempts"), "{page}");
    assert!(
        start(&Browser::from_ip(other))
            .await
            .starts_with(&provider.issuer)
    );
}

/// The provider's answer opened twice at once (a double redirect, or a
/// replay racing the original in the same browser): one sign-in, one
/// identity, one session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_provider_answer_twice_at_once_signs_in_once() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    let url = to_callback(&app, &provider, &b, "test", "sign_in", Some("twice@example.com")).await;
    let held = app.hold("SELECT 1 FROM oidc_logins FOR UPDATE", &[]).await;
    let open = async || {
        let res = b.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 303);
        location(&res, &app.address)
    };
    let release = async {
        held.until_waiting(2, "DELETE FROM oidc_logins").await;
        held.release().await;
    };
    let (one, two, ()) = tokio::join!(open(), open(), release);
    let mut answers = [one, two];
    answers.sort();
    assert_eq!(
        answers,
        [
            format!("{}/dogs", app.address),
            format!("{}/sign-in?error=oidc_stale", app.address)
        ]
    );
    assert_eq!(identity_owner(&app, "twice@example.com").await, Some(guest));
    assert_eq!(app.count("oidc_identities").await, 1);
    assert_eq!(app.count("sessions").await, 1);
    assert_eq!(app.count("sign_ins").await, 1);
    assert_eq!(user_id(&app, &b).await, guest);
}

/// An attacker with an account of their own (and another way in) unlinks a
/// provider someone else signs in with: unlinking only ever looks at the
/// caller's own identities, and answers as for a provider never linked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_member_cannot_unlink_someone_elses_provider() {
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    let victim = Browser::new();
    assert!(
        sign_in(&app, &provider, &victim, "test", "noemail-victim")
            .await
            .ends_with("/dogs")
    );
    let attacker = crate::common::flows::signed_in_member(&app, "attacker@example.com").await;
    let answer = async |provider: &str| {
        let res = app
            .call(&attacker, "account/unlink", &[("provider", provider)])
            .await;
        (res.status().as_u16(), res.text().await.unwrap())
    };
    let theirs = answer("test").await;
    assert_eq!(theirs.0, 404, "{theirs:?}");
    assert_eq!(
        theirs,
        answer("nope").await,
        "the same as for a provider never linked"
    );
    assert_eq!(
        identity_owner(&app, "noemail-victim").await,
        Some(user_id(&app, &victim).await)
    );
    assert_eq!(me(&app, &victim).await.unwrap()["kind"], "member");
}
