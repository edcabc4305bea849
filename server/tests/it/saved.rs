//! Saved places: a plain-form Save makes a guest like any contribution; the
//! list is the person's own (nobody else can read or remove it, and a shared
//! cached page never says what a visitor saved); bounded; it moves on claim
//! with duplicates collapsed; "what changed" and the weekly digest with its
//! one-click unsubscribe.

use crate::common::flows::{me, post_form, sign_in, signed_in_member, spawn, spawn_env, user_id};
use crate::common::mail::{SmtpSink, decode_qp};
use crate::common::{Browser, TestApp};
use crate::page_cache::CACHED;
use serde_json::Value;
use uuid::Uuid;

const VENUE: &str = "pawsome-bakery-berlin";

async fn save(app: &TestApp, b: &Browser, slug: &str) -> reqwest::Response {
    post_form(app, b, "/saved/save", &[("slug", slug)]).await
}

async fn state(app: &TestApp, b: &Browser, slugs: &str) -> Vec<String> {
    let (status, body) = b.open(app, &format!("/api/saved/state?slugs={slugs}")).await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["saved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

async fn saved_of(app: &TestApp, user: Uuid) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT v.slug FROM saved_places s JOIN venues v ON v.id = s.venue_id WHERE s.user_id = $1 ORDER BY v.slug",
    )
    .bind(user)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn other_venue(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT slug FROM venues WHERE slug <> $1 ORDER BY slug LIMIT 1")
        .bind(VENUE)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_saves_as_a_guest_and_only_the_owner_sees_or_removes_it() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let users = app.count("users").await;
    // A mistake makes no guest, and says so on the list page in our words.
    let res = save(&app, &b, "no-such-place").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/saved?error=not_found");
    assert_eq!(app.count("users").await, users, "no guest for a mistake");

    let res = save(&app, &b, VENUE).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/saved?saved=1");
    assert!(me(&app, &b).await.is_some(), "saving made a guest");
    // Twice is once.
    save(&app, &b, VENUE).await;
    assert_eq!(app.count("saved_places").await, 1);
    let (_, page) = b.open(&app, "/saved?saved=1").await;
    assert!(page.contains("Pawsome Bakery"), "{page}");
    assert!(page.contains("Saved. The place is on your list."));
    assert_eq!(
        state(&app, &b, &format!("{VENUE},nope")).await,
        vec![VENUE.to_owned()]
    );

    // Someone else: nothing to see, nothing to remove.
    let other = Browser::new();
    assert!(state(&app, &other, VENUE).await.is_empty());
    save(&app, &other, &other_venue(&app).await).await;
    let res = post_form(&app, &other, "/saved/remove", &[("slug", VENUE)]).await;
    assert_eq!(res.headers()["location"], "/saved?error=not_found");
    assert_eq!(
        saved_of(&app, user_id(&app, &b).await).await,
        vec![VENUE.to_owned()]
    );
    let (_, theirs) = other.open(&app, "/saved").await;
    assert!(
        !theirs.contains("Pawsome Bakery"),
        "another person's list is their own"
    );

    // The owner removes it; the script's JSON answer says so.
    let res = b
        .post(format!("{}/saved/remove", app.address))
        .header("accept", "application/json")
        .form(&[("slug", VENUE)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        serde_json::json!({"saved": false})
    );
    assert!(state(&app, &b, VENUE).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_list_refuses_one_more() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    save(&app, &b, VENUE).await;
    let user = user_id(&app, &b).await;
    let max = paws_inside::saved::MAX_SAVED;
    // Rows written directly (there are not that many venues in the seed).
    sqlx::query(
        "INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit)
         SELECT 'filler-' || i, 'Filler ' || i, 'cafe', 'Street 1', 'Fillertown', point(10, 50), 'yes', 'any'
         FROM generate_series(1, $1) i",
    )
    .bind(max as i32)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO saved_places (user_id, venue_id)
         SELECT $1, id FROM venues WHERE slug LIKE 'filler-%' ORDER BY slug LIMIT $2",
    )
    .bind(user)
    .bind(max - 1)
    .execute(&app.pool)
    .await
    .unwrap();
    let res = b
        .post(format!("{}/saved/save", app.address))
        .header("accept", "application/json")
        .form(&[("slug", "filler-99")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("Remove one"), "{body}");
    assert_eq!(saved_of(&app, user).await.len() as i64, max);
    // The list is paged: the last page exists, the one after it does not grow it.
    let (_, last) = b
        .open(&app, &format!("/saved?page={}", max / paws_inside::saved::PAGE))
        .await;
    assert!(
        last.contains("Previous page") && !last.contains("Next page"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_brings_saved_places_and_a_place_both_saved_stays_once() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let other = other_venue(&app).await;
    let laptop = signed_in_member(&app, "keeper@example.com").await;
    let account = user_id(&app, &laptop).await;
    save(&app, &laptop, VENUE).await;

    let phone = Browser::new();
    save(&app, &phone, VENUE).await;
    save(&app, &phone, &other).await;
    let guest = user_id(&app, &phone).await;
    assert_ne!(guest, account);
    let res = sign_in(&app, &phone, "keeper@example.com").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(user_id(&app, &phone).await, account);
    let mut expected = vec![VENUE.to_owned(), other];
    expected.sort();
    assert_eq!(saved_of(&app, account).await, expected, "both places, once each");
    assert_eq!(app.count("saved_places").await, 2, "the twin went with the guest");
    let counts: Value = sqlx::query_scalar("SELECT counts FROM claim_audit WHERE from_user = $1")
        .bind(guest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(counts["saved_places"], 1);
}

/// A visitor saved a place on a cached page; the same pages served to anyone
/// else carry no trace of it (the state is asked per session).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_state_never_reaches_another_visitor_through_the_cache() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    let venue_page = format!("/venues/{VENUE}");
    // A reader's copies first, so the cache holds them.
    let (_, before_home) = app.page("/?city=Berlin").await;
    let (_, before_venue) = app.page(&venue_page).await;
    let guest = Browser::new();
    save(&app, &guest, VENUE).await;
    for (path, before) in [
        ("/?city=Berlin", before_home),
        (venue_page.as_str(), before_venue),
    ] {
        let (_, mine) = guest.open(&app, path).await;
        assert!(
            mine.contains(&format!("data-save=\"{VENUE}\"")),
            "{path}: the Save form is there"
        );
        assert!(
            !mine.contains("data-saved"),
            "{path}: no saved state in any page's HTML"
        );
        for _ in 0..2 {
            let (status, theirs) = app.page(path).await;
            assert_eq!(status, 200);
            assert!(!theirs.contains("data-saved"));
            assert_eq!(
                theirs.matches("save-form").count(),
                before.matches("save-form").count()
            );
        }
    }
    assert!(state(&app, &Browser::new(), VENUE).await.is_empty());
    let res = app.get(&format!("/api/saved/state?slugs={VENUE}")).await;
    assert_eq!(res.headers()["cache-control"], "no-store, private");
}

/// Sets `user`'s digest week back, as if the last one went out 8 days ago.
async fn week_passed(app: &TestApp, user: Uuid) {
    sqlx::query("UPDATE saved_watch SET digest_sent_at = now() - interval '8 days' WHERE user_id = $1")
        .bind(user)
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_digest_tells_what_changed_and_one_click_stops_it() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    // The seed's places are old news.
    sqlx::query("UPDATE venues SET created_at = now() - interval '60 days'")
        .execute(&app.pool)
        .await
        .unwrap();
    let email = "digest@example.com";
    let member = signed_in_member(&app, email).await;
    let user = user_id(&app, &member).await;
    save(&app, &member, VENUE).await;
    let res = post_form(&app, &member, "/saved/digest", &[("digest", "on")]).await;
    assert_eq!(res.headers()["location"], "/saved?digest=on");
    // A guest cannot ask for it.
    let guest = Browser::new();
    save(&app, &guest, VENUE).await;
    let res = post_form(&app, &guest, "/saved/digest", &[("digest", "on")]).await;
    assert_eq!(res.headers()["location"], "/saved?error=no_address");

    // Nothing changed: no mail, and the week moves on.
    week_passed(&app, user).await;
    assert_eq!(paws_inside::saved::digest::queue_due(&app.pool).await.unwrap(), 0);
    assert_eq!(paws_inside::saved::digest::queue_due(&app.pool).await.unwrap(), 0);

    // A new place next door and a "no" from someone else.
    sqlx::query(
        "INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit)
         SELECT 'corner-cafe-berlin', 'Corner Café', 'cafe', address, city,
                point(location[0] + 0.002, location[1] + 0.002), 'yes', 'any'
         FROM venues WHERE slug = $1",
    )
    .bind(VENUE)
    .execute(&app.pool)
    .await
    .unwrap();
    let res = app
        .call(&guest, "venues/check", &[("slug", VENUE), ("answer", "no")])
        .await;
    assert_eq!(res.status(), 200);
    // The page says so too.
    let (_, page) = member.open(&app, "/saved").await;
    assert!(
        page.contains("Corner Café") && page.contains("1 new “no, not any more”"),
        "{page}"
    );

    // An unconfirmed address gets nothing, whatever it asked for.
    let unproven: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, is_anonymous) VALUES ('unproven@example.com', false) RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO saved_watch (user_id, digest, digest_sent_at) VALUES ($1, true, now() - interval '8 days');
         ",
    )
    .bind(unproven)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO saved_places (user_id, venue_id) SELECT $1, id FROM venues WHERE slug = $2")
        .bind(unproven)
        .bind(VENUE)
        .execute(&app.pool)
        .await
        .unwrap();

    week_passed(&app, user).await;
    assert_eq!(paws_inside::saved::digest::queue_due(&app.pool).await.unwrap(), 1);
    let raw = sink.wait_for(email, 1).await;
    assert!(sink.messages_to("unproven@example.com").is_empty());
    let text = decode_qp(&raw);
    assert!(text.contains("New near Pawsome Bakery: Corner Café"), "{text}");
    assert!(text.contains("1 new “no, not any more”"), "{text}");
    assert!(
        raw.lines()
            .any(|l| l == "List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{raw}"
    );
    let header = raw
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .expect("a List-Unsubscribe header");
    let url = header.trim_end_matches('>');
    assert!(
        url.starts_with(&format!("{}/saved/unsubscribe?token=", app.address))
            || url.contains("/saved/unsubscribe?token=")
    );
    let path = &url[url.find("/saved/").unwrap()..];
    // A GET (a mail scanner) changes nothing.
    app.get(path).await;
    assert_eq!(digest_on(&app, user).await, Some(true));
    // The mail client's one-click POST: no cookie, no origin.
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(digest_on(&app, user).await, Some(false));
    week_passed(&app, user).await;
    assert_eq!(paws_inside::saved::digest::queue_due(&app.pool).await.unwrap(), 0);
    // A token that is not one of ours.
    let res = app
        .client
        .post(format!(
            "{}/saved/unsubscribe?token={}",
            app.address,
            "ab".repeat(32)
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

async fn digest_on(app: &TestApp, user: Uuid) -> Option<bool> {
    sqlx::query_scalar("SELECT digest FROM saved_watch WHERE user_id = $1")
        .bind(user)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promoted_guest_keeps_its_saved_places() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    save(&app, &b, VENUE).await;
    let guest = user_id(&app, &b).await;
    app.call(&b, "auth/magic-link", &[("email", "new@example.com")])
        .await;
    let token = crate::common::mail::token_in(&sink.wait_for("new@example.com", 1).await);
    let res = post_form(&app, &b, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(user_id(&app, &b).await, guest, "promoted in place");
    assert_eq!(saved_of(&app, guest).await, vec![VENUE.to_owned()]);
    let (_, page) = b.open(&app, "/saved").await;
    assert!(
        page.contains("Email me once a week"),
        "a member with a proven address is offered the digest"
    );
}
