//! The account-safety holes of issue #25, each driven the way someone after
//! another person's account (or dogs) would: every test here failed before
//! the one ending. The lock-outs (an address's limits used up from one
//! network) are tested with each limit, where the counters are set so no
//! test straddles a window: `accounts.rs` (password, account mails),
//! `claims.rs` (links), `codes.rs` (code tries), `limits.rs` (guests per /48).

use crate::common::Browser;
use crate::common::flows::{add_dog, me, member, owner_of, post_form, spawn, spawn_env, user_id};
use crate::common::held_body::hold;
use crate::common::mail::{SmtpSink, code_in, free_port, token_for, token_in};
use crate::common::oidc::{Provider, location, spawn_with_providers, to_callback};
use crate::common::passkey::SoftPasskey;
use crate::common::{TestApp, fresh_database, settings, spawn_with};
use serde_json::json;
use uuid::Uuid;

/// Asks for a sign-in link from `b`; the `n`-th mail to `email`.
async fn ask_link(app: &TestApp, sink: &SmtpSink, b: &Browser, email: &str, n: usize) -> String {
    let res = app
        .call(b, "auth/magic-link", &[("email", email), ("next", "/dogs")])
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    sink.wait_for(email, n).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_passkey_answer_cannot_land_on_the_account_its_guest_joined() {
    // The attacker, a guest, starts adding a passkey and holds the answer;
    // meanwhile the victim opens a link the attacker asked for with the
    // victim's address and brings "the guest who asked" along: the guest is
    // promoted in place into the victim's account. The held answer must not
    // then put the attacker's passkey on that account.
    let sink = SmtpSink::start();
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let bind = format!("127.0.0.1:{port}");
    let app = spawn_env(&sink, &[("PAWS_BIND", &bind), ("PUBLIC_URL", &origin)]).await;
    let attacker = Browser::new();
    add_dog(&app, &attacker, "Bait").await;
    let guest = user_id(&app, &attacker).await;
    let start = attacker
        .post(format!("{}/auth/passkey/register/start", app.address))
        .json(&json!({ "name": "Mine" }))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let credential = SoftPasskey::new(&origin).create(&start["options"]);
    let token = token_in(&ask_link(&app, &sink, &attacker, "victim@example.com", 1).await);
    let body = json!({ "ceremony": start["ceremony"], "credential": credential });
    let held = hold(
        &app,
        "/auth/passkey/register/finish",
        &attacker.cookie(&app).unwrap(),
        "application/json",
        body.to_string().into_bytes(),
    )
    .await;

    let victim = Browser::new();
    let res = post_form(
        &app,
        &victim,
        "/auth/confirm",
        &[("token", &token), ("bring_requester", "true")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let account: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'victim@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(account, guest, "the guest became the victim's account in place");

    let (status, answer) = held.release().await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(app.count("passkeys").await, 0, "no passkey on anyone's account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_brings_another_browsers_dogs_only_when_ticked() {
    // Someone asks for a reset of their account, and the link is opened in a
    // browser holding a guest with a dog: saving the password must not pull
    // that dog into their account unless the person ticks it, on a page that
    // names the account.
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let owner = member(&app, "owner@example.com").await;
    let asking = Browser::new();
    let res = app
        .call(&asking, "auth/forgot", &[("email", "owner@example.com")])
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let token = token_for(&sink.wait_for("owner@example.com", 1).await, "/auth/reset");
    let other = Browser::new();
    let dog = add_dog(&app, &other, "Not yours").await;
    let guest = user_id(&app, &other).await;
    let (status, page) = other.open(&app, &format!("/auth/reset?token={token}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Also bring the 1 dog added in this browser"),
        "{page}"
    );

    let fields = [("token", token.as_str()), ("password", "a brand new password")];
    let res = post_form(&app, &other, "/auth/reset", &fields).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("error=left_behind"), "{location}");
    assert_eq!(owner_of(&app, dog).await, guest, "the dog stays where it was");
    let unused: bool =
        sqlx::query_scalar("SELECT used_at IS NULL FROM auth_tokens WHERE purpose = 'password_reset'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(unused, "nothing was done: the link still works");

    let mut ticked = fields.to_vec();
    ticked.push(("bring_this_browser", "true"));
    let res = post_form(&app, &other, "/auth/reset", &ticked).await;
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(owner_of(&app, dog).await, owner, "ticked: the dog comes along");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_with_a_taken_address_leaves_the_owners_code_as_it_was() {
    // An attacker signs up with someone's address while that person is
    // signing in with a code: the owner's code must still be the code (not
    // "replaced"), so the sign-up can neither cancel the owner's sign-in nor
    // tell the attacker that the address has an account.
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, "owner@example.com").await;
    let owner = Browser::new();
    let res = owner
        .post(format!("{}/api/auth/magic-link", app.address))
        .header("accept", "text/html")
        .form(&[("email", "owner@example.com"), ("next", "/dogs")])
        .send()
        .await
        .unwrap();
    let request = res.headers()["location"].to_str().unwrap()["/sign-in?sent=".len()..].to_owned();
    let code = code_in(&sink.wait_for("owner@example.com", 1).await);

    let attacker = Browser::new();
    let res = app
        .call(
            &attacker,
            "auth/sign-up",
            &[
                ("email", "owner@example.com"),
                ("password", "another long password"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    sink.wait_for("owner@example.com", 2).await;

    let wrong = format!("{:08}", (code.parse::<u32>().unwrap() + 1) % 100_000_000);
    let res = post_form(
        &app,
        &owner,
        "/auth/code",
        &[("request", &request), ("code", &wrong)],
    )
    .await;
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.ends_with("error=wrong_code_4"), "{location}");
    let res = post_form(
        &app,
        &owner,
        "/auth/code",
        &[("request", &request), ("code", &code)],
    )
    .await;
    assert_eq!(
        res.headers()["location"],
        "/dogs",
        "the owner's code still signs in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_text_never_shows_as_our_error() {
    // A link (or a sign-in link's `next`) carrying Leptos' error parameters
    // would show the sender's words as our error on our page.
    let app = spawn_with(settings(&fresh_database().await, &[])).await;
    let words = "ServerError|Your account is locked. Call +1 555 0100 now.";
    let err = base64_url(words);
    let path = format!("/dogs/new?__path=/api/dogs/create&__err={err}");
    let b = Browser::new();
    let res = b.get(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dogs/new");
    let (_, page) = b.open(&app, "/dogs/new").await;
    assert!(!page.contains("Call +1 555"), "{page}");

    // Our own error from a form posted without JavaScript still shows.
    let res = b
        .post(format!("{}/api/dogs/create", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/dogs/new", app.address))
        .form(&[("name", ""), ("size", "small")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, "/dogs/new", "nothing of the error in the address");
    // Not on another page, and only for the browser it was meant for.
    let (_, page) = Browser::new().open(&app, &back).await;
    assert!(!page.contains("role=\"alert\""), "{page}");
    let (_, page) = b.open(&app, "/account").await;
    assert!(!page.contains("role=\"alert\""), "{page}");
    let (status, page) = b.open(&app, &back).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("role=\"alert\"") && page.contains("Please tell us your dog"),
        "the form's own error shows: {page}"
    );
    let (_, page) = b.open(&app, &back).await;
    assert!(!page.contains("role=\"alert\""), "once: {page}");

    // The sender's link still only leads to the clean page.
    let res = b.get(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/dogs/new");
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE.encode(text)
}

/// The value of cookie `name` among the ones `b` sends to the provider's callback.
fn cookie_value(app: &TestApp, b: &Browser, name: &str) -> String {
    let header = b.cookie_at(app, "/auth/oidc/test/callback").unwrap_or_default();
    header
        .split("; ")
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {header}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_provider_answer_never_takes_this_browsers_dogs() {
    // The attacker starts "Sign in with …" for their own provider account,
    // plants that attempt's cookie in the victim's browser and sends it to
    // the answer's address: the victim's guest, with its dog, must not be
    // made into (or merged into) the attacker's account.
    let provider = Provider::start();
    let app = spawn_with_providers(&provider, &["test"], &[]).await;
    let attacker = Browser::new();
    let answer = to_callback(
        &app,
        &provider,
        &attacker,
        "test",
        "sign_in",
        Some("mallory@example.com"),
    )
    .await;
    let victim = Browser::new();
    let dog = add_dog(&app, &victim, "Bentley").await;
    let guest = user_id(&app, &victim).await;
    let key = cookie_value(&app, &attacker, "paws_oidc");
    victim.plant(&app, &format!("paws_oidc={key}; Path=/"));

    let res = victim.get(&answer).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let to = location(&res, &app.address);
    assert!(to.ends_with("error=oidc_left_behind"), "{to}");
    assert_eq!(owner_of(&app, dog).await, guest, "the dog stays the victim's");
    assert_eq!(
        me(&app, &victim).await.unwrap()["kind"],
        "guest",
        "still the victim's own guest"
    );
    assert_eq!(app.count("oidc_identities").await, 0, "nobody signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passkey_prompt_answers_only_in_the_browser_that_started_it() {
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let bind = format!("127.0.0.1:{port}");
    let app = spawn_with(settings(
        &fresh_database().await,
        &[("PAWS_BIND", &bind), ("PUBLIC_URL", &origin)],
    ))
    .await;
    let owner = Browser::new();
    add_dog(&app, &owner, "Rex").await;
    let mut key = SoftPasskey::new(&origin);
    let post = |b: &Browser, path: &str, body: serde_json::Value| {
        let (b, url) = (b.clone(), format!("{}{path}", app.address));
        async move {
            let res = b.post(url).json(&body).send().await.unwrap();
            (
                res.status().as_u16(),
                res.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (_, start) = post(&owner, "/auth/passkey/register/start", json!({ "name": "Mine" })).await;
    let credential = key.create(&start["options"]);
    let body = json!({ "ceremony": start["ceremony"], "credential": credential });
    assert_eq!(post(&owner, "/auth/passkey/register/finish", body).await.0, 200);

    // A sign-in prompt started in one browser, answered from another.
    let started_here = Browser::new();
    let (_, start) = post(&started_here, "/auth/passkey/sign-in/start", json!({})).await;
    let answer = key.get(&start["options"]);
    let elsewhere = Browser::new();
    let body = json!({ "ceremony": start["ceremony"], "credential": answer, "next": "/dogs" });
    let (status, err) = post(&elsewhere, "/auth/passkey/sign-in/finish", body.clone()).await;
    assert_eq!(status, 410, "{err}");
    assert!(me(&app, &elsewhere).await.is_none(), "nobody signed in there");
    // Not used up by the stranger: the browser that asked can still finish it.
    let (status, done) = post(&started_here, "/auth/passkey/sign-in/finish", body).await;
    assert_eq!(status, 200, "{done}");
}
