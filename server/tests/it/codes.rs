//! Signing in with the code from the sign-in email: typed in the browser that
//! asked, it claims that browser's guest wherever the mail was read; it is
//! the link's twin (using either uses both), hashed at rest, dies after five
//! wrong tries however many are typed at once, and is limited per client and
//! per address at each client (each limit on its own).

use crate::common::counters::{PROXIED, address_from, assert_far, client, counted, fill, max, use_up};
use crate::common::flows::{add_dog, me, post_form, post_in_background, spawn, spawn_env, user_id};
use crate::common::mail::{SmtpSink, code_in, token_in};
use crate::common::{Browser, TestApp};
use paws_inside::limits::LimitedAction;
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

/// Tries taken on the mail's code so far.
async fn tries(app: &TestApp, request: &str) -> i32 {
    sqlx::query_scalar("SELECT code_attempts FROM auth_tokens WHERE id = $1::uuid")
        .bind(request)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Whether the mail's token is used up.
async fn used(app: &TestApp, request: &str) -> bool {
    sqlx::query_scalar("SELECT used_at IS NOT NULL FROM auth_tokens WHERE id = $1::uuid")
        .bind(request)
        .fetch_one(&app.pool)
        .await
        .unwrap()
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
        right.ends_with("error=tried_out"),
        "the right code is too late, for that reason: {right}"
    );
    assert!(me(&app, &b).await.is_none_or(|u| u["email"].is_null()));
    let link = format!("/auth/confirm?token={}", token_in(&mail));
    let (status, page) = b.open(&app, &link).await;
    assert_eq!(status, 410, "the link died with the code");
    assert!(
        page.contains("closed after too many wrong codes") && !page.contains("already used"),
        "the unopened link says why: {page}"
    );

    // The page says so in our words.
    let (_, page) = b.open(&app, &answers[3]).await;
    assert!(page.contains("One more try"), "{page}");
    for after in [&answers[4], &right] {
        let (_, page) = b.open(&app, after).await;
        assert!(
            page.contains("Too many tries") && page.contains("We sent nothing new: ask for a new email."),
            "{page}"
        );
        assert!(!page.contains("used, replaced"), "{page}");
    }
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
async fn cross_site_code_posts_are_refused() {
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
    assert_eq!(tries(&app, &request).await, 0);
    assert_eq!(type_code(&app, &b, &request, &code).await, "/dogs");
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

/// A session fixation: whoever copied (or planted) this browser's cookie
/// before its owner typed the code must not be signed in with it — neither
/// the guest's id nor, on a later code, the member's own earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_held_before_the_code_dies() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    let before = b.session_cookie(&app);
    let (request, mail) = ask(&app, &sink, &b, "fixed@example.com", 1).await;
    assert_eq!(type_code(&app, &b, &request, &code_in(&mail)).await, "/dogs");
    // Promoted in place: a row left behind would sign the copy in as the member.
    assert_eq!(user_id(&app, &b).await, guest);
    assert_ne!(b.session_cookie(&app), before);
    app.assert_session_dead(&before).await;
    // A code again, signed in already (nothing else ends the member's sessions).
    let earlier = b.session_cookie(&app);
    let (request, mail) = ask(&app, &sink, &b, "fixed@example.com", 2).await;
    assert_eq!(type_code(&app, &b, &request, &code_in(&mail)).await, "/dogs");
    assert_ne!(b.session_cookie(&app), earlier);
    app.assert_session_dead(&earlier).await;
    assert_eq!(user_id(&app, &b).await, guest);
}

/// Someone guessing codes from one client (with the mail's request id) is
/// stopped by that client's own counter, before any code is checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_tries_are_limited_per_client() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    let (home, cafe) = ("198.51.100.1", "198.51.100.2");
    let b = Browser::from_ip(home);
    let email = "many@example.com";
    let (request, mail) = ask(&app, &sink, &b, email, 1).await;
    let code = code_in(&mail);
    let action = LimitedAction::CodePerClient;
    fill(&app, action, &client(home), max(action) - 1).await;
    let last = type_code(&app, &b, &request, &wrong(&code)).await;
    assert!(last.ends_with("error=wrong_code_4"), "the last allowed: {last}");
    assert_eq!(counted(&app, action, &client(home)).await, max(action));
    use_up(&app, action, &client(home)).await;
    let over = type_code(&app, &b, &request, &code).await;
    assert!(over.ends_with("error=too_many"), "{over}");
    assert_eq!(tries(&app, &request).await, 1, "the refused code was not tried");
    assert!(!used(&app, &request).await);
    assert!(me(&app, &b).await.is_none());
    // The per-address counter is far away: this limit alone refused it.
    assert_far(&app, LimitedAction::CodePerEmail, &address_from(email, home)).await;
    // The same laptop on another network is another client.
    assert_eq!(type_code(&app, &b.moved_to(cafe), &request, &code).await, "/dogs");
}

