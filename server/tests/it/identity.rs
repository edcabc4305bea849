//! Account safety: the holes an outsider with plain HTTP clients could use to
//! become someone else, each closed by the identity core (`paws_inside::auth`).
//! Every test here failed on the code before it.

use crate::common::Browser;
use crate::common::flows::{add_dog, add_photo_row, me, owner_of, post_form, spawn, user_id};
use crate::common::mail::{SmtpSink, decode_qp};
use crate::common::{TestApp, spawn_app};
use serde_json::Value;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";
const ATTACKER: &str = "attacker chose this one";

/// The token of the first `/auth/{kind}?token=` link in the `n`-th email to `to`.
async fn link_token(sink: &SmtpSink, to: &str, n: usize, kind: &str) -> String {
    let text = decode_qp(&sink.wait_for(to, n).await);
    let marker = format!("/auth/{kind}?token=");
    let at = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {kind} link in: {text}"))
        + marker.len();
    text[at..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
}

/// Signs `b` in by email link; `n` is the number of emails `email` has had so far + 1.
async fn sign_in_by_link(app: &TestApp, sink: &SmtpSink, b: &Browser, email: &str, n: usize) {
    let res = app.call(b, "auth/magic-link", &[("email", email)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    let token = link_token(sink, email, n, "confirm").await;
    let res = post_form(app, b, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
}

async fn sign_up(app: &TestApp, b: &Browser, email: &str, password: &str) -> reqwest::Response {
    app.call(b, "auth/sign-up", &[("email", email), ("password", password)])
        .await
}

async fn sign_in(app: &TestApp, b: &Browser, email: &str, password: &str) -> reqwest::Response {
    app.call(b, "auth/sign-in", &[("email", email), ("password", password)])
        .await
}

/// The value of the first hidden `mint_key` field in `html`.
fn mint_key_in(html: &str) -> String {
    let marker = r#"name="mint_key" value=""#;
    let at = html.find(marker).expect("the page has a mint key field") + marker.len();
    html[at..].chars().take_while(|c| *c != '"').collect()
}

/// Hole 1: a page served from the cache to many visitors must not hand them
/// one key that makes them one guest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_served_the_same_cached_page_become_different_guests() {
    let app = spawn_app().await;
    let page = "/venues/pawsome-bakery-berlin";
    let (status, first) = app.page(page).await;
    assert_eq!(status, 200);
    let (_, second) = app.page(page).await; // a cache hit
    let (key_a, key_b) = (mint_key_in(&first), mint_key_in(&second));
    let (a, b) = (Browser::new(), Browser::new());
    for (browser, key) in [(&a, &key_a), (&b, &key_b)] {
        let res = app.call(browser, "auth/anonymous", &[("mint_key", key)]).await;
        assert_eq!(res.status(), 200);
    }
    assert_ne!(
        user_id(&app, &a).await,
        user_id(&app, &b).await,
        "two visitors of one cached page are two guests"
    );
    // A double submit of one page's form still lands on one guest.
    let again = Browser::new();
    let res = app.call(&again, "auth/anonymous", &[("mint_key", &key_a)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(user_id(&app, &again).await, user_id(&app, &a).await);
}

/// Hole 2: submitting sign-up with a taken address while signed in must not
/// leave a session that "sign out other devices" cannot reach.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_submitted_sign_up_is_still_reached_by_revocation() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let (laptop, phone) = (Browser::new(), Browser::new());
    sign_in_by_link(&app, &sink, &laptop, "owner@example.com", 1).await;
    sign_in_by_link(&app, &sink, &phone, "owner@example.com", 2).await;
    let res = sign_up(&app, &phone, "owner@example.com", "some other password").await;
    assert!(
        res.status().is_client_error() || res.status().is_success(),
        "{}",
        res.status()
    );
    let res = app.call(&laptop, "account/revoke-others", &[]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(me(&app, &phone).await.is_none(), "the phone was signed out");
}

/// Hole 2, chained: pre-register someone's address, submit sign-up again, and
/// wait for the owner to sign in by link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_registering_an_address_keeps_nobody_in_after_the_owner_signs_in() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let attacker = Browser::new();
    sign_up(&app, &attacker, "victim@example.com", ATTACKER).await;
    sign_up(&app, &attacker, "victim@example.com", ATTACKER).await;
    sink.wait_for("victim@example.com", 2).await;
    let victim = Browser::new();
    sign_in_by_link(&app, &sink, &victim, "victim@example.com", 3).await;
    assert!(
        me(&app, &attacker)
            .await
            .is_none_or(|u| u["email"].as_str() != Some("victim@example.com")),
        "the attacker is not the victim"
    );
    let res = app
        .call(
            &attacker,
            "account/password",
            &[("new_password", "attacker sets a new one")],
        )
        .await;
    assert!(!res.status().is_success(), "{}", res.status());
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind("victim@example.com")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(hash.is_none(), "no password the victim did not choose");
}

/// Hole 3: someone signs up with your address; you confirm it in your own
/// browser. Their password must not become a way into your account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_your_address_does_not_adopt_a_password_chosen_elsewhere() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let attacker = Browser::new();
    sign_up(&app, &attacker, "victim@example.com", ATTACKER).await;
    let token = link_token(&sink, "victim@example.com", 1, "verify").await;
    let victim = Browser::new();
    let res = post_form(&app, &victim, "/auth/verify", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    let res = sign_in(&app, &Browser::new(), "victim@example.com", ATTACKER).await;
    assert!(
        !res.status().is_success(),
        "the attacker's password does not sign in"
    );
    // The owner's later link sign-in leaves nobody else in either.
    let elsewhere = Browser::new();
    let mails = sink.messages_to("victim@example.com").len();
    sign_in_by_link(&app, &sink, &elsewhere, "victim@example.com", mails + 1).await;
    assert!(
        me(&app, &attacker)
            .await
            .is_none_or(|u| u["email"].as_str() != Some("victim@example.com"))
    );
}

/// Hole 4: whether the browser ends up signed in must not tell a taken
/// address from a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_leaves_the_browser_in_the_same_state_for_new_and_taken_addresses() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    sign_in_by_link(&app, &sink, &Browser::new(), "owner@example.com", 1).await;
    let answer = async |email: &str| {
        let b = Browser::new();
        let res = sign_up(&app, &b, email, PASSWORD).await;
        let status = res.status().as_u16();
        let mut cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| {
                // Names and attributes, not the random value.
                let v = v.to_str().unwrap();
                let (name, rest) = v.split_once('=').unwrap();
                let attrs = rest.split_once(';').map_or("", |(_, a)| a);
                format!("{name};{attrs}")
            })
            .collect();
        cookies.sort();
        let body = res.text().await.unwrap();
        let who = me(&app, &b).await.map(|mut u| {
            u.as_object_mut().unwrap().remove("id");
            u
        });
        (status, cookies, body, who)
    };
    let taken = answer("owner@example.com").await;
    let fresh = answer("new@example.com").await;
    assert_eq!(taken, fresh);
}

/// Found by reading: a session's stored snapshot said "guest" after the guest
/// had become an account, and discarding "guest data" deleted the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_guest_session_cannot_discard_an_account() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    // Two sessions of one guest (a double submit: the key is shared).
    let (tab, other) = (Browser::new(), Browser::new());
    let key = "0123456789abcdef0123456789abcdef";
    for b in [&tab, &other] {
        let res = app.call(b, "auth/anonymous", &[("mint_key", key)]).await;
        assert_eq!(res.status(), 200);
    }
    let dog = add_dog(&app, &other, "Bentley").await;
    let guest = user_id(&app, &other).await;
    assert_eq!(user_id(&app, &tab).await, guest);
    sign_up(&app, &other, "bella@example.com", PASSWORD).await;
    let token = link_token(&sink, "bella@example.com", 1, "verify").await;
    let res = post_form(&app, &other, "/auth/verify", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    let res = app
        .call(&tab, "account/discard-guest", &[("confirm", "on")])
        .await;
    assert!(!res.status().is_success(), "{}", res.status());
    assert_eq!(
        owner_of(&app, dog).await,
        guest,
        "the account and its dog are still there"
    );
}

/// Found by reading: a revoked session came back when a request that had
/// loaded it before the revocation saved it afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_does_not_bring_a_revoked_session_back() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let (laptop, phone) = (Browser::new(), Browser::new());
    sign_in_by_link(&app, &sink, &laptop, "owner@example.com", 1).await;
    sign_in_by_link(&app, &sink, &phone, "owner@example.com", 2).await;
    // The phone's next page takes its sign-in notice (a change to save) and
    // then waits on the dogs table, held here, while the laptop signs every
    // other device out.
    let held = app.hold("LOCK TABLE dogs IN ACCESS EXCLUSIVE MODE", &[]).await;
    let page = {
        let (client, address) = (phone.client.clone(), app.address.clone());
        tokio::spawn(async move {
            client
                .get(format!("{address}/dogs"))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    held.until_waiting(1, "dogs").await;
    let res = app.call(&laptop, "account/revoke-others", &[]).await;
    assert!(res.status().is_success(), "{}", res.status());
    held.release().await;
    assert_eq!(page.await.unwrap(), 200);
    assert!(me(&app, &phone).await.is_none(), "the phone stays signed out");
}

/// Found by reading: a guest removed by the reaper left its session pointing
/// at nobody, and every contribution then failed with a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaped_guest_comes_back_as_a_visitor_and_can_contribute() {
    let app = spawn_app().await;
    let b = Browser::new();
    let res = app.call(&b, "auth/anonymous", &[]).await;
    assert_eq!(res.status(), 200);
    let guest = user_id(&app, &b).await;
    sqlx::query("UPDATE users SET last_seen_at = now() - interval '400 days' WHERE id = $1")
        .bind(guest)
        .execute(&app.pool)
        .await
        .unwrap();
    let identity = paws_inside::db::reaper::identity(app.pool.clone(), app.photos.store.clone());
    let reaped = paws_inside::db::reaper::guests(&identity, 30, 100, false)
        .await
        .unwrap();
    assert_eq!(reaped, 1);
    assert!(me(&app, &b).await.is_none(), "signed out, not an error");
    let dog = add_dog(&app, &b, "Bentley").await;
    assert_ne!(owner_of(&app, dog).await, guest, "a new guest owns it");
}

/// Found by reading: a merge deleted the guest's photo reports instead of
/// bringing them along.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_brings_the_guests_photo_reports_along() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    sign_in_by_link(&app, &sink, &Browser::new(), "owner@example.com", 1).await;
    let poster = Browser::new();
    let dog = add_dog(&app, &poster, "Rex").await;
    add_photo_row(&app, user_id(&app, &poster).await, dog).await;
    let photo: Uuid = sqlx::query_scalar("SELECT id FROM photos LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let reporter = Browser::new();
    let res = app
        .call(
            &reporter,
            "photos/report",
            &[("photo", &photo.to_string()), ("reason", "spam")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    sign_in_by_link(&app, &sink, &reporter, "owner@example.com", 2).await;
    let owner: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let reporters: Vec<Uuid> = sqlx::query_scalar("SELECT reporter_id FROM photo_reports")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(reporters, vec![owner], "the report came along");
    let _: Option<Value> = me(&app, &reporter).await;
}

/// Found in review: a session alone (stolen, or a pre-registration's) could
/// give an account without a password one, which then outlived every
/// revocation. Setting a first password needs a recent sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_password_needs_a_recent_sign_in() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    sign_in_by_link(&app, &sink, &b, "owner@example.com", 1).await;
    // The sign-in grows old (as if the laptop was left open for an hour).
    sqlx::query("UPDATE sessions SET authenticated_at = now() - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app
        .call(&b, "account/password", &[("new_password", "someone else's pick")])
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("sign in again"));
    let hash: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'owner@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(hash.is_none());
}

/// Found in review: two links proving one new address at once (a sign-up's
/// confirmation and a sign-in link, each from a guest with a dog) raced to
/// create the account, and one of them answered 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_links_proving_one_new_address_at_once_both_land() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let (a, b) = (Browser::new(), Browser::new());
    let dogs = vec![add_dog(&app, &a, "Ada").await, add_dog(&app, &b, "Bo").await];
    sign_up(&app, &a, "both@example.com", PASSWORD).await;
    let verify = link_token(&sink, "both@example.com", 1, "verify").await;
    let res = app
        .call(&b, "auth/magic-link", &[("email", "both@example.com")])
        .await;
    assert!(res.status().is_success());
    let link = link_token(&sink, "both@example.com", 2, "confirm").await;
    let post = |browser: &Browser, path: &'static str, token: String| {
        let (client, address) = (browser.client.clone(), app.address.clone());
        tokio::spawn(async move {
            let res = client
                .post(format!("{address}{path}"))
                .form(&[("token", token)])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        })
    };
    let (ra, rb) = (post(&a, "/auth/verify", verify), post(&b, "/auth/confirm", link));
    assert_eq!((ra.await.unwrap(), rb.await.unwrap()), (303, 303));
    let account: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'both@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let owners: Vec<Uuid> = sqlx::query_scalar("SELECT user_id FROM dogs WHERE id = ANY($1)")
        .bind(&dogs)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(owners, vec![account, account], "both dogs are in the one account");
}

/// Found in review: a reset link of an account deleted since kept showing
/// its form, for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_of_a_deleted_account_is_used_up() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    sign_in_by_link(&app, &sink, &Browser::new(), "gone@example.com", 1).await;
    let b = Browser::new();
    let res = app
        .call(&b, "auth/forgot", &[("email", "gone@example.com")])
        .await;
    assert!(res.status().is_success());
    let token = link_token(&sink, "gone@example.com", 2, "reset").await;
    sqlx::query("DELETE FROM users WHERE email = 'gone@example.com'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = post_form(
        &app,
        &b,
        "/auth/reset",
        &[("token", &token), ("password", "a brand new secret")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let page = b
        .client
        .get(format!("{}/auth/reset?token={token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410, "the link says it was used");
    assert!(me(&app, &b).await.is_none());
}

/// Found in review: a link page showed any text put in its URL's `error`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_pages_show_only_their_own_words() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    sign_in_by_link(&app, &sink, &b, "owner@example.com", 1).await;
    let res = app
        .call(&b, "auth/forgot", &[("email", "owner@example.com")])
        .await;
    assert!(res.status().is_success());
    let token = link_token(&sink, "owner@example.com", 2, "reset").await;
    let page = |error: &str| {
        let url = format!("{}/auth/reset?token={token}&error={error}", app.address);
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let forged = page("Your%20account%20is%20locked.%20Call%20555-0100").await;
    assert!(!forged.contains("Call 555-0100"), "forged text is not shown");
    let known = page("weak_common").await;
    assert!(known.contains("one of the most common ones"), "{known}");
}

/// Found in review: the upload form's way back accepted `/\t/host`, which
/// browsers read as `//host` (another site).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_form_only_returns_to_our_own_pages() {
    let app = spawn_app().await;
    let b = Browser::new();
    let form = reqwest::multipart::Form::new()
        .text("return_to", "/\t/evil.example")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("x.png"),
        );
    let res = b
        .client
        .post(format!("{}/api/photos", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/dogs?"), "{location}");
}

/// Found in review: confirming a sign-up's link for an address that became an
/// account meanwhile set the password but left that account's sessions in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_set_by_a_confirmation_ends_the_sessions_before_it() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let laptop = Browser::new();
    add_dog(&app, &laptop, "Bentley").await;
    sign_up(&app, &laptop, "bella@example.com", PASSWORD).await;
    let verify = link_token(&sink, "bella@example.com", 1, "verify").await;
    let elsewhere = Browser::new();
    sign_in_by_link(&app, &sink, &elsewhere, "bella@example.com", 2).await;
    let res = post_form(&app, &laptop, "/auth/verify", &[("token", &verify)]).await;
    assert_eq!(res.status(), 303);
    assert!(
        sign_in(&app, &Browser::new(), "bella@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );
    assert!(
        me(&app, &elsewhere).await.is_none(),
        "the session from before the new password ended"
    );
}
