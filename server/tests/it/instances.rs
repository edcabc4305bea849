//! Two instances of the app on one database and one bucket (a real
//! S3-compatible server), as behind a load balancer: what one does, the other
//! sees at once.

use crate::common::counters::{LOOPBACK, address_from, assert_refused, counted, fill, max, use_up};
use crate::common::flows::{add_dog, me};
use crate::common::mail::{SmtpSink, token_in};
use crate::common::s3::S3Server;
use crate::common::{Browser, TestApp, fresh_database, settings, spawn_with};
use crate::photos::{png, upload};
use paws_inside::limits::LimitedAction;
use serde_json::Value;
use std::time::{Duration, Instant};

const VENUE: &str = "/venues/pawsome-bakery-berlin";

/// Two instances on one database, one bucket and one mail server; each has
/// its own data folder, so nothing else is shared.
async fn two(sink: &SmtpSink, s3: &S3Server, extra: &[(&str, &str)]) -> (TestApp, TestApp) {
    let database = fresh_database().await;
    let env: Vec<_> = sink.env().into_iter().chain(s3.env()).collect();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend_from_slice(extra);
    let a = spawn_with(settings(&database, &env)).await;
    let b_dir = format!("{}-b", a.data_dir.display());
    env.push(("DATA_DIR", &b_dir));
    let b = spawn_with(settings(&database, &env)).await;
    assert_ne!(a.data_dir, b.data_dir);
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_starts_on_one_instance_and_claims_on_the_other() {
    let (sink, s3) = (SmtpSink::start(), S3Server::start());
    let (a, b) = two(&sink, &s3, &[]).await;
    let browser = Browser::new();
    let dog = add_dog(&a, &browser, "Rex").await;
    let res = upload(&a, &browser, png(40, 30), "rex.png", &[("dog", &dog.to_string())]).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let key = body["photo"]["storage_key"].as_str().unwrap().to_owned();

    // B knows the session A made and serves the photo A stored.
    let guest = me(&b, &browser).await.expect("B knows the guest");
    assert_eq!(guest, me(&a, &browser).await.unwrap());
    let photo = browser
        .get(format!("{}/photos/{key}/thumb.jpg", b.address))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 200);

    // The guest claims on B; A sees the member with the dog.
    let res = b
        .call(&browser, "auth/magic-link", &[("email", "two@example.com")])
        .await;
    assert_eq!(res.status(), 200);
    let token = token_in(&sink.wait_for("two@example.com", 1).await);
    let res = browser
        .post(format!("{}/auth/confirm", b.address))
        .form(&[("token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let member = me(&a, &browser).await.expect("A knows the member");
    assert_eq!(member["email"], "two@example.com");
    let dogs = a.call(&browser, "dogs/mine", &[]).await;
    assert!(dogs.text().await.unwrap().contains("Rex"), "the dog came along");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_instance_empties_the_other_ones_page_cache() {
    let (sink, s3) = (SmtpSink::start(), S3Server::start());
    // A minute's cache: without the announcement B would serve the old page that long.
    let (a, b) = two(&sink, &s3, &[("PAGE_CACHE_SECONDS", "60")]).await;
    assert!(b.page(VENUE).await.1.contains("Pawsome Bakery"));
    // Changed behind both servers' backs: B keeps serving its cached copy.
    sqlx::query("UPDATE venues SET name = 'Renamed Bakery' WHERE slug = 'pawsome-bakery-berlin'")
        .execute(&a.pool)
        .await
        .unwrap();
    assert!(
        !b.page(VENUE).await.1.contains("Renamed Bakery"),
        "B serves the page from its cache"
    );

    let browser = Browser::new();
    let res = upload(
        &a,
        &browser,
        png(40, 30),
        "v.png",
        &[("venue", "pawsome-bakery-berlin")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        if b.page(VENUE).await.1.contains("Renamed Bakery") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B still serves the page from before A's write"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_count_requests_to_every_instance() {
    let (sink, s3) = (SmtpSink::start(), S3Server::start());
    let (a, b) = two(&sink, &s3, &[]).await;
    // Links per address (at one client): a request to A counts where B reads …
    let action = LimitedAction::LinkPerEmail;
    let subject = address_from("limit@example.com", LOOPBACK);
    let browser = Browser::new();
    fill(&a, action, &subject, max(action) - 1).await;
    let res = a
        .call(&browser, "auth/magic-link", &[("email", "limit@example.com")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(counted(&b, action, &subject).await, max(action));
    // … and at the limit, B refuses what A counted.
    use_up(&a, action, &subject).await;
    let res = b
        .call(&browser, "auth/magic-link", &[("email", "limit@example.com")])
        .await;
    assert_refused(&res, action);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_reaps_at_a_time() {
    let (sink, s3) = (SmtpSink::start(), S3Server::start());
    let (a, _b) = two(&sink, &s3, &[]).await;
    let store = &a.photos.store;
    // Another instance's pass holds the lock.
    let mut other = a.pool.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(server::jobs::REAPER_LOCK)
        .execute(&mut *other)
        .await
        .unwrap();
    let skipped = server::jobs::reap_if_first(&a.pool, store, 30).await.unwrap();
    assert!(skipped.is_none(), "a second pass ran beside the first");
    other.rollback().await.unwrap();
    let ran = server::jobs::reap_if_first(&a.pool, store, 30).await.unwrap();
    assert!(ran.is_some(), "the pass runs once the other is done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_turns_503_on_shutdown_while_requests_are_still_served() {
    let database = fresh_database().await;
    let mut app = spawn_with(settings(&database, &[("SHUTDOWN_GRACE_SECONDS", "2")])).await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    app.shut_down();
    // The signal is taken on the app's own task: wait for it, within the grace.
    let deadline = Instant::now() + Duration::from_millis(1500);
    while app.get("/readyz").await.status() != 503 {
        assert!(Instant::now() < deadline, "still ready once told to stop");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "still serving during the grace"
    );
    let (status, _) = app.page(VENUE).await;
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    while reqwest::get(format!("{}/healthz", app.address)).await.is_ok() {
        assert!(Instant::now() < deadline, "the app did not stop after its grace");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
