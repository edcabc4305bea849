//! The asking browser learns what happened (`paws_inside::auth::farewell`): a
//! phone whose guest moved into an account from another browser, or whose
//! session was signed out from another device, is told so on its next page,
//! once — never anyone else, and never through the shared page cache.

use crate::common::Browser;
use crate::common::flows::{add_dog, me, member, owner_of, post_form, sign_in, spawn, user_id};
use crate::common::mail::{SmtpSink, token_in};
use crate::common::{TestApp, fresh_database, settings, spawn_with};

const MOVED: &str =
    "Your dogs moved into an account (b…@example.com) — sign in here with the code or the link.";
const SIGNED_OUT: &str = "You were signed out from another device.";

/// Asks for a sign-in link from `b`; the `n`-th mail to `email`.
async fn ask(app: &TestApp, sink: &SmtpSink, b: &Browser, email: &str, n: usize) -> String {
    let res = app
        .call(b, "auth/magic-link", &[("email", email), ("next", "/dogs")])
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    sink.wait_for(email, n).await
}

/// "Bring them and sign in" on `b`.
async fn bring_them(app: &TestApp, b: &Browser, token: &str) {
    let res = b
        .client
        .post(format!("{}/auth/confirm", app.address))
        .form(&[("token", token), ("bring_requester", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

/// The phone's next pages: the farewell on the first, on no later one.
async fn told_once(app: &TestApp, phone: &Browser, words: &str) {
    let (status, page) = phone.open(app, "/dogs").await;
    assert_eq!(status, 200);
    assert!(page.contains(words), "{page}");
    assert!(
        !phone.cookie(app).unwrap_or_default().contains("paws_session="),
        "the dead session's cookie goes with it"
    );
    let (_, page) = phone.open(app, "/dogs").await;
    assert!(!page.contains(words), "shown once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_asking_phone_learns_its_dogs_moved_into_an_existing_account() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let account = member(&app, "bella@example.com").await;
    let phone = Browser::new();
    let dog = add_dog(&app, &phone, "Bentley").await;
    let token = token_in(&ask(&app, &sink, &phone, "bella@example.com", 1).await);

    bring_them(&app, &Browser::new(), &token).await;
    assert_eq!(owner_of(&app, dog).await, account, "merged");
    // Nobody else hears of it: a visitor's page (cached or not) says nothing.
    for _ in 0..2 {
        let (_, page) = app.page("/").await;
        assert!(!page.contains("moved into an account"));
    }
    told_once(&app, &phone, MOVED).await;
    assert!(
        me(&app, &phone).await.is_none(),
        "still signed out: the notice only tells"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_asking_phone_learns_its_guest_became_an_account() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let phone = Browser::new();
    let dog = add_dog(&app, &phone, "Bentley").await;
    let guest = user_id(&app, &phone).await;
    let token = token_in(&ask(&app, &sink, &phone, "bella@example.com", 1).await);
    let laptop = Browser::new();
    bring_them(&app, &laptop, &token).await;
    assert_eq!(user_id(&app, &laptop).await, guest, "promoted in place");
    assert_eq!(owner_of(&app, dog).await, guest);
    told_once(&app, &phone, MOVED).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_signed_out_elsewhere_is_told_once() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, "bella@example.com").await;
    let (laptop, phone, tablet) = (Browser::new(), Browser::new(), Browser::new());
    for b in [&laptop, &phone, &tablet] {
        assert_eq!(sign_in(&app, b, "bella@example.com").await.status(), 200);
    }
    let res = app.call(&laptop, "account/revoke-others", &[]).await;
    assert!(res.status().is_success(), "{}", res.status());
    told_once(&app, &phone, SIGNED_OUT).await;
    told_once(&app, &tablet, SIGNED_OUT).await;
    let (_, page) = laptop.open(&app, "/dogs").await;
    assert!(!page.contains(SIGNED_OUT), "the device that did it is not told");

    // Signing out here is not "from another device", and says nothing later.
    assert_eq!(
        post_form(&app, &laptop, "/auth/sign-out", &[]).await.status(),
        303
    );
    let (_, page) = laptop.open(&app, "/dogs").await;
    assert!(!page.contains(SIGNED_OUT), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_that_names_no_ended_session_hears_nothing() {
    let app = spawn_with(settings(&fresh_database().await, &[])).await;
    let b = Browser::new();
    b.plant(&app, "paws_session=AAAAAAAAAAAAAAAAAAAAAA; Path=/");
    let (status, page) = b.open(&app, "/dogs").await;
    assert_eq!(status, 200);
    assert!(!page.contains(SIGNED_OUT) && !page.contains("moved into an account"));
}
