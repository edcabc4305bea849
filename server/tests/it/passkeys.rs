//! Passkeys with a software authenticator (real P-256 signatures, checked by
//! webauthn-rs): a guest keeps its dogs with one (a member in place, no
//! address), signs in with it elsewhere (that browser's guest merges), adds
//! and removes more (never the last way in, not even from two tabs at once,
//! and never another's); unknown, replayed, cloned, stale and malformed
//! answers are refused with nothing written, one answer sent twice at once
//! signs in once, and prompts are limited per client.

use crate::common::by_name::{
    add_passkey as add, passkey_sign_in as use_key, post_json as post, spawn_by_name as spawn_env,
};
use crate::common::counters::{PROXIED, assert_refused, client, counted, fill, max, use_up};
use crate::common::flows::{add_dog, me, owner_of, post_form, user_id};
use crate::common::mail::{SmtpSink, free_port, token_for};
use crate::common::passkey::SoftPasskey;
use crate::common::{Browser, TestApp, fresh_database, settings, spawn_with};
use paws_inside::limits::LimitedAction;
use serde_json::{Value, json};

/// The app at `http://localhost:PORT` (browsers refuse passkeys on an IP address).
async fn spawn() -> (TestApp, String) {
    spawn_env(&[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_keeps_its_dogs_with_a_passkey_and_signs_in_with_it_elsewhere() {
    let (app, origin) = spawn().await;
    let laptop = Browser::new();
    let dog = add_dog(&app, &laptop, "Rex").await;
    let guest = user_id(&app, &laptop).await;
    let before = laptop.cookie(&app).unwrap();
    let mut key = SoftPasskey::new(&origin);
    let (status, done) = add(&app, &laptop, &mut key, "Laptop").await;
    assert_eq!(
        (status, done["next"].as_str()),
        (200, Some("/account?passkey=kept")),
        "{done}"
    );
    let now = me(&app, &laptop).await.unwrap();
    assert_eq!(now["kind"], "member");
    assert!(now["email"].is_null(), "a member without an address");
    assert_eq!(user_id(&app, &laptop).await, guest, "promoted in place");
    assert_ne!(laptop.cookie(&app).unwrap(), before, "the session rotated");
    let (_, account) = laptop.open(&app, "/account").await;
    assert!(account.contains("data-testid=\"passkey-Laptop\""), "{account}");

    // Another browser's guest signs in with the passkey: merged into the account.
    let phone = Browser::new();
    let second = add_dog(&app, &phone, "Bella").await;
    let (status, done) = use_key(&app, &phone, &mut key).await;
    assert_eq!((status, done["next"].as_str()), (200, Some("/dogs")), "{done}");
    assert_eq!(user_id(&app, &phone).await, guest);
    assert_eq!(
        (owner_of(&app, dog).await, owner_of(&app, second).await),
        (guest, guest)
    );
    let counter: Value = sqlx::query_scalar("SELECT passkey FROM passkeys")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        counter.to_string().contains("\"counter\":1"),
        "the counter is kept: {counter}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_replayed_cloned_and_malformed_answers_change_nothing() {
    let (app, origin) = spawn().await;
    let owner = Browser::new();
    add_dog(&app, &owner, "Rex").await;
    let mut key = SoftPasskey::new(&origin);
    assert_eq!(add(&app, &owner, &mut key, "Key").await.0, 200);

    let b = Browser::new();
    add_dog(&app, &b, "Bella").await;
    let guest = user_id(&app, &b).await;
    let users = app.count("users").await;

    // A passkey this site never registered.
    let mut stranger = SoftPasskey::new(&origin);
    stranger.pretend_user(guest.as_bytes());
    let (status, err) = use_key(&app, &b, &mut stranger).await;
    assert_eq!(status, 400);
    assert!(
        err["error"].as_str().unwrap().contains("not registered here"),
        "{err}"
    );

    // One answer, sent twice: the ceremony is used up; sent to a new
    // ceremony: its challenge does not match.
    let (_, start) = post(&app, &b, "/auth/passkey/sign-in/start", json!({})).await;
    let answer = key.get(&start["options"]);
    let other = Browser::new();
    let (_, fresh) = post(&app, &other, "/auth/passkey/sign-in/start", json!({})).await;
    let (status, err) = post(
        &app,
        &other,
        "/auth/passkey/sign-in/finish",
        json!({ "ceremony": fresh["ceremony"], "credential": answer }),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert!(me(&app, &other).await.is_none());
    let (status, _) = post(
        &app,
        &b,
        "/auth/passkey/sign-in/finish",
        json!({ "ceremony": start["ceremony"], "credential": answer }),
    )
    .await;
    assert_eq!(status, 200, "the answer still works for its own ceremony");
    let (status, err) = post(
        &app,
        &b,
        "/auth/passkey/sign-in/finish",
        json!({ "ceremony": start["ceremony"], "credential": answer }),
    )
    .await;
    assert_eq!(status, 410, "{err}");

    // A copy of the key whose counter went backwards: a clone.
    key.counter = 0;
    let c = Browser::new();
    let (status, err) = use_key(&app, &c, &mut key).await;
    assert_eq!(status, 400);
    assert!(err["error"].as_str().unwrap().contains("copied"), "{err}");
    assert!(me(&app, &c).await.is_none());

    // Garbage, an unknown ceremony, and an expired one.
    let (status, _) = post(
        &app,
        &c,
        "/auth/passkey/sign-in/finish",
        json!({ "ceremony": "nope", "credential": {} }),
    )
    .await;
    assert_eq!(status, 410);
    let (_, start) = post(&app, &c, "/auth/passkey/sign-in/start", json!({})).await;
    let (status, _) = post(
        &app,
        &c,
        "/auth/passkey/sign-in/finish",
        json!({ "ceremony": start["ceremony"], "credential": { "id": 1 } }),
    )
    .await;
    assert_eq!(status, 400);
    let (_, start) = post(&app, &c, "/auth/passkey/sign-in/start", json!({})).await;
    sqlx::query("UPDATE passkey_ceremonies SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let answer = key.get(&start["options"]);
    let (status, err) = post(
        &app,
        &c,
        "/auth/passkey/sign-in/finish",
        json!({ "ceremony": start["ceremony"], "credential": answer }),
    )
    .await;
    assert_eq!(status, 410);
    assert!(err["error"].as_str().unwrap().contains("expired"), "{err}");

    // Someone else's registration ceremony cannot be finished here: another
    // browser does not even find it (it answers only where it was started).
    let (_, start) = post(
        &app,
        &owner,
        "/auth/passkey/register/start",
        json!({ "name": "Second" }),
    )
    .await;
    let credential = SoftPasskey::new(&origin).create(&start["options"]);
    let (status, err) = post(
        &app,
        &c,
        "/auth/passkey/register/finish",
        json!({ "ceremony": start["ceremony"], "credential": credential }),
    )
    .await;
    assert_eq!(status, 410, "{err}");

    assert_eq!(app.count("passkeys").await, 1);
    assert_eq!(
        app.count("users").await,
        users - 1,
        "only b's guest went (merged into the owner)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_add_and_remove_passkeys_but_not_their_last_way_in() {
    let (app, origin) = spawn().await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let mut first = SoftPasskey::new(&origin);
    assert_eq!(add(&app, &b, &mut first, "First").await.0, 200);
    let mut second = SoftPasskey::new(&origin);
    // Joined writing (a service dog: 🐕 + zero-width joiner + 🦺) is a name.
    let service_dog = "🐕\u{200D}🦺 Second";
    let (status, done) = add(&app, &b, &mut second, service_dog).await;
    assert_eq!(
        (status, done["next"].as_str()),
        (200, Some("/account?passkey=added")),
        "{done}"
    );
    let named: i64 = sqlx::query_scalar("SELECT count(*) FROM passkeys WHERE name = $1")
        .bind(service_dog)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(named, 1);
    // The same authenticator twice is refused by the browser (excluded ids).
    let (_, start) = post(&app, &b, "/auth/passkey/register/start", json!({})).await;
    let excluded = start["options"]["publicKey"]["excludeCredentials"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(excluded, 2);
    assert_eq!(
        start["options"]["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );

    let ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM passkeys ORDER BY created_at")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let res = app
        .call(&b, "account/passkey-remove", &[("id", &ids[0].to_string())])
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .call(&b, "account/passkey-remove", &[("id", &ids[1].to_string())])
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("only way in"));
    // The removed one no longer signs in.
    let (status, _) = use_key(&app, &Browser::new(), &mut first).await;
    assert_eq!(status, 400);

    // A session that signed in long ago must sign in again to add one.
    sqlx::query("UPDATE sessions SET authenticated_at = now() - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, err) = post(&app, &b, "/auth/passkey/register/start", json!({})).await;
    assert_eq!(status, 403, "{err}");
    // A name that is not a name.
    let (status, _) = post(
        &app,
        &Browser::new(),
        "/auth/passkey/register/start",
        json!({ "name": "x" }),
    )
    .await;
    assert_eq!(status, 401, "nobody to add it to");
    // Nobody signed in hears that first, whatever the name.
    let (status, _) = post(
        &app,
        &Browser::new(),
        "/auth/passkey/register/start",
        json!({ "name": "a\u{200B}b" }),
    )
    .await;
    assert_eq!(status, 401, "signed out before a hidden character");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_are_off_on_an_ip_address_and_say_so() {
    let app = spawn_with(settings(&fresh_database().await, &[])).await;
    let (status, err) = post(&app, &Browser::new(), "/auth/passkey/sign-in/start", json!({})).await;
    assert_eq!(status, 404);
    assert!(err["error"].as_str().unwrap().contains("domain name"), "{err}");
    let (_, page) = Browser::new().open(&app, "/sign-in").await;
    assert!(
        !page.contains("data-passkey=\"sign-in\""),
        "no passkey button where it cannot work"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_an_address_adds_one_in_the_browser_signed_in_to_it() {
    let sink = SmtpSink::start();
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let bind = format!("127.0.0.1:{port}");
    let mut env: Vec<(&str, String)> = sink.env();
    env.push(("PAWS_BIND", bind));
    env.push(("PUBLIC_URL", origin.clone()));
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(settings(&fresh_database().await, &pairs)).await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let mut key = SoftPasskey::new(&origin);
    assert_eq!(add(&app, &b, &mut key, "Laptop").await.0, 200);
    let (_, account) = b.open(&app, "/account").await;
    assert!(
        account.contains("data-testid=\"add-email\""),
        "the account page offers an address: {account}"
    );

    let res = app
        .call(&b, "account/add-email", &[("email", "new@example.com")])
        .await;
    assert_eq!(res.status(), 200);
    let token = token_for(&sink.wait_for("new@example.com", 1).await, "/auth/add-email");
    let (status, page) = b.open(&app, &format!("/auth/add-email?token={token}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("n…@example.com") && page.contains("add-email-form"),
        "{page}"
    );

    // Opened in another browser (or by someone the link was forwarded to): refused, still usable.
    let other = Browser::new();
    let res = post_form(&app, &other, "/auth/add-email", &[("token", &token)]).await;
    assert_eq!(
        res.headers()["location"],
        format!("/auth/add-email?token={token}&error=not_yours")
    );
    assert!(me(&app, &b).await.unwrap()["email"].is_null());

    let res = post_form(&app, &b, "/auth/add-email", &[("token", &token)]).await;
    assert_eq!(res.headers()["location"], "/account?email=added");
    assert_eq!(me(&app, &b).await.unwrap()["email"], "new@example.com");
    // Used once.
    let res = post_form(&app, &b, "/auth/add-email", &[("token", &token)]).await;
    assert_eq!(
        res.headers()["location"],
        format!("/auth/add-email?token={token}")
    );

    // An address that already has an account is not taken over.
    let c = Browser::new();
    add_dog(&app, &c, "Bella").await;
    let mut other_key = SoftPasskey::new(&origin);
    assert_eq!(add(&app, &c, &mut other_key, "Phone").await.0, 200);
    assert_eq!(
        app.call(&c, "account/add-email", &[("email", "new@example.com")])
            .await
            .status(),
        200
    );
    let token = token_for(&sink.wait_for("new@example.com", 2).await, "/auth/add-email");
    let res = post_form(&app, &c, "/auth/add-email", &[("token", &token)]).await;
    assert_eq!(
        res.headers()["location"],
        format!("/auth/add-email?token={token}&error=address_taken")
    );
    assert!(me(&app, &c).await.unwrap()["email"].is_null());
    // Adding an address needs a recent sign-in (a stolen session cannot add a way in).
    sqlx::query("UPDATE sessions SET authenticated_at = now() - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app
        .call(&c, "account/add-email", &[("email", "other@example.com")])
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("sign in again"));
    // Members with an address get a clear no.
    let res = app
        .call(&b, "account/add-email", &[("email", "x@example.com")])
        .await;
    assert_eq!(res.status(), 400);
}

/// Row ids of `user`'s passkeys, oldest first.
async fn passkey_ids(app: &TestApp, user: uuid::Uuid) -> Vec<uuid::Uuid> {
    sqlx::query_scalar("SELECT id FROM passkeys WHERE user_id = $1 ORDER BY created_at, id")
        .bind(user)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// A session fixation: whoever copied this browser's cookie before its
/// owner answered with the passkey must not be signed in with it — neither
/// the guest's id nor, on a second sign-in, the member's own earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_held_before_a_passkey_sign_in_dies() {
    let (app, origin) = spawn().await;
    let owner = Browser::new();
    add_dog(&app, &owner, "Rex").await;
    let mut key = SoftPasskey::new(&origin);
    assert_eq!(add(&app, &owner, &mut key, "Key").await.0, 200);
    let b = Browser::new();
    add_dog(&app, &b, "Bella").await;
    let guest = b.session_cookie(&app);
    assert_eq!(use_key(&app, &b, &mut key).await.0, 200);
    app.assert_session_dead(&guest).await;
    // Again, signed in already (the user stays the same): the earlier id dies.
    let earlier = b.session_cookie(&app);
    assert_eq!(use_key(&app, &b, &mut key).await.0, 200);
    assert_ne!(b.session_cookie(&app), earlier);
    app.assert_session_dead(&earlier).await;
    assert!(me(&app, &b).await.is_some());
}

/// One client opening passkey prompts without end (each stores a
/// challenge) is stopped by its own counter; other clients are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_prompts_are_limited_per_client() {
    let (app, _) = spawn_env(&PROXIED).await;
    let (flooder, other) = ("203.0.113.6", "198.51.100.2");
    let action = LimitedAction::PasskeyPerClient;
    let b = Browser::from_ip(flooder);
    add_dog(&app, &b, "Rex").await;
    fill(&app, action, &client(flooder), max(action) - 1).await;
    let (status, _) = post(&app, &b, "/auth/passkey/sign-in/start", json!({})).await;
    assert_eq!(status, 200, "the last allowed");
    assert_eq!(counted(&app, action, &client(flooder)).await, max(action));
    use_up(&app, action, &client(flooder)).await;
    for path in ["/auth/passkey/sign-in/start", "/auth/passkey/register/start"] {
        let res = b
            .post(format!("{}{path}", app.address))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_refused(&res, action);
    }
    assert_eq!(
        app.count("passkey_ceremonies").await,
        1,
        "nothing stored when refused"
    );
    let (status, _) = post(
        &app,
        &Browser::from_ip(other),
        "/auth/passkey/sign-in/start",
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
}

/// One passkey answer sent twice at once (a double submit, or a replay
/// racing the original): one sign-in, one counter step, one session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_passkey_answer_twice_at_once_signs_in_once() {
    let (app, origin) = spawn().await;
    let owner = Browser::new();
    add_dog(&app, &owner, "Rex").await;
    let account = user_id(&app, &owner).await;
    let mut key = SoftPasskey::new(&origin);
    assert_eq!(add(&app, &owner, &mut key, "Key").await.0, 200);
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Bella").await;
    let (_, start) = post(&app, &b, "/auth/passkey/sign-in/start", json!({})).await;
    let answer = json!({
        "ceremony": start["ceremony"],
        "credential": key.get(&start["options"]),
        "next": "/dogs",
    });
    // Both wait on what the answer uses up (its ceremony) and changes (the
    // passkey's counter), then go together.
    let held = app
        .hold(
            "SELECT 1 FROM passkey_ceremonies c, passkeys p WHERE c.id = $1::uuid FOR UPDATE",
            &[start["ceremony"].as_str().unwrap()],
        )
        .await;
    let finish = async || post(&app, &b, "/auth/passkey/sign-in/finish", answer.clone()).await;
    let release = async {
        held.until_waiting(2, "").await;
        held.release().await;
    };
    let ((one, _), (two, _), ()) = tokio::join!(finish(), finish(), release);
    let mut statuses = [one, two];
    statuses.sort();
    assert_eq!(statuses, [200, 410]);
    assert_eq!(owner_of(&app, dog).await, account, "the guest's dog merged once");
    let stored: Value = sqlx::query_scalar("SELECT passkey FROM passkeys")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(stored.to_string().contains("\"counter\":1"), "one step: {stored}");
    let sign_ins: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_ins WHERE method = 'passkey'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sign_ins, 1);
    assert_eq!(app.count("sessions").await, 2, "the owner's and this browser's");
}

/// Two tabs of the account page each remove one of the last two passkeys at
/// the same moment: each alone would leave a way in; together they must not
/// lock the person out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_removing_the_last_two_passkeys_at_once_leave_one() {
    let (app, origin) = spawn().await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let (mut first, mut second) = (SoftPasskey::new(&origin), SoftPasskey::new(&origin));
    assert_eq!(add(&app, &b, &mut first, "First").await.0, 200);
    assert_eq!(add(&app, &b, &mut second, "Second").await.0, 200);
    let user = user_id(&app, &b).await;
    let ids = passkey_ids(&app, user).await;
    assert_eq!(ids.len(), 2, "two passkeys, no address, no provider");
    // Both wait on what they remove, then go together.
    let held = app
        .hold(
            "SELECT 1 FROM passkeys WHERE user_id = $1::uuid FOR UPDATE",
            &[&user.to_string()],
        )
        .await;
    let remove = |id: uuid::Uuid| {
        let id = id.to_string();
        let app = &app;
        let b = &b;
        async move {
            let res = app.call(b, "account/passkey-remove", &[("id", &id)]).await;
            res.status().as_u16()
        }
    };
    let release = async {
        held.until_waiting(2, "").await;
        held.release().await;
    };
    let (one, two, ()) = tokio::join!(remove(ids[0]), remove(ids[1]), release);
    let mut statuses = [one, two];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "exactly one removal");
    assert_eq!(passkey_ids(&app, user).await.len(), 1, "a way in remains");
    assert_eq!(me(&app, &b).await.unwrap()["kind"], "member");
}

/// An attacker with an account (and a passkey) of their own removes
/// someone else's passkey by its id: the owner filter answers as for a
/// passkey that does not exist, and removes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_member_cannot_remove_someone_elses_passkey() {
    let (app, origin) = spawn().await;
    let victim = Browser::new();
    add_dog(&app, &victim, "Rex").await;
    assert_eq!(
        add(&app, &victim, &mut SoftPasskey::new(&origin), "Theirs")
            .await
            .0,
        200
    );
    let victims = passkey_ids(&app, user_id(&app, &victim).await).await;
    let attacker = Browser::new();
    add_dog(&app, &attacker, "Bella").await;
    assert_eq!(
        add(&app, &attacker, &mut SoftPasskey::new(&origin), "Mine")
            .await
            .0,
        200
    );
    let answer = async |id: String| {
        let res = app
            .call(&attacker, "account/passkey-remove", &[("id", &id)])
            .await;
        (res.status().as_u16(), res.text().await.unwrap())
    };
    let theirs = answer(victims[0].to_string()).await;
    assert_eq!(theirs.0, 404, "{theirs:?}");
    assert_eq!(
        theirs,
        answer(uuid::Uuid::new_v4().to_string()).await,
        "the same as for no such passkey"
    );
    assert_eq!(app.count("passkeys").await, 2, "both stay");
}
