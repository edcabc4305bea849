//! Signing in with the code from the sign-in email: typed in the browser that
//! asked, it claims that browser's guest wherever the mail was read; it is
//! the link's twin (using either uses both), hashed at rest, dies after five
//! wrong tries, and is limited per client.

use crate::common::flows::{add_dog, me, post_form, spawn, user_id};
use crate::common::mail::{SmtpSink, code_in, token_in};
use crate::common::{Browser, TestApp};
use serde_json::Value;

/// Asks for a link from `b` as the sign-in form does; returns the mail's
/// request id (from the page it lands on) and the `n`-th mail to `email`.
async fn ask(app: &TestApp, sink: &SmtpSink, b: &Browser, email: &str, n: usize) -> (String, String) {
    let res = b
        .post(format!("{}/api/auth/magic-link", app.address))
        .header("accept", "text/html")
        .form(&[("email", email), ("next", "/dogs")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302, "a plain form lands on the code form");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let request = location
        .strip_prefix("/sign-in?sent=")
        .unwrap_or_else(|| panic!("lands on the code form, not {location}"))
        .to_owned();
    (request, sink.wait_for(email, n).await)
}

/// Types `code` into the code form; returns where it sends the browser.
async fn type_code(app: &TestApp, b: &Browser, request: &str, code: &str) -> String {
    let res = post_form(app, b, "/auth/code", &[("request", request), ("code", code)]).await;
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:08}", (n + 1) % 100_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_signs_in_the_browser_that_asked_and_its_guest_comes_along() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let laptop = Browser::new();
    add_dog(&app, &laptop, "Rex").await;
    let guest = user_id(&app, &laptop).await;
    let (request, mail) = ask(&app, &sink, &laptop, "code@example.com", 1).await;
    let code = code_in(&mail);

    // The sign-in page shows the code form for this mail.
    let (_, page) = laptop.open(&app, &format!("/sign-in?sent={request}")).await;
    assert!(
        page.contains("data-testid=\"code-form\"") && page.contains(&request),
        "{page}"
    );

    // Read on the phone, typed on the laptop ("1234 5678", as the mail shows it).
    let typed = format!("{} {}", &code[..4], &code[4..]);
    assert_eq!(type_code(&app, &laptop, &request, &typed).await, "/dogs");
    let member = me(&app, &laptop).await.expect("signed in");
    assert_eq!(member["email"], "code@example.com");
    assert_eq!(
        user_id(&app, &laptop).await,
        guest,
        "the guest was promoted in place"
    );
    let dogs: Value = app.call(&laptop, "dogs/mine", &[]).await.json().await.unwrap();
    assert!(dogs.to_string().contains("Rex"), "the dog came along: {dogs}");

    // Link and code are one token: the link is used up too, and so is the code.
    let link = format!("/auth/confirm?token={}", token_in(&mail));
    assert_eq!(laptop.open(&app, &link).await.0, 410);
    let again = type_code(&app, &Browser::new(), &request, &code).await;
    assert!(again.ends_with("error=code_dead"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_count_and_the_fifth_ends_the_code_and_the_link() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let (request, mail) = ask(&app, &sink, &b, "guess@example.com", 1).await;
    let code = code_in(&mail);
    let bad = type_code(&app, &b, &request, "12ab").await;
    assert!(bad.ends_with("error=bad_code"), "{bad}");
    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(type_code(&app, &b, &request, &wrong(&code)).await);
    }
    let tail: Vec<&str> = answers
        .iter()
        .map(|a| a.rsplit("error=").next().unwrap())
        .collect();
    assert_eq!(
        tail,
        [
            "wrong_code_4",
            "wrong_code_3",
            "wrong_code_2",
            "wrong_code_1",
            "wrong_code_0"
        ],
        "a malformed code does not count; five wrong ones do"
    );
    let right = type_code(&app, &b, &request, &code).await;
    assert!(
        right.ends_with("error=code_dead"),
        "the right code is too late: {right}"
    );
    assert!(me(&app, &b).await.is_none_or(|u| u["email"].is_null()));
    let link = format!("/auth/confirm?token={}", token_in(&mail));
    assert_eq!(b.open(&app, &link).await.0, 410, "the link died with the code");

    // The page says so in our words.
    let (_, page) = b.open(&app, &answers[3]).await;
    assert!(page.contains("One more try"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_is_hashed_at_rest_and_a_used_link_ends_it() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let (request, mail) = ask(&app, &sink, &b, "rest@example.com", 1).await;
    let code = code_in(&mail);
    let stored: String = sqlx::query_scalar("SELECT code_hash FROM auth_tokens WHERE id = $1::uuid")
        .bind(&request)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(&code));
    let res = post_form(&app, &b, "/auth/confirm", &[("token", &token_in(&mail))]).await;
    assert_eq!(res.status(), 303);
    let after = type_code(&app, &Browser::new(), &request, &code).await;
    assert!(after.ends_with("error=code_dead"), "{after}");
    // Garbage for the request never reaches a query as such, and is no 500.
    let garbage = type_code(&app, &b, "not-a-uuid'--", &code).await;
    assert!(garbage.ends_with("error=code_dead"), "{garbage}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_tries_are_limited_per_client_and_cross_site_posts_refused() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let (request, mail) = ask(&app, &sink, &b, "many@example.com", 1).await;
    let code = code_in(&mail);
    let res = b
        .post(format!("{}/auth/code", app.address))
        .header("origin", "https://evil.example")
        .form(&[("request", request.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a cross-site form is refused");
    for _ in 0..30 {
        type_code(&app, &b, &request, &wrong(&code)).await;
    }
    let over = type_code(&app, &b, &request, &code).await;
    assert!(over.ends_with("error=too_many"), "{over}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_works_only_in_the_browser_that_asked_for_it() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let victim = Browser::new();
    add_dog(&app, &victim, "Luna").await;
    let victim_guest = user_id(&app, &victim).await;
    // Someone asks for a code for their own account and sends the page's
    // address and the code to the victim, hoping to pull Luna into it.
    let attacker = Browser::new();
    let (request, mail) = ask(&app, &sink, &attacker, "attacker@example.com", 1).await;
    let code = code_in(&mail);
    let answer = type_code(&app, &victim, &request, &code).await;
    assert!(answer.ends_with("error=other_browser"), "{answer}");
    let still = me(&app, &victim).await.expect("the victim's guest");
    assert!(still["email"].is_null(), "the victim was not signed in: {still}");
    assert_eq!(user_id(&app, &victim).await, victim_guest);
    let (_, page) = victim.open(&app, &answer).await;
    assert!(page.contains("only in the browser where you asked"), "{page}");

    // Not a try: the code still works, once, where it was asked for.
    let tries: i32 = sqlx::query_scalar("SELECT code_attempts FROM auth_tokens WHERE id = $1::uuid")
        .bind(&request)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tries, 0);
    assert_eq!(type_code(&app, &attacker, &request, &code).await, "/dogs");
    let dogs: i64 = sqlx::query_scalar("SELECT count(*) FROM dogs WHERE user_id = $1")
        .bind(victim_guest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(dogs, 1, "Luna stayed with the victim's guest");
}
