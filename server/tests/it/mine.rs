//! "My contributions": a guest (or member) sees what they added and takes it
//! back — photos removed (files too), answers removed, pending suggestions
//! opened and withdrawn — and nobody else can do any of it. The venue page
//! offers "Delete" on your own photo only in a page rendered for you, never
//! in one the shared cache keeps.

use crate::common::flows::{signed_in_member, spawn_env, user_id};
use crate::common::mail::SmtpSink;
use crate::common::{Browser, TestApp, files_under, spawn_app};
use crate::page_cache::{CACHED, SLUG, VENUE};
use crate::photos::{png, upload};
use serde_json::Value;
use uuid::Uuid;

/// A photo taken at the venue by `b` (a guest is made if needed); its id.
async fn venue_photo(app: &TestApp, b: &Browser) -> String {
    let res = upload(app, b, png(40, 40), "a.png", &[("venue", SLUG)]).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["photo"]["id"].as_str().unwrap().to_owned()
}

/// A pending suggestion owned by `owner`, written as the form would; its id.
async fn suggestion(app: &TestApp, owner: Uuid, name: &str) -> String {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO venue_suggestions (user_id, name, category, address, city, dogs_inside, size_limit, notes)
         VALUES ($1, $2, 'cafe', 'Hauptstr. 1', 'Berlin', 'yes', 'any', 'Big water bowl') RETURNING id",
    )
    .bind(owner)
    .bind(name)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    id.to_string()
}

