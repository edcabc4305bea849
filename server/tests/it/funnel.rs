//! The operator's funnel: a scripted journey (a guest made, back after more
//! than a week, claimed by code; another merged into an account; a third
//! reaped) gives exactly those numbers in the admin's funnel and counts in
//! `/metrics`; nobody but an admin sees it.

use crate::admin::admin;
use crate::common::flows::{add_dog, member, post_form, sign_in, spawn_env, user_id};
use crate::common::mail::{SmtpSink, code_in};
use crate::common::{Browser, TestApp};
use serde_json::{Value, json};

/// Signs `b` in with the code mailed to `email` (its `n`-th mail).
async fn claim_by_code(app: &TestApp, sink: &SmtpSink, b: &Browser, email: &str, n: usize) {
    let res = b
        .post(format!("{}/api/auth/magic-link", app.address))
        .header("accept", "text/html")
        .form(&[("email", email), ("next", "/dogs")])
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let request = location.strip_prefix("/sign-in?sent=").unwrap().to_owned();
    let code = code_in(&sink.wait_for(email, n).await);
    let res = post_form(app, b, "/auth/code", &[("request", &request), ("code", &code)]).await;
    assert_eq!(res.headers()["location"], "/dogs");
}

/// Moves `guest`'s making `days` back, its "guest made" count along with it
/// (as if it had been made then): out of the week it was made in, even when
/// the test runs across a Monday midnight.
async fn backdate(app: &TestApp, guest: uuid::Uuid, days: i32) {
    sqlx::query(
        "WITH g AS (
           UPDATE guest_funnel SET made_at = made_at - make_interval(days => $2),
                                   next_due = next_due - make_interval(days => $2)
           WHERE guest_id = $1 RETURNING made_at),
         one AS (
           SELECT week, shard FROM funnel_weeks, g
           WHERE week = date_trunc('week', (made_at + make_interval(days => $2)) AT TIME ZONE 'UTC')::date
             AND what = 'made' AND n > 0 LIMIT 1),
         less AS (UPDATE funnel_weeks f SET n = f.n - 1 FROM one WHERE (f.week, f.what, f.shard) = (one.week, 'made', one.shard))
         INSERT INTO funnel_weeks (week, what, shard, n)
         SELECT date_trunc('week', made_at AT TIME ZONE 'UTC')::date, 'made', 0, 1 FROM g
         ON CONFLICT (week, what, shard) DO UPDATE SET n = funnel_weeks.n + 1",
    )
    .bind(guest)
    .bind(days)
    .execute(&app.pool)
    .await
    .unwrap();
}

/// The metrics text.
async fn scrape(app: &TestApp) -> String {
    let at = app.metrics_address.clone().expect("metrics listener");
    reqwest::get(format!("{at}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A counter's value in `text` (0 when absent).
fn value(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

const SERIES: [&str; 4] = [
    "paws_guests_created_total",
    "paws_funnel_claims_total{way=\"code\",outcome=\"promoted\"}",
    "paws_funnel_claims_total{way=\"password\",outcome=\"merged\"}",
    "paws_reaped_total{what=\"guests\"}",
];

/// One week as the funnel's JSON says it, with the label left out.
fn numbers(week: &Value) -> Value {
    let mut week = week.clone();
    week.as_object_mut().unwrap().remove("label");
    week
}

fn week(made: u64, back: [u64; 3], claims: [u64; 5], promoted: u64, merged: u64, reaped: u64) -> Value {
    json!({ "made": made, "back": back, "claims": claims, "promoted": promoted,
            "merged": merged, "merge_failed": 0, "reaped": reaped })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_journey_gives_exactly_its_numbers() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[("METRICS_BIND", "127.0.0.1:0")]).await;
    let boss = admin(&app, &sink).await;
    let before = scrape(&app).await;

    // Ada's guest, made a week ago (to the minute, so always last week
    // whatever today's weekday), adds a dog again today, and once more
    // (no further count), then claims by the mailed code.
    let ada = Browser::new();
    add_dog(&app, &ada, "Ada").await;
    // The admin's look writes the guests made so far (the server's funnel
    // job does every few seconds), so backdating moves Ada's count too.
    assert_eq!(app.call(&boss, "admin/funnel", &[]).await.status(), 200);
    backdate(&app, user_id(&app, &ada).await, 7).await;
    add_dog(&app, &ada, "Ada's friend").await;
    add_dog(&app, &ada, "Ada's other friend").await;
    claim_by_code(&app, &sink, &ada, "ada@example.com", 1).await;
    // Bo's guest is merged into an existing account by its password.
    member(&app, "bo@example.com").await;
    let bo = Browser::new();
    add_dog(&app, &bo, "Bo").await;
    assert_eq!(sign_in(&app, &bo, "bo@example.com").await.status(), 200);
    // Cy's guest made nothing and is reaped.
    let cy = Browser::new();
    assert_eq!(app.call(&cy, "auth/anonymous", &[]).await.status(), 200);
    sqlx::query("UPDATE users SET last_seen_at = now() - interval '40 days' WHERE is_anonymous")
        .execute(&app.pool)
        .await
        .unwrap();
    let reaped = server::jobs::reap_once(&app.pool, &app.photos.store, 30, false)
        .await
        .unwrap();
    assert_eq!(reaped.tables.guests, 1);

    let res = app.call(&boss, "admin/funnel", &[]).await;
    assert_eq!(res.status(), 200);
    let weeks = res.json::<Value>().await.unwrap()["weeks"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(weeks.len(), 12);
    // This week: Bo and Cy made, Ada claimed by code (promoted), Bo merged
    // after a password, Cy reaped.
    assert_eq!(numbers(&weeks[11]), week(2, [0, 0, 0], [0, 1, 1, 0, 0], 1, 1, 1));
    // Last week: Ada made, back after a day and after a week.
    assert_eq!(numbers(&weeks[10]), week(1, [1, 1, 0], [0; 5], 0, 0, 0));
    for w in &weeks[..10] {
        assert_eq!(numbers(w), week(0, [0; 3], [0; 5], 0, 0, 0));
    }
    assert!(weeks[11]["label"].as_str().unwrap().starts_with("week of "));

    // The metrics are the process's (tests beside this one count too): at
    // least this journey's counts.
    let after = scrape(&app).await;
    for (series, n) in SERIES.iter().zip([3, 1, 1, 1]) {
        assert!(value(&after, series) >= value(&before, series) + n, "{series}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admin_sees_the_funnel() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[]).await;
    let guest = Browser::new();
    add_dog(&app, &guest, "Rex").await;
    member(&app, "member@example.com").await;
    let someone = Browser::new();
    assert_eq!(sign_in(&app, &someone, "member@example.com").await.status(), 200);
    for (who, b) in [("visitor", Browser::new()), ("guest", guest), ("member", someone)] {
        assert_eq!(app.call(&b, "admin/funnel", &[]).await.status(), 403, "{who}");
        let page = b
            .get(format!("{}/admin/funnel", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404, "{who} → /admin/funnel");
    }
    let boss = admin(&app, &sink).await;
    let (status, html) = boss.open(&app, "/admin/funnel").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"funnel-chart\"") && html.contains("<title id=\"funnel-title\">"));
}