/// An attacker spends an address's code tries from their own network (every
/// try counts before it is checked, even in the wrong browser): the owner,
/// elsewhere, still signs in with the code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spending_an_addresss_code_tries_from_one_client_does_not_stop_its_owner_elsewhere() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    let (attacker_net, owner_net) = ("203.0.113.6", "198.51.100.1");
    let email = "owner@example.com";
    let owner = Browser::from_ip(owner_net);
    let (request, mail) = ask(&app, &sink, &owner, email, 1).await;
    let code = code_in(&mail);
    let action = LimitedAction::CodePerEmail;
    use_up(&app, action, &address_from(email, attacker_net)).await;
    let attacker = Browser::from_ip(attacker_net);
    let over = type_code(&app, &attacker, &request, &wrong(&code)).await;
    assert!(over.ends_with("error=too_many"), "{over}");
    // It is that address's counter at that client: the owner's browser there is refused too …
    let there = type_code(&app, &owner.moved_to(attacker_net), &request, &code).await;
    assert!(there.ends_with("error=too_many"), "{there}");
    assert_far(&app, LimitedAction::CodePerClient, &client(attacker_net)).await;
    assert_eq!(tries(&app, &request).await, 0, "no refused code was tried");
    // … and at home the code works.
    assert_eq!(type_code(&app, &owner, &request, &code).await, "/dogs");
    assert_eq!(me(&app, &owner).await.unwrap()["email"], email);
}

/// Slow guessing (under the 15-minute limit, all day) meets the daily limit,
/// which holds on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_tries_per_address_are_limited_per_day() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    let (home, cafe) = ("198.51.100.1", "198.51.100.2");
    let email = "slow@example.com";
    let b = Browser::from_ip(home);
    let (request, mail) = ask(&app, &sink, &b, email, 1).await;
    let code = code_in(&mail);
    let daily = LimitedAction::CodePerEmailDaily;
    use_up(&app, daily, &address_from(email, home)).await;
    let over = type_code(&app, &b, &request, &code).await;
    assert!(over.ends_with("error=too_many"), "{over}");
    assert_eq!(tries(&app, &request).await, 0);
    // The 15-minute counter of the same address and client is far away.
    assert_far(&app, LimitedAction::CodePerEmail, &address_from(email, home)).await;
    assert_eq!(type_code(&app, &b.moved_to(cafe), &request, &code).await, "/dogs");
}

/// A double click (or two tabs) sends the right code twice at once: one
/// sign-in, one session; the other answer says the code was used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_code_typed_twice_at_once_signs_in_once() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    let (request, mail) = ask(&app, &sink, &b, "twice@example.com", 1).await;
    let code = code_in(&mail);
    let form = [("request", request.as_str()), ("code", code.as_str())];
    // Both wait on the token's row, then go together.
    let held = app
        .hold(
            "SELECT 1 FROM auth_tokens WHERE id = $1::uuid FOR UPDATE",
            &[&request],
        )
        .await;
    let typed = [
        post_in_background(&app, &b, "/auth/code", &form),
        post_in_background(&app, &b, "/auth/code", &form),
    ];
    held.until_waiting(2, "UPDATE auth_tokens").await;
    held.release().await;
    let mut answers = Vec::new();
    for t in typed {
        answers.push(t.await.unwrap());
    }
    answers.sort();
    let dead = format!("/sign-in?sent={request}&error=code_dead");
    assert_eq!(answers, [(303, "/dogs".to_owned()), (303, dead)]);
    assert_eq!(app.count("sessions").await, 1);
    assert_eq!(app.count("sign_ins").await, 1);
    assert_eq!(user_id(&app, &b).await, guest);
    assert_eq!(me(&app, &b).await.unwrap()["kind"], "member");
}

/// An attacker who knows the request id fires many guesses at once, hoping
/// they are all checked before any is counted: tries are taken before a code
/// is checked, so five are checked and the rest are refused unchecked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_wrong_codes_in_flight_at_once_are_checked_only_five_times() {
    let sink = SmtpSink::start();
    // Every guess holds a connection while it waits.
    let app = spawn_env(&sink, &[("DATABASE_MAX_CONNECTIONS", "20")]).await;
    let b = Browser::new();
    let (request, mail) = ask(&app, &sink, &b, "flood@example.com", 1).await;
    let code = code_in(&mail);
    let guesses: Vec<String> = (1..=8u32)
        .map(|i| {
            let n: u32 = code.parse().unwrap();
            format!("{:08}", (n + i) % 100_000_000)
        })
        .collect();
    let held = app
        .hold(
            "SELECT 1 FROM auth_tokens WHERE id = $1::uuid FOR UPDATE",
            &[&request],
        )
        .await;
    let flying: Vec<_> = guesses
        .iter()
        .map(|g| post_in_background(&app, &b, "/auth/code", &[("request", &request), ("code", g)]))
        .collect();
    held.until_waiting(8, "UPDATE auth_tokens").await;
    held.release().await;
    let mut answers = Vec::new();
    for f in flying {
        let (status, location) = f.await.unwrap();
        assert_eq!(status, 303);
        answers.push(location.rsplit("error=").next().unwrap().to_owned());
    }
    answers.sort();
    assert_eq!(
        answers,
        [
            "tried_out",
            "tried_out",
            "tried_out",
            "wrong_code_0",
            "wrong_code_1",
            "wrong_code_2",
            "wrong_code_3",
            "wrong_code_4"
        ],
        "five checked, three refused unchecked"
    );
    assert_eq!(tries(&app, &request).await, 5);
    let right = type_code(&app, &b, &request, &code).await;
    assert!(
        right.ends_with("error=tried_out"),
        "the right code is too late: {right}"
    );
    assert!(me(&app, &b).await.is_none());
}
