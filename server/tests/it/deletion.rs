//! Deleting an account on its own page: with a sign-in here older than
//! `REAUTH_MINUTES`, proving it is you again (password, or the code mailed to
//! your own address) is a step of that page — the ordinary way in for the
//! same member, so the session is a new one with a fresh sign-in time — and
//! the warning counts what goes and what stays. "Dogs still welcome?"
//! answers stay, without a name: the venue keeps its count.

use crate::common::flows::{PASSWORD, add_dog, member, sign_in, spawn};
use crate::common::mail::{SmtpSink, code_in};
use crate::common::{Browser, TestApp};
use serde_json::Value;

const EMAIL: &str = "owner@example.com";
const SLUG: &str = "pawsome-bakery-berlin";

/// The sign-in here grows old (as if the phone was left for an hour).
async fn age(app: &TestApp) {
    sqlx::query("UPDATE sessions SET authenticated_at = now() - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
}

/// What the delete page's server function says.
async fn deletion(app: &TestApp, b: &Browser) -> Value {
    let res = app.call(b, "account/deletion", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Asks for a code as the page's plain form would; returns the request id.
async fn send_code(app: &TestApp, b: &Browser) -> String {
    let res = b
        .post(format!("{}/api/account/reauth-send", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    location
        .strip_prefix("/account/delete?sent=")
        .unwrap_or_else(|| panic!("back on the page with the code field, not {location}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_sign_in_is_confirmed_again_on_the_page_with_password_or_code() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, EMAIL).await;
    let b = Browser::new();
    assert_eq!(sign_in(&app, &b, EMAIL).await.status(), 200);
    assert_eq!(deletion(&app, &b).await["recent"], true);
    age(&app).await;
    let info = deletion(&app, &b).await;
    assert_eq!(
        (&info["recent"], &info["password"], &info["code"]),
        (&Value::Bool(false), &Value::Bool(true), &Value::Bool(true))
    );
    let (_, page) = b.open(&app, "/account/delete").await;
    assert!(page.contains("data-testid=\"reauth\"") && page.contains("Confirm with password"));
    assert!(!page.contains("del-email"), "no delete field before the step");
    let res = app.call(&b, "account/delete", &[("confirm_email", EMAIL)]).await;
    assert_eq!(res.status(), 400, "the flow decides too, not the page");

    // Password: a wrong one says so here; the right one is a fresh sign-in.
    let res = app
        .call(&b, "account/reauth-password", &[("password", "wrong one")])
        .await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("That password is not right"));
    let res = app
        .call(&b, "account/reauth-password", &[("password", PASSWORD)])
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(deletion(&app, &b).await["recent"], true);
    let (_, page) = b.open(&app, "/account/delete").await;
    assert!(page.contains("del-email") && !page.contains("data-testid=\"reauth\""));

    // The code mailed to the member's own address, typed here.
    age(&app).await;
    let request = send_code(&app, &b).await;
    let (_, page) = b.open(&app, &format!("/account/delete?sent={request}")).await;
    assert!(page.contains("reauth-code"), "the code field is on the same page");
    let code = code_in(&sink.wait_for(EMAIL, 1).await);
    let res = app
        .call(
            &b,
            "account/reauth-code",
            &[("request", &request), ("code", &code)],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert_eq!(deletion(&app, &b).await["recent"], true);
    let res = app.call(&b, "account/delete", &[("confirm_email", EMAIL)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(app.count("users WHERE NOT is_anonymous").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_for_another_address_or_a_guest_never_confirms() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, EMAIL).await;
    member(&app, "other@example.com").await;
    let b = Browser::new();
    sign_in(&app, &b, EMAIL).await;
    age(&app).await;
    // This browser asks for a sign-in mail to another account, then types its
    // code on the delete page: refused, nobody signed in as anyone.
    let res = b
        .post(format!("{}/api/auth/magic-link", app.address))
        .header("accept", "text/html")
        .form(&[("email", "other@example.com"), ("next", "/")])
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let request = location.strip_prefix("/sign-in?sent=").unwrap().to_owned();
    let code = code_in(&sink.wait_for("other@example.com", 1).await);
    let res = app
        .call(
            &b,
            "account/reauth-code",
            &[("request", &request), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), 404);
    let me = crate::common::flows::me(&app, &b).await.unwrap();
    assert_eq!(me["email"], EMAIL);
    assert_eq!(deletion(&app, &b).await["recent"], false);

    // A guest has no account to confirm.
    let guest = Browser::new();
    add_dog(&app, &guest, "Rex").await;
    for (endpoint, form) in [
        ("account/reauth-password", vec![("password", PASSWORD)]),
        ("account/reauth-send", vec![]),
        ("account/deletion", vec![]),
    ] {
        assert_eq!(
            app.call(&guest, endpoint, &form).await.status(),
            404,
            "{endpoint}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_warning_counts_and_answers_stay_without_a_name() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, EMAIL).await;
    let b = Browser::new();
    sign_in(&app, &b, EMAIL).await;
    add_dog(&app, &b, "Bentley").await;
    let res = crate::photos::upload(&app, &b, crate::photos::png(40, 40), "a.png", &[("venue", SLUG)]).await;
    assert_eq!(res.status(), 201);
    let res = app
        .call(&b, "venues/check", &[("slug", SLUG), ("answer", "yes")])
        .await;
    assert_eq!(res.status(), 200);
    let info = deletion(&app, &b).await;
    for (field, n) in [
        ("dogs", 1),
        ("photos", 1),
        ("venue_photos", 1),
        ("answers", 1),
        ("pending", 0),
    ] {
        assert_eq!(info[field], n, "{field}");
    }
    let (_, page) = b.open(&app, "/account/delete").await;
    assert!(
        page.contains("1 dog") && page.contains("1 photo") && page.contains("1 “dogs still welcome?” answer")
    );
    let (_, venue) = app.page(&format!("/venues/{SLUG}")).await;
    assert!(venue.contains("1 confirmation"));

    let res = app.call(&b, "account/delete", &[("confirm_email", EMAIL)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(app.count("dogs").await, 0);
    assert_eq!(app.count("photos").await, 0);
    assert_eq!(
        app.count("venue_checks WHERE user_id IS NULL AND welcome").await,
        1,
        "the answer stays, nameless"
    );
    let (_, venue) = app.page(&format!("/venues/{SLUG}")).await;
    assert!(venue.contains("1 confirmation"), "the venue keeps its count");
}
