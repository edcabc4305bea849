//! Claiming an account by email link: promote in place, merge into an existing
//! account (two guests at once, too), a failed merge that rolls back but
//! still signs in, single-use tokens under concurrency, scanner-safe
//! GET/HEAD, open-redirect payloads, no account enumeration, rate limits (per
//! client, per address at a client, per inbox) and the other-browser choice;
//! sessions that ended (signed out, expired) sign in nobody.

use crate::common::Browser;
use crate::common::counters::{
    LOOPBACK, PROXIED, address_from, assert_far, assert_refused, client, counted, fill, max, use_up,
};
use crate::common::flows::{add_dog, add_photo_row, me, owner_of, spawn, spawn_env, user_id};
use crate::common::mail::{SmtpSink, token_in, tokens_and_mails};
use crate::common::{TestApp, fresh_database, settings, spawn_with};
use paws_inside::limits::LimitedAction;
use serde_json::Value;
use uuid::Uuid;

/// Asks for a link from `b` and returns the token from the `n`-th email to `email`.
async fn request_link(app: &TestApp, sink: &SmtpSink, b: &Browser, email: &str, n: usize) -> String {
    let res = app
        .call(b, "auth/magic-link", &[("email", email), ("next", "/dogs")])
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    token_in(&sink.wait_for(email, n).await)
}