/// `b`'s answers (ids).
async fn answers_of(app: &TestApp, owner: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar("SELECT id FROM venue_checks WHERE user_id = $1")
        .bind(owner)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_lists_and_takes_back_what_it_added_and_nobody_else_can() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    let guest = Browser::new();
    let photo = venue_photo(&app, &guest).await;
    let res = app
        .call(&guest, "venues/check", &[("slug", SLUG), ("answer", "yes")])
        .await;
    assert_eq!(res.status(), 200);
    let owner = user_id(&app, &guest).await;
    let answer = answers_of(&app, owner).await[0].to_string();
    let pending = suggestion(&app, owner, "Café Withdrawn").await;

    // The page lists each thing, with counts.
    let (status, page) = guest.open(&app, "/mine").await;
    assert_eq!(status, 200);
    for expected in [
        "1 photo",
        "1 “still welcome?” answer",
        "1 suggestion",
        "Café Withdrawn",
        "Pawsome Bakery",
        &photo,
        &answer,
    ] {
        assert!(page.contains(expected), "/mine shows {expected}");
    }
    let (_, opened) = guest.open(&app, &format!("/mine/suggestions/{pending}")).await;
    assert!(opened.contains("Hauptstr. 1") && opened.contains("Withdraw this suggestion"));

    // Someone else — another guest, a visitor, a member — gets "not found" for each.
    let other = Browser::new();
    app.call(&other, "venues/check", &[("slug", "no-such"), ("answer", "yes")])
        .await;
    venue_photo(&app, &other).await;
    let member = signed_in_member(&app, "someone@example.com").await;
    for b in [&other, &Browser::new(), &member] {
        for (endpoint, form) in [
            ("mine/remove-photo", vec![("id", photo.as_str())]),
            ("photos/delete", vec![("id", photo.as_str())]),
            ("mine/remove-answer", vec![("id", answer.as_str())]),
            ("mine/withdraw", vec![("id", pending.as_str())]),
            ("mine/suggestion", vec![("id", pending.as_str())]),
        ] {
            let res = app.call(b, endpoint, &form).await;
            assert_eq!(res.status(), 404, "{endpoint} by someone else");
        }
        let (_, theirs) = b.open(&app, "/mine").await;
        assert!(!theirs.contains(&photo) && !theirs.contains("Café Withdrawn"));
    }
    assert_eq!(app.count("venue_suggestions").await, 1);
    assert_eq!(answers_of(&app, owner).await.len(), 1);

    // The owner takes each back. A "yes" counted on the venue's page: the
    // cached copy goes.
    let (_, before) = app.page(VENUE).await;
    assert!(before.contains("1 confirmation"), "{before}");
    let res = app.call(&guest, "mine/remove-answer", &[("id", &answer)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(answers_of(&app, owner).await.is_empty());
    let (_, after) = app.page(VENUE).await;
    assert!(
        after.contains("No dog owner has confirmed this yet."),
        "the cached page went"
    );
    let res = app.call(&guest, "mine/remove-answer", &[("id", &answer)]).await;
    assert_eq!(res.status(), 404, "already gone");

    let res = app.call(&guest, "mine/withdraw", &[("id", &pending)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(app.count("venue_suggestions").await, 0);

    let files = files_under(&app.data_dir.join("media")).len();
    let res = app.call(&guest, "mine/remove-photo", &[("id", &photo)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        files_under(&app.data_dir.join("media")).len(),
        files - 2,
        "both files went"
    );
    let (_, page) = guest.open(&app, "/mine").await;
    assert!(page.contains("0 photos") && page.contains("0 suggestions"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewed_suggestion_cannot_be_withdrawn() {
    let app = spawn_app().await;
    let guest = Browser::new();
    app.call(&guest, "venues/check", &[("slug", SLUG), ("answer", "no")])
        .await;
    let owner = user_id(&app, &guest).await;
    let id = suggestion(&app, owner, "Café Reviewed").await;
    sqlx::query(
        "UPDATE venue_suggestions SET status = 'rejected', reviewed_at = now(), reject_reason = 'Closed'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let res = app.call(&guest, "mine/withdraw", &[("id", &id)]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("already reviewed"));
    assert_eq!(app.count("venue_suggestions").await, 1);
    let (_, opened) = guest.open(&app, &format!("/mine/suggestions/{id}")).await;
    assert!(opened.contains("Why: Closed") && !opened.contains("Withdraw this suggestion"));
    for bad in ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        assert_eq!(
            app.call(&guest, "mine/withdraw", &[("id", bad)]).await.status(),
            404
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_removals_of_one_photo_at_once_remove_it_once() {
    let app = spawn_app().await;
    let guest = Browser::new();
    let photo = venue_photo(&app, &guest).await;
    assert_eq!(files_under(&app.data_dir.join("media")).len(), 2);
    // Both requests reach the row while the test holds it, then race.
    let held = app
        .hold("SELECT 1 FROM photos WHERE id = $1::uuid FOR UPDATE", &[&photo])
        .await;
    let calls: Vec<_> = ["mine/remove-photo", "photos/delete"]
        .into_iter()
        .map(|endpoint| {
            let request = guest
                .client
                .post(format!("{}/api/{endpoint}", app.address))
                .header("accept", "application/json")
                .form(&[("id", photo.as_str())]);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    held.until_waiting(2, "DELETE FROM photos").await;
    held.release().await;
    let mut statuses = Vec::new();
    for call in calls {
        statuses.push(call.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses[1], 404, "the second finds nothing: {statuses:?}");
    assert!(statuses[0] < 400, "{statuses:?}");
    assert_eq!(app.count("photos").await, 0);
    assert!(files_under(&app.data_dir.join("media")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_venue_page_offers_delete_on_your_photo_only_to_you_and_never_from_the_cache() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    let owner = Browser::new();
    let photo = venue_photo(&app, &owner).await;
    let marker = "data-testid=\"own-photo\"";

    let (_, mine) = owner.open(&app, VENUE).await;
    assert!(
        mine.contains(&photo) && mine.contains(marker),
        "the owner sees Delete"
    );
    // A visitor without a cookie: rendered once, then from the cache.
    for _ in 0..2 {
        let (_, public) = app.page(VENUE).await;
        assert!(public.contains(&photo) && !public.contains(marker));
    }
    // The owner again (after the cache holds the page), and someone else.
    let (_, mine) = owner.open(&app, VENUE).await;
    assert!(mine.contains(marker));
    let stranger = Browser::new();
    venue_photo(&app, &stranger).await;
    let (_, theirs) = stranger.open(&app, VENUE).await;
    assert_eq!(theirs.matches(marker).count(), 1, "only their own photo");

    // Deleting it from the page: gone from the public page at once.
    let res = app.call(&owner, "photos/delete", &[("id", &photo)]).await;
    assert_eq!(res.status(), 200);
    assert!(!app.page(VENUE).await.1.contains(&photo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_photo_from_my_contributions_removes_its_objects_from_the_bucket() {
    use crate::common::s3::{S3Server, borrowed};
    use crate::common::{fresh_database, settings, spawn_with};
    let s3 = S3Server::start();
    let app = spawn_with(settings(&fresh_database().await, &borrowed(&s3.env()))).await;
    let guest = Browser::new();
    let photo = venue_photo(&app, &guest).await;
    assert_eq!(s3.objects().len(), 2, "display and thumbnail");
    let res = app
        .call(&Browser::new(), "mine/remove-photo", &[("id", &photo)])
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(s3.objects().len(), 2, "someone else removes nothing");
    let res = app.call(&guest, "mine/remove-photo", &[("id", &photo)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(s3.objects().is_empty(), "both objects went with the row");
}
