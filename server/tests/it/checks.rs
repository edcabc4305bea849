//! "Dogs still welcome inside?": an answer makes a guest like any
//! contribution, one per person, venue and day; "no" waits for an admin; the
//! answers come along on claim (twins stay behind) and count as something a
//! guest made.

use crate::common::counters::{assert_refused, counted, use_up};
use crate::common::flows::{me, post_form, spawn, user_id};
use crate::common::mail::{SmtpSink, token_in};
use crate::common::{Browser, TestApp, spawn_app};
use serde_json::Value;
use server::ops::{Task, run};
use uuid::Uuid;

const VENUE: &str = "pawsome-bakery-berlin";

async fn answer(app: &TestApp, b: &Browser, slug: &str, answer: &str) -> reqwest::Response {
    app.call(b, "venues/check", &[("slug", slug), ("answer", answer)])
        .await
}

async fn checks_of(app: &TestApp, user: Uuid) -> Vec<(String, bool)> {
    sqlx::query_as(
        "SELECT v.slug, c.welcome FROM venue_checks c JOIN venues v ON v.id = c.venue_id
         WHERE c.user_id = $1 ORDER BY v.slug",
    )
    .bind(user)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn today(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT to_char((now() AT TIME ZONE 'UTC')::date, 'FMDD Mon YYYY')")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_answer_per_person_venue_and_day_and_the_page_shows_the_yeses() {
    let app = spawn_app().await;
    let b = Browser::new();
    let users = app.count("users").await;
    // Mistakes make no guest.
    assert_eq!(answer(&app, &b, VENUE, "maybe").await.status(), 400);
    assert_eq!(answer(&app, &b, "no-such-place", "yes").await.status(), 404);
    assert_eq!(answer(&app, &b, "../../etc", "yes").await.status(), 404);
    assert_eq!(app.count("users").await, users, "no guest for a mistake");
    assert!(me(&app, &b).await.is_none());

    let (_, page) = app.page(&format!("/venues/{VENUE}")).await;
    assert!(page.contains("No dog owner has confirmed this yet."), "{page}");

    let res = answer(&app, &b, VENUE, "yes").await;
    assert_eq!(res.status(), 200);
    let now: Value = res.json().await.unwrap();
    let day = today(&app).await;
    assert_eq!(
        (
            &now["confirmations"],
            &now["last_confirmed_on"],
            &now["mine_today"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(day),
            &serde_json::json!(true)
        )
    );
    assert_eq!(
        now["recent"],
        serde_json::json!([{"welcome": true, "day": day, "reviewed": false}])
    );
    let guest = user_id(&app, &b).await;
    assert_eq!(
        me(&app, &b).await.unwrap()["kind"],
        "guest",
        "the answer made a guest"
    );

    // A second tap the same day changes the answer: still one row.
    answer(&app, &b, VENUE, "yes").await;
    let res = answer(&app, &b, VENUE, "no").await;
    let now: Value = res.json().await.unwrap();
    assert_eq!(now["confirmations"], 0);
    assert_eq!(now["mine_today"], false);
    assert_eq!(checks_of(&app, guest).await, vec![(VENUE.to_owned(), false)]);
    assert_eq!(answer(&app, &b, VENUE, "yes").await.status(), 200);

    // Yesterday's answer is another row; others count too.
    sqlx::query(
        "INSERT INTO venue_checks (venue_id, user_id, welcome, checked_on)
         SELECT id, $1, true, (now() AT TIME ZONE 'UTC')::date - 1 FROM venues WHERE slug = $2",
    )
    .bind(guest)
    .bind(VENUE)
    .execute(&app.pool)
    .await
    .unwrap();
    answer(&app, &Browser::new(), VENUE, "yes").await;
    // The page a visitor without a cookie gets (cached pages are dropped on writes).
    let (status, page) = app.page(&format!("/venues/{VENUE}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "Last confirmed by a dog owner on {day} · 3 confirmations"
        )),
        "{page}"
    );
    assert!(!page.contains("You said"), "nobody's own answer in a shared page");
    let (_, mine) = b.open(&app, &format!("/venues/{VENUE}")).await;
    assert!(mine.contains("You said yes today."), "{mine}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_limited_per_day() {
    let app = spawn_app().await;
    let b = Browser::new();
    let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM venues ORDER BY slug LIMIT 2")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(answer(&app, &b, &slugs[0], "yes").await.status(), 200);
    let action = paws_inside::limits::LimitedAction::DogCheck;
    let user = user_id(&app, &b).await.to_string();
    assert_eq!(counted(&app, action, &user).await, 1);
    use_up(&app, action, &user).await;
    let res = answer(&app, &b, &slugs[1], "yes").await;
    assert_refused(&res, action);
    assert!(res.text().await.unwrap().contains("a lot of places for one day"));
    assert_eq!(
        app.count("venue_checks").await,
        1,
        "nothing stored over the limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_come_along_on_claim_and_a_twin_stays_behind() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    // The account answered for the bakery today already.
    let laptop = Browser::new();
    laptop_sign_in(&app, &sink, &laptop, 1).await;
    let account = user_id(&app, &laptop).await;
    answer(&app, &laptop, VENUE, "yes").await;

    // On the phone, as a guest: the bakery (no) and another place (yes).
    let phone = Browser::new();
    let other: String = sqlx::query_scalar("SELECT slug FROM venues WHERE slug <> $1 ORDER BY slug LIMIT 1")
        .bind(VENUE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    answer(&app, &phone, VENUE, "no").await;
    answer(&app, &phone, &other, "yes").await;
    let guest = user_id(&app, &phone).await;

    let token = link_for(&app, &sink, &phone, "owner@example.com", 2).await;
    let res = post_form(&app, &phone, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(user_id(&app, &phone).await, account);
    let mut expected = vec![(VENUE.to_owned(), false), (other.clone(), true)];
    expected.sort();
    assert_eq!(
        checks_of(&app, account).await,
        expected,
        "one answer a day: the guest's later \"no\" is the person's answer; the other place's came along"
    );
    assert_eq!(doubts_open(&app).await, 1, "the \"no\" waits for an admin");
    assert_eq!(app.count("venue_checks").await, 2, "the twin went with the guest");
    let counts: Value = sqlx::query_scalar("SELECT counts FROM claim_audit WHERE from_user = $1")
        .bind(guest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(counts["venue_checks"], 1);
}

/// Found by reading: the confirm page's "this browser made nothing" test did
/// not count answers, so a guest holding only answers lost them when it
/// opened someone else's link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_with_only_answers_is_asked_before_its_session_ends() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let phone = Browser::new();
    let token = link_for(&app, &sink, &phone, "two@example.com", 1).await;
    let laptop = Browser::new();
    answer(&app, &laptop, VENUE, "yes").await;
    let laptop_guest = user_id(&app, &laptop).await;
    let res = post_form(&app, &laptop, "/auth/confirm", &[("token", &token)]).await;
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.ends_with("error=left_behind"), "{back}");
    assert_eq!(
        user_id(&app, &laptop).await,
        laptop_guest,
        "still the guest, answer kept"
    );
    assert_eq!(checks_of(&app, laptop_guest).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_no_waits_for_an_admin_who_closes_the_venues_noes_at_once() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let admin = Browser::new();
    laptop_sign_in(&app, &sink, &admin, 1).await;
    run(&app.pool, Task::Grant("owner@example.com".into()))
        .await
        .unwrap();
    let other: String = sqlx::query_scalar("SELECT slug FROM venues WHERE slug <> $1 ORDER BY slug LIMIT 1")
        .bind(VENUE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (a, b, c) = (Browser::new(), Browser::new(), Browser::new());
    answer(&app, &a, VENUE, "no").await;
    answer(&app, &b, VENUE, "no").await;
    answer(&app, &c, &other, "no").await;
    answer(&app, &Browser::new(), VENUE, "yes").await;
    assert_eq!(doubts(&app, &admin).await.len(), 3);
    // Changing one's mind takes the "no" out of the queue.
    answer(&app, &b, VENUE, "yes").await;
    let open = doubts(&app, &admin).await;
    assert_eq!(open.len(), 2);
    let first = &open[0];
    assert_eq!(first["slug"], VENUE);
    assert_eq!(first["yes_since"], 2);

    // Not for anyone else, and garbage is a 400.
    let res = app
        .call(
            &a,
            "admin/check",
            &[("id", first["id"].as_str().unwrap()), ("verdict", "dismiss")],
        )
        .await;
    assert_eq!(res.status(), 403);
    for (id, verdict) in [("nope", "dismiss"), (first["id"].as_str().unwrap(), "delete")] {
        let res = app
            .call(&admin, "admin/check", &[("id", id), ("verdict", verdict)])
            .await;
        assert_eq!(res.status(), 400, "{id} {verdict}");
    }
    let res = app
        .call(
            &admin,
            "admin/check",
            &[("id", first["id"].as_str().unwrap()), ("verdict", "dismiss")],
        )
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let open = doubts(&app, &admin).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["slug"], other.as_str());
    // The same answer again does not reopen a closed "no"; a closed one is a 404.
    answer(&app, &a, VENUE, "no").await;
    assert_eq!(doubts(&app, &admin).await.len(), 1);
    let res = app
        .call(
            &admin,
            "admin/check",
            &[("id", first["id"].as_str().unwrap()), ("verdict", "updated")],
        )
        .await;
    assert_eq!(res.status(), 404);
    // A "no" given after the one the admin looked at waits for its own look.
    answer(&app, &Browser::new(), &other, "no").await;
    let res = app
        .call(
            &admin,
            "admin/check",
            &[("id", open[0]["id"].as_str().unwrap()), ("verdict", "updated")],
        )
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(doubts(&app, &admin).await.len(), 1, "the newer no is still open");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM admin_audit WHERE action = 'venue_check_dismissed' AND subject = $1",
    )
    .bind(VENUE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

async fn doubts_open(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM venue_checks WHERE NOT welcome AND reviewed_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn doubts(app: &TestApp, admin: &Browser) -> Vec<Value> {
    let res = app.call(admin, "admin/overview", &[]).await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["doubts"]["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Asks for a sign-in link on `b` and returns its token (the `n`th mail to `email`).
async fn link_for(app: &TestApp, sink: &SmtpSink, b: &Browser, email: &str, n: usize) -> String {
    app.call(b, "auth/magic-link", &[("email", email)]).await;
    token_in(&sink.wait_for(email, n).await)
}

async fn laptop_sign_in(app: &TestApp, sink: &SmtpSink, b: &Browser, n: usize) {
    let token = link_for(app, sink, b, "owner@example.com", n).await;
    let res = post_form(app, b, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
}