async fn confirm(app: &TestApp, b: &Browser, token: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("token", token)];
    form.extend_from_slice(extra);
    b.client
        .post(format!("{}/auth/confirm", app.address))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn confirm_page(app: &TestApp, b: &Browser, token: &str) -> (u16, String) {
    let res = b
        .client
        .get(format!("{}/auth/confirm?token={token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_is_promoted_in_place_and_the_old_session_dies() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Bentley").await;
    let guest = user_id(&app, &b).await;
    add_photo_row(&app, guest, dog).await;
    let token = request_link(&app, &sink, &b, "Bella@Example.com", 1).await;
    let old_cookie = b.cookie(&app).unwrap();

    // Scanners: GET and HEAD show the page but never use the link.
    let (status, page) = confirm_page(&app, &b, &token).await;
    assert_eq!(status, 200);
    assert!(page.contains("Sign in as b…@example.com"), "{page}");
    assert!(
        page.contains("Your 1 dog and 1 photo will come with you."),
        "{page}"
    );
    let head = app
        .client
        .head(format!("{}/auth/confirm?token={token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let unused: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_tokens WHERE used_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(unused, 1, "looking at a link must not use it");

    let res = confirm(&app, &b, &token, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dogs");
    let new_cookie = b.cookie(&app).unwrap();
    assert_ne!(old_cookie, new_cookie, "session id must rotate");

    let me = me(&app, &b).await.unwrap();
    assert_eq!(
        me["id"].as_str().unwrap(),
        guest.to_string(),
        "promoted in place: same id"
    );
    assert_eq!(me["kind"], "member");
    let (email, verified, anon): (String, bool, bool) =
        sqlx::query_as("SELECT email, email_verified_at IS NOT NULL, is_anonymous FROM users WHERE id = $1")
            .bind(guest)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (email.as_str(), verified, anon),
        ("bella@example.com", true, false)
    );
    assert_eq!(owner_of(&app, dog).await, guest);
    assert_eq!(app.count("users").await, 1);

    // The pre-claim cookie value authenticates nobody.
    let res = app
        .client
        .post(format!("{}/api/auth/me", app.address))
        .header("accept", "application/json")
        .header("cookie", old_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    // The next page says what happened, once.
    let page = b
        .client
        .get(format!("{}/dogs", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"claim-notice\""), "notice shown");
    let page = b
        .client
        .get(format!("{}/dogs", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("data-testid=\"claim-notice\""),
        "notice shown once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_merges_into_an_existing_account_with_an_audit_row() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    // An account made by signing in with no guest data.
    let first = Browser::new();
    let token = request_link(&app, &sink, &first, "owner@example.com", 1).await;
    assert_eq!(confirm(&app, &first, &token, &[]).await.status(), 303);
    let account = user_id(&app, &first).await;

    let b = Browser::new();
    let dogs = [add_dog(&app, &b, "Rex").await, add_dog(&app, &b, "Fifi").await];
    let guest = user_id(&app, &b).await;
    add_photo_row(&app, guest, dogs[0]).await;
    let res = app
        .call(
            &b,
            "suggestions/create",
            &[
                ("name", "Café Pfote"),
                ("category", "cafe"),
                ("address", "Hauptstr. 1"),
                ("city", "Berlin"),
                ("dogs_inside", "yes"),
                ("size_limit", "any"),
            ],
        )
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let token = request_link(&app, &sink, &b, "owner@example.com", 2).await;
    assert_eq!(confirm(&app, &b, &token, &[]).await.status(), 303);

    assert_eq!(
        user_id(&app, &b).await,
        account,
        "signed in as the existing account"
    );
    for dog in dogs {
        assert_eq!(owner_of(&app, dog).await, account);
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(guest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "the guest is deleted after the merge");
    let (from, to, counts): (Uuid, Uuid, Value) =
        sqlx::query_as("SELECT from_user, to_user, counts FROM claim_audit")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((from, to), (guest, account));
    assert_eq!(
        counts,
        serde_json::json!({"dogs": 2, "photos": 1, "venue_suggestions": 1, "photo_reports": 0, "venue_checks": 0, "saved_places": 0, "policy_proposals": 0})
    );
    let mine = app
        .call(&b, "dogs/mine", &[])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(mine["dogs"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_merge_moves_nothing_but_still_signs_in() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let first = Browser::new();
    let token = request_link(&app, &sink, &first, "owner@example.com", 1).await;
    confirm(&app, &first, &token, &[]).await;
    let account = user_id(&app, &first).await;

    let b = Browser::new();
    let dog = add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    add_photo_row(&app, guest, dog).await;
    // Test-only failure injection: moving photos raises mid-merge (after dogs moved).
    sqlx::raw_sql(
        "CREATE FUNCTION fail_merge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$;
         CREATE TRIGGER fail_merge BEFORE UPDATE OF user_id ON photos FOR EACH ROW EXECUTE FUNCTION fail_merge();",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let token = request_link(&app, &sink, &b, "owner@example.com", 2).await;
    let res = confirm(&app, &b, &token, &[]).await;
    assert_eq!(res.status(), 303, "the person is signed in anyway");
    assert_eq!(user_id(&app, &b).await, account);
    assert_eq!(owner_of(&app, dog).await, guest, "the dog did not half-move");
    let photo_owner: Uuid = sqlx::query_scalar("SELECT user_id FROM photos")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(photo_owner, guest);
    let (g, t, error): (Uuid, Uuid, String) =
        sqlx::query_as("SELECT guest_id, target_id, error FROM claim_failures")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((g, t), (guest, account));
    assert!(error.contains("injected"), "{error}");
    assert_eq!(app.count("claim_audit").await, 0);
    let page = b
        .client
        .get(format!("{}/dogs", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("will join your account shortly"),
        "calm notice shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_confirms_make_exactly_one_session() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let token = request_link(&app, &sink, &Browser::new(), "race@example.com", 1).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (address, token) = (app.address.clone(), token.clone());
            tokio::spawn(async move {
                let b = Browser::new();
                let res = b
                    .client
                    .post(format!("{address}/auth/confirm"))
                    .form(&[("token", token)])
                    .send()
                    .await
                    .unwrap();
                (
                    res.status().as_u16(),
                    res.headers()
                        .get("location")
                        .map(|l| l.to_str().unwrap().to_owned()),
                    res.headers().get("set-cookie").is_some(),
                )
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        let (status, location, cookie) = t.await.unwrap();
        assert_eq!(status, 303);
        if location.as_deref() == Some("/dogs") {
            assert!(cookie);
            winners += 1;
        } else {
            assert!(!cookie, "a losing request must not get a session");
            assert!(location.unwrap().starts_with("/auth/confirm?token="));
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(app.count("sessions").await, 1);
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_links_get_clear_4xx_pages() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let used = request_link(&app, &sink, &b, "dead@example.com", 1).await;
    confirm(&app, &b, &used, &[]).await;
    let (status, page) = confirm_page(&app, &b, &used).await;
    assert_eq!(status, 410);
    assert!(
        page.contains("already used") && page.contains("Send me a new link"),
        "{page}"
    );

    let replaced = request_link(&app, &sink, &b, "other@example.com", 1).await;
    let _newer = request_link(&app, &sink, &b, "other@example.com", 2).await;
    assert_eq!(
        confirm_page(&app, &b, &replaced).await.0,
        410,
        "an older link dies when a new one is sent"
    );

    let expired = request_link(&app, &sink, &b, "late@example.com", 1).await;
    sqlx::query(
        "UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE email = 'late@example.com'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, page) = confirm_page(&app, &b, &expired).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired"));
    let res = confirm(&app, &b, &expired, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/auth/confirm?token=")
    );

    for unknown in ["0".repeat(64), "nope".to_owned(), "<script>".to_owned()] {
        let (status, page) = confirm_page(&app, &b, &unknown).await;
        assert_eq!(status, 404, "{unknown}");
        assert!(page.contains("does not work"));
        assert!(!page.contains("<script>"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_is_only_ever_one_of_our_paths() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let payloads = [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/%2f%2fevil.example",
        "\\\\evil.example",
        "http:evil.example",
    ];
    for (i, next) in payloads.iter().enumerate() {
        let email = format!("r{i}@example.com");
        let b = Browser::new();
        app.call(
            &b,
            "auth/magic-link",
            &[("email", email.as_str()), ("next", next)],
        )
        .await;
        let token = token_in(&sink.wait_for(&email, 1).await);
        let res = confirm(&app, &b, &token, &[]).await;
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_and_unknown_addresses_answer_identically_and_are_rate_limited() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let token = request_link(&app, &sink, &b, "known@example.com", 1).await;
    confirm(&app, &b, &token, &[]).await;

    let ask = |email: &'static str| {
        let app = &app;
        async move {
            let res = app
                .call(&Browser::new(), "auth/magic-link", &[("email", email)])
                .await;
            let status = res.status().as_u16();
            // The page a code is typed on names the mail by a fresh random id,
            // for a known address as for an unknown one.
            let location = res.headers().get("location").map(|v| {
                let v = v.to_str().unwrap();
                let id = v.strip_prefix("/sign-in?sent=").expect("the code form");
                assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
                "/sign-in?sent=<id>".to_owned()
            });
            (status, location, res.text().await.unwrap())
        }
    };
    assert_eq!(ask("known@example.com").await, ask("unknown@example.com").await);

    let bad = app
        .call(&Browser::new(), "auth/magic-link", &[("email", "not-an-email")])
        .await;
    assert_eq!(bad.status(), 400);

    // Three per address (at one client) per 15 minutes: at the limit, the next
    // is refused and stores and sends nothing.
    let action = LimitedAction::LinkPerEmail;
    use_up(&app, action, &address_from("known@example.com", LOOPBACK)).await;
    let res = app
        .call(
            &Browser::new(),
            "auth/magic-link",
            &[("email", "known@example.com")],
        )
        .await;
    assert_refused(&res, action);
    assert!(res.text().await.unwrap().contains("try again in"));
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_tokens WHERE email = 'known@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sent, 2, "the refused request stored and sent nothing");
}

/// Confirms `token` in `b` (holding guest `guest`, not the asker): "just
/// sign me in" changes nothing and comes back to the still-working link page,
/// which says why; with "also bring" ticked, the sign-in goes through (its
/// answer returned).
async fn left_behind_until_ticked(app: &TestApp, b: &Browser, token: &str, guest: Uuid) -> reqwest::Response {
    let res = confirm(app, b, token, &[("bring_requester", "false")]).await;
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/auth/confirm?token={token}&error=left_behind"));
    assert_eq!(user_id(app, b).await, guest, "still the guest");
    let res = b
        .client
        .get(format!("{}{back}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the link still works");
    let page = res.text().await.unwrap();
    assert!(
        page.contains("This browser holds dogs or photos added as a guest"),
        "{page}"
    );
    let res = confirm(
        app,
        b,
        token,
        &[("bring_requester", "false"), ("bring_this_browser", "true")],
    )
    .await;
    assert_eq!(res.status(), 303);
    res
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_browser_chooses_what_comes_along() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    // The phone asks for the link; the laptop (with its own guest dog) opens it.
    let phone = Browser::new();
    let phone_dog = add_dog(&app, &phone, "Phone Dog").await;
    let phone_guest = user_id(&app, &phone).await;
    let laptop = Browser::new();
    let laptop_dog = add_dog(&app, &laptop, "Laptop Dog").await;
    let laptop_guest = user_id(&app, &laptop).await;

    // "Just sign me in" would strand the laptop's own dog (its guest loses its
    // only session): nothing happens and the page asks to bring it.
    let token = request_link(&app, &sink, &phone, "two@example.com", 1).await;
    let (_, page) = confirm_page(&app, &laptop, &token).await;
    assert!(
        page.contains("asked for in another browser") && page.contains("1 dog"),
        "{page}"
    );
    assert!(page.contains("Also bring the 1 dog added in this browser"));
    let res = left_behind_until_ticked(&app, &laptop, &token, laptop_guest).await;
    // Ticked: the laptop's dog comes along; the phone's (not chosen) stays.
    assert_eq!(res.headers()["location"], "/dogs");
    let account = user_id(&app, &laptop).await;
    assert_eq!(account, laptop_guest, "the laptop's guest was promoted in place");
    assert_eq!(owner_of(&app, phone_dog).await, phone_guest);
    assert_eq!(owner_of(&app, laptop_dog).await, account);

    // "Bring them": the phone guest's dog merges in, and its session ends.
    let token = request_link(&app, &sink, &phone, "two@example.com", 2).await;
    let other = Browser::new();
    let res = confirm(&app, &other, &token, &[("bring_requester", "true")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(owner_of(&app, phone_dog).await, account);
    assert!(
        me(&app, &phone).await.is_none(),
        "the merged guest's session is gone"
    );
}

/// Before the owned-data list was the one source of the counts, a guest
/// holding only a photo report or a proposed policy counted as holding
/// nothing: "just sign me in" then stranded it. Now the page names it and
/// the sign-in refuses to leave it behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_holding_only_a_proposal_is_not_left_behind() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let phone = Browser::new();
    add_dog(&app, &phone, "Phone Dog").await;
    let laptop = Browser::new();
    let proposed = app
        .call(
            &laptop,
            "venues/policy/propose",
            &[
                ("slug", "pawsome-bakery-berlin"),
                ("dogs_where", "outside_only"),
                ("size_limit", "any"),
                ("leash", "unknown"),
                ("conditional", ""),
            ],
        )
        .await;
    assert_eq!(proposed.status(), 200, "{}", proposed.text().await.unwrap());
    let laptop_guest = user_id(&app, &laptop).await;

    let token = request_link(&app, &sink, &phone, "only@example.com", 1).await;
    let (_, page) = confirm_page(&app, &laptop, &token).await;
    assert!(page.contains("Also bring the 1 suggested change"), "{page}");
    left_behind_until_ticked(&app, &laptop, &token, laptop_guest).await;
    let owner: Uuid = sqlx::query_scalar("SELECT user_id FROM policy_proposals")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(owner, user_id(&app, &laptop).await, "the proposal came along");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let token = request_link(&app, &sink, &b, "csrf@example.com", 1).await;
    for (path, form) in [
        ("/auth/confirm", vec![("token", token.as_str())]),
        ("/auth/sign-out", vec![]),
        ("/api/auth/magic-link", vec![("email", "x@example.com")]),
        ("/api/dogs/create", vec![("name", "Evil"), ("size", "small")]),
        ("/api/auth/anonymous", vec![]),
    ] {
        let res = b
            .client
            .post(format!("{}{path}", app.address))
            .header("origin", "https://evil.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
    let unused: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_tokens WHERE used_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(unused, 1);
    assert_eq!(app.count("users").await, 0);
    // The same POST from our own origin works.
    let res = b
        .client
        .post(format!("{}/auth/confirm", app.address))
        .header("origin", &app.address)
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dogs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_development_writes_an_outbox() {
    let url = fresh_database().await;
    let app = spawn_with(settings(&url, &[])).await;
    let res = app
        .call(
            &Browser::new(),
            "auth/magic-link",
            &[("email", "dev@example.com")],
        )
        .await;
    assert!(res.status().as_u16() < 400);
    let outbox = app.data_dir.join("outbox");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let files = crate::common::files_under(&outbox);
        if let Some(file) = files.first() {
            let raw = std::fs::read_to_string(file).unwrap();
            assert!(raw.contains("To: dev@example.com"));
            assert_eq!(token_in(&raw).len(), 64);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no outbox file");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let token = request_link(&app, &sink, &b, "out@example.com", 1).await;
    confirm(&app, &b, &token, &[]).await;
    let cookie = b.cookie(&app).unwrap();
    let res = b
        .client
        .post(format!("{}/auth/sign-out", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(me(&app, &b).await.is_none());
    let res = app
        .client
        .post(format!("{}/api/auth/me", app.address))
        .header("accept", "application/json")
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        Value::Null,
        "the old cookie is dead server-side"
    );
    assert_eq!(app.count("sessions").await, 0);
}

/// One client asking for links to many addresses (a spammer using us as a
/// mailer) is stopped by its own counter; other clients are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_links_are_limited_per_client() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    let (spammer, other) = ("203.0.113.6", "198.51.100.2");
    let action = LimitedAction::LinkPerClient;
    fill(&app, action, &client(spammer), max(action) - 1).await;
    let b = Browser::from_ip(spammer);
    let res = app
        .call(&b, "auth/magic-link", &[("email", "a@example.com")])
        .await;
    assert_eq!(res.status(), 200, "the last allowed");
    assert_eq!(counted(&app, action, &client(spammer)).await, max(action));
    use_up(&app, action, &client(spammer)).await;
    let res = app
        .call(&b, "auth/magic-link", &[("email", "b@example.com")])
        .await;
    assert_refused(&res, action);
    assert_eq!(tokens_and_mails(&app.pool, "b@example.com").await, (0, 0));
    assert_far(
        &app,
        LimitedAction::LinkPerEmail,
        &address_from("b@example.com", spammer),
    )
    .await;
    let res = app
        .call(
            &Browser::from_ip(other),
            "auth/magic-link",
            &[("email", "b@example.com")],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(tokens_and_mails(&app.pool, "b@example.com").await, (1, 1));
}

/// An attacker asks for links to someone's address from one network until
/// it is refused, hoping to lock them out: the owner, elsewhere, still gets
/// a link, and it works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_an_addresss_links_from_one_client_does_not_stop_its_owner_elsewhere() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    let (attacker_net, owner_net) = ("203.0.113.6", "198.51.100.1");
    let email = "owner@example.com";
    let action = LimitedAction::LinkPerEmail;
    use_up(&app, action, &address_from(email, attacker_net)).await;
    let attacker = Browser::from_ip(attacker_net);
    let res = app.call(&attacker, "auth/magic-link", &[("email", email)]).await;
    assert_refused(&res, action);
    assert_eq!(tokens_and_mails(&app.pool, email).await, (0, 0));
    assert_far(&app, LimitedAction::LinkPerClient, &client(attacker_net)).await;
    let owner = Browser::from_ip(owner_net);
    let token = request_link(&app, &sink, &owner, email, 1).await;
    assert_eq!(confirm(&app, &owner, &token, &[]).await.status(), 303);
    assert_eq!(me(&app, &owner).await.unwrap()["email"], email);
}

/// However many clients ask (a botnet), one inbox gets a bounded number of
/// mails an hour, whatever kind: links, password resets, sign-ups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_inbox_gets_a_bounded_number_of_mails_from_all_clients_together() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    let email = "popular@example.com";
    let action = LimitedAction::MailPerAddress;
    fill(&app, action, email, max(action) - 1).await;
    let first = Browser::from_ip("198.51.100.1");
    let res = app.call(&first, "auth/magic-link", &[("email", email)]).await;
    assert_eq!(res.status(), 200, "the last allowed");
    assert_eq!(counted(&app, action, email).await, max(action));
    use_up(&app, action, email).await;
    let asks = [
        ("198.51.100.2", "auth/magic-link", vec![("email", email)]),
        ("198.51.100.3", "auth/forgot", vec![("email", email)]),
        (
            "198.51.100.4",
            "auth/sign-up",
            vec![("email", email), ("password", "a long fine secret")],
        ),
    ];
    for (ip, endpoint, form) in asks {
        let res = app.call(&Browser::from_ip(ip), endpoint, &form).await;
        assert_refused(&res, action);
        // Each client's own counters are far away: the inbox's bound refused it.
        assert_far(&app, LimitedAction::LinkPerClient, &client(ip)).await;
        assert_far(&app, LimitedAction::AccountMailPerClient, &client(ip)).await;
    }
    assert_eq!(tokens_and_mails(&app.pool, email).await, (1, 1), "only the first");
    let res = app
        .call(&first, "auth/magic-link", &[("email", "someone@example.com")])
        .await;
    assert_eq!(res.status(), 200, "another inbox is another counter");
}

/// Two guests (say a phone and a laptop, each with a dog) sign in to one
/// account at the same moment: both dogs land in it, both merges are
/// audited, nobody sees an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_guests_merged_into_one_account_at_once_both_land() {
    let app = crate::common::spawn_app().await;
    let account = crate::common::flows::member(&app, "owner@example.com").await;
    let (phone, laptop) = (Browser::new(), Browser::new());
    let dogs = [
        add_dog(&app, &phone, "Ada").await,
        add_dog(&app, &laptop, "Bo").await,
    ];
    let held = app
        .hold(
            "SELECT 1 FROM users WHERE id = $1::uuid FOR UPDATE",
            &[&account.to_string()],
        )
        .await;
    let sign_in = async |b: &Browser| crate::common::flows::sign_in(&app, b, "owner@example.com").await;
    let release = async {
        // One waits for the account's row, the other for its address.
        held.until_waiting(2, "FROM users\\s+WHERE id|pg_advisory_xact_lock")
            .await;
        held.release().await;
    };
    let (a, b, ()) = tokio::join!(sign_in(&phone), sign_in(&laptop), release);
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    for dog in dogs {
        assert_eq!(owner_of(&app, dog).await, account);
    }
    assert_eq!(app.count("claim_audit").await, 2);
    assert_eq!(app.count("claim_failures").await, 0);
    assert_eq!(app.count("users").await, 1, "both guests are gone");
    assert_eq!(
        (user_id(&app, &phone).await, user_id(&app, &laptop).await),
        (account, account)
    );
}

/// A session past its expiry that the reaper has not deleted yet (a cookie
/// copied long ago, replayed): the store refuses it as it loads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_not_yet_deleted_signs_in_nobody() {
    let app = crate::common::spawn_app().await;
    let b = crate::common::flows::signed_in_member(&app, "owner@example.com").await;
    let owner = user_id(&app, &b).await;
    let cookie = b.session_cookie(&app);
    sqlx::query("UPDATE sessions SET expiry_date = now() - interval '1 second' WHERE id = $1")
        .bind(cookie.strip_prefix("paws_session=").unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.who_with(&cookie).await, Value::Null);
    assert!(app.session_row_exists(&cookie).await, "the row is still there");
    let (_, page) = b.open(&app, "/account").await;
    assert!(
        !page.contains("owner@example.com"),
        "the account page is not shown"
    );
    // A contribution with it goes to a new guest, not to the account.
    let dog = add_dog(&app, &b, "Rex").await;
    assert_ne!(owner_of(&app, dog).await, owner);
}
