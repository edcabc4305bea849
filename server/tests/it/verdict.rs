//! Freshness and trust: each venue's stored verdict on hand-made answer
//! histories (dates set explicitly): decay, a dispute, guest weight, one /64
//! once a day, answers older than a year ignored; the stored verdict equals a
//! fresh computation; a "no" shows at once; review and claim recompute it.

use crate::admin::admin;
use crate::common::counters::PROXIED;
use crate::common::flows::{member, sign_in, spawn_env};
use crate::common::mail::SmtpSink;
use crate::common::{Browser, TestApp, settings, spawn_app, spawn_with};
use paws_inside::venues::verdict::decide;
use paws_inside::venues::verdicts;
use serde_json::Value;
use uuid::Uuid;

/// The venues of the seed, by slug order (each test writes its own histories).
async fn venues(app: &TestApp, n: i64) -> Vec<(Uuid, String)> {
    sqlx::query_as("SELECT id, slug FROM venues ORDER BY slug LIMIT $1")
        .bind(n)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// A user: `Some(days)` a guest made that many days ago, `None` a member.
async fn person(app: &TestApp, guest_days: Option<i32>) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO users (is_anonymous, email, created_at)
         VALUES ($1, CASE WHEN $1 THEN NULL ELSE gen_random_uuid()::text || '@example.com' END,
                 now() - make_interval(days => $2)) RETURNING id",
    )
    .bind(guest_days.is_some())
    .bind(guest_days.unwrap_or(30))
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// An answer `days_ago` (UTC days) from `network`.
async fn said(app: &TestApp, venue: Uuid, user: Uuid, welcome: bool, days_ago: i32, network: Option<&str>) {
    sqlx::query(
        "INSERT INTO venue_checks (venue_id, user_id, welcome, checked_on, network)
         VALUES ($1, $2, $3, (now() AT TIME ZONE 'UTC')::date - $4, $5)",
    )
    .bind(venue)
    .bind(user)
    .bind(welcome)
    .bind(days_ago)
    .bind(network)
    .execute(&app.pool)
    .await
    .unwrap();
}

/// `(verdict, yes, no)` as stored.
async fn stored(app: &TestApp, venue: Uuid) -> (String, i32, i32) {
    sqlx::query_as("SELECT verdict, verdict_yes, verdict_no FROM venues WHERE id = $1")
        .bind(venue)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Every venue's stored verdict equals the rule's answer for its answers now.
async fn assert_stored_is_fresh(app: &TestApp) {
    let mut conn = app.pool.acquire().await.unwrap();
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM venues")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let answers = verdicts::answers(&mut conn, &ids).await.unwrap();
    for id in ids {
        let mine: Vec<_> = answers
            .iter()
            .filter(|(v, _)| *v == id)
            .map(|(_, a)| a.clone())
            .collect();
        let fresh = decide(&mine);
        let (verdict, yes, no) = stored(app, id).await;
        assert_eq!(
            (verdict.as_str(), yes, no),
            (fresh.verdict.as_str(), fresh.yes, fresh.no),
            "venue {id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verdict_of_hand_made_histories() {
    let app = spawn_app().await;
    let v = venues(&app, 8).await;
    let m = |app| person(app, None);
    // Decay: a "no" ten months old weighs little against a "yes" of three weeks.
    said(&app, v[0].0, m(&app).await, false, 300, None).await;
    said(&app, v[0].0, m(&app).await, true, 20, None).await;
    // A dispute: yes and no within the month.
    said(&app, v[1].0, m(&app).await, true, 10, None).await;
    said(&app, v[1].0, m(&app).await, false, 5, None).await;
    // Older than 12 months: ignored.
    said(&app, v[2].0, m(&app).await, true, 366, None).await;
    // Two members' "yes" against one guest's "no": a new guest's weighs half
    // (2 : 0.5, confirmed); a week-old guest's or a claimed one's fully (2 : 1).
    for (venue, guest) in [(v[3].0, Some(0)), (v[4].0, Some(7)), (v[5].0, None)] {
        said(&app, venue, m(&app).await, true, 1, None).await;
        said(&app, venue, m(&app).await, true, 1, None).await;
        said(&app, venue, person(&app, guest).await, false, 1, None).await;
    }
    // One /64 once a day: four "yes" from four networks, three "no" from one
    // /64 today (4 : 1, confirmed; counted singly it would be 4 : 3).
    for i in 0..4 {
        said(
            &app,
            v[6].0,
            m(&app).await,
            true,
            0,
            Some(&format!("192.0.2.{i}")),
        )
        .await;
    }
    for _ in 0..3 {
        said(&app, v[6].0, m(&app).await, false, 0, Some("2001:db8:1:2::/64")).await;
    }
    // Only "no" lately.
    said(&app, v[7].0, m(&app).await, false, 2, None).await;

    verdicts::refresh_all(&app.pool).await.unwrap();
    let expect = [
        ("confirmed", 1, 1),
        ("disputed", 1, 1),
        ("unconfirmed", 0, 0),
        ("confirmed", 2, 1),
        ("disputed", 2, 1),
        ("disputed", 2, 1),
        ("confirmed", 4, 1),
        ("not_welcome", 0, 1),
    ];
    for ((id, slug), (verdict, yes, no)) in v.iter().zip(expect) {
        assert_eq!(stored(&app, *id).await, (verdict.to_owned(), yes, no), "{slug}");
    }
    assert_stored_is_fresh(&app).await;

    // The dispute is on the page, with the dates of both answers.
    let day = |ago: i32| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT to_char((now() AT TIME ZONE 'UTC')::date - $1, 'FMDD Mon YYYY')",
            )
            .bind(ago)
            .fetch_one(&app.pool)
            .await
            .unwrap()
        }
    };
    let (_, page) = app.page(&format!("/venues/{}", v[1].1)).await;
    assert!(page.contains("Dogs inside: Disputed"), "{page}");
    assert!(page.contains(&format!("Yes · {}", day(10).await)), "{page}");
    assert!(
        page.contains(&format!("No · {} · not yet reviewed", day(5).await)),
        "{page}"
    );
    // The filter and the map read the stored verdict.
    let (_, list) = app.page("/?confirmed=1").await;
    for (i, (_, slug)) in v.iter().enumerate() {
        assert_eq!(
            list.contains(&format!("/venues/{slug}\"")),
            [0, 3, 6].contains(&i),
            "{slug}"
        );
    }
    let (lat, lng): (f64, f64) = sqlx::query_as("SELECT location[1], location[0] FROM venues WHERE id = $1")
        .bind(v[7].0)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .get(&format!(
            "/api/venues/box?south={}&west={}&north={}&east={}&zoom=17",
            lat - 0.001,
            lng - 0.001,
            lat + 0.001,
            lng + 0.001
        ))
        .await;
    let map: Value = res.json().await.unwrap();
    let pin = map["markers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == v[7].1)
        .unwrap();
    assert_eq!(pin["verdict"], "not_welcome");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_no_shows_at_once_one_network_counts_once_and_a_dismissed_no_stops_counting() {
    let sink = SmtpSink::start();
    let mut extra: Vec<(&str, String)> = sink.env();
    extra.extend(PROXIED.iter().map(|(k, v)| (*k, v.to_string())));
    let env: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(settings(&crate::common::fresh_database().await, &env)).await;
    let (venue, slug) = venues(&app, 1).await.remove(0);
    let path = format!("/venues/{slug}");
    let (_, page) = app.page(&path).await;
    assert!(page.contains("No dog owner has confirmed this yet."), "{page}");

    let phone = Browser::from_ip("2001:db8:1:2::1");
    let res = app
        .call(&phone, "venues/check", &[("slug", &slug), ("answer", "no")])
        .await;
    assert_eq!(res.status(), 200);
    // At once, for everyone (the shared page was dropped on the answer),
    // dated and marked as not yet reviewed; but a brand-new guest cannot
    // settle the question alone, so the verdict stays open.
    let (_, page) = app.page(&path).await;
    assert!(
        page.contains("Not settled yet: 1 dog owner said no, on "),
        "{page}"
    );
    assert!(page.contains(" · not yet reviewed"), "{page}");
    assert!(!page.contains("Reported not welcome"), "{page}");
    // Another device of the same /64 the same day does not count again.
    let laptop = Browser::from_ip("2001:db8:1:2::beef");
    app.call(&laptop, "venues/check", &[("slug", &slug), ("answer", "no")])
        .await;
    assert_eq!(stored(&app, venue).await, ("unconfirmed".into(), 0, 1));
    let networks: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT network FROM venue_checks WHERE venue_id = $1")
            .bind(venue)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    // One network, kept as a digest (not the address).
    assert_eq!(networks.len(), 1);
    assert!(
        networks[0]
            .as_ref()
            .is_some_and(|n| n.len() == 32 && !n.contains("2001"))
    );

    // An admin dismisses it: it no longer counts, nor shows.
    let admin = admin(&app, &sink).await;
    let open: Value = app
        .call(&admin, "admin/overview", &[])
        .await
        .json()
        .await
        .unwrap();
    // The newer of the two (closing it closes the older one with it).
    let items = open["doubts"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let id = items[1]["id"].as_str().unwrap().to_owned();
    let res = app
        .call(&admin, "admin/check", &[("id", &id), ("verdict", "dismiss")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(stored(&app, venue).await, ("unconfirmed".into(), 0, 0));
    let (_, page) = app.page(&path).await;
    assert!(page.contains("No dog owner has confirmed this yet."), "{page}");
    assert_stored_is_fresh(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_guests_answer_counts_fully_at_once() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[]).await;
    let (venue, slug) = venues(&app, 1).await.remove(0);
    for _ in 0..2 {
        said(&app, venue, person(&app, None).await, true, 1, None).await;
    }
    verdicts::refresh_all(&app.pool).await.unwrap();
    let guest = Browser::new();
    app.call(&guest, "venues/check", &[("slug", &slug), ("answer", "no")])
        .await;
    // A new guest's "no" weighs half: 2 : 0.5.
    assert_eq!(stored(&app, venue).await, ("confirmed".into(), 2, 1));
    member(&app, "owner@example.com").await;
    assert_eq!(sign_in(&app, &guest, "owner@example.com").await.status(), 200);
    // Merged into the account: 2 : 1.
    assert_eq!(stored(&app, venue).await, ("disputed".into(), 2, 1));
    let (_, page) = app.page(&format!("/venues/{slug}")).await;
    assert!(page.contains("Dogs inside: Disputed"), "{page}");
    assert_stored_is_fresh(&app).await;
}
