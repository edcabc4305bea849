//! Photos on S3-compatible storage: a real server (`s3s-fs`) holds them, the
//! app serves them from it, an outage fails requests clearly and loses nothing,
//! and the reaper sweeps orphans in the bucket.

use crate::common::flows::add_dog;
use crate::common::s3::{S3Server, borrowed};
use crate::common::{Browser, TestApp, files_under, fresh_database, settings, spawn_with};
use crate::photos::{png, upload};
use paws_inside::photos::PhotoStore;
use serde_json::Value;
use std::time::{Duration, SystemTime};

async fn app_on(s3: &S3Server) -> TestApp {
    let database = fresh_database().await;
    spawn_with(settings(&database, &borrowed(&s3.env()))).await
}

async fn uploaded(app: &TestApp, browser: &Browser) -> (String, String) {
    let dog = add_dog(app, browser, "Rex").await;
    let res = upload(app, browser, png(60, 40), "rex.png", &[("dog", &dog.to_string())]).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let id = body["photo"]["id"].as_str().unwrap().to_owned();
    (id, body["photo"]["storage_key"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_live_in_the_bucket_and_are_served_from_it() {
    let s3 = S3Server::start();
    let app = app_on(&s3).await;
    let browser = Browser::new();
    let (id, key) = uploaded(&app, &browser).await;

    assert!(
        files_under(&app.data_dir.join("media")).is_empty(),
        "nothing on local disk"
    );
    assert_eq!(s3.objects().len(), 2, "display and thumbnail in the bucket");
    let stored = std::fs::read(s3.object_file(&key, "thumb")).expect("the thumbnail object");
    let res = browser
        .get(format!("{}/photos/{key}/thumb.jpg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(res.bytes().await.unwrap().as_ref(), stored.as_slice());
    let res = browser
        .get(format!("{}/photos/{key}/display.jpg", app.address))
        .header("if-none-match", &etag.replace("thumb", "display"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        304,
        "a revalidation is answered from the object's existence"
    );

    let res = app.call(&browser, "photos/delete", &[("id", &id)]).await;
    assert_eq!(res.status(), 200);
    assert!(s3.objects().is_empty(), "deleting the photo deletes its objects");
    let res = browser
        .get(format!("{}/photos/{key}/thumb.jpg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_outage_fails_uploads_and_reads_without_losing_anything() {
    let mut s3 = S3Server::start();
    let app = app_on(&s3).await;
    let browser = Browser::new();
    let (_, key) = uploaded(&app, &browser).await;
    let dog = add_dog(&app, &browser, "Bella").await;

    s3.stop();
    let res = upload(&app, &browser, png(60, 40), "b.png", &[("dog", &dog.to_string())]).await;
    assert_eq!(res.status(), 503, "the store is down, the upload can be retried");
    assert_eq!(res.headers()["retry-after"], "30");
    assert_eq!(
        app.count("photos").await,
        1,
        "no row for a photo that was not stored"
    );
    let res = browser
        .get(format!("{}/photos/{key}/thumb.jpg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503, "the photo is unavailable, not gone");

    s3.restart();
    let res = browser
        .get(format!("{}/photos/{key}/thumb.jpg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "back once the bucket is");
    let res = upload(&app, &browser, png(60, 40), "b.png", &[("dog", &dog.to_string())]).await;
    assert_eq!(res.status(), 201);
    assert_eq!((app.count("photos").await, s3.objects().len()), (2, 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reaper_sweeps_orphan_objects_older_than_an_hour() {
    let s3 = S3Server::start();
    let app = app_on(&s3).await;
    let browser = Browser::new();
    let (_, kept) = uploaded(&app, &browser).await;
    let store = &app.photos.store;
    // Objects without a row: one from a crash two hours ago, one an upload in flight.
    let photo = paws_inside::photos::process::process(&png(30, 30), &Default::default()).unwrap();
    let (old, fresh) = (PhotoStore::new_key(), PhotoStore::new_key());
    for key in [&old, &fresh, &kept] {
        if key != &kept {
            store.put(key, &photo).await.unwrap();
        }
        for variant in ["display", "thumb"] {
            let file = std::fs::File::options()
                .write(true)
                .open(s3.object_file(key, variant))
                .unwrap();
            let age = if key == &fresh { 0 } else { 7200 };
            file.set_modified(SystemTime::now() - Duration::from_secs(age))
                .unwrap();
        }
    }
    let listed = store.keys_older_than(Duration::from_secs(3600)).await.unwrap();
    assert_eq!(listed.len(), 2, "the bucket reports when each object was written");

    let dry = server::jobs::reap_once(&app.pool, store, 30, true).await.unwrap();
    assert_eq!(dry.orphan_photos, 1);
    assert_eq!(s3.objects().len(), 6, "a dry run deletes nothing");
    let done = server::jobs::reap_once(&app.pool, store, 30, false)
        .await
        .unwrap();
    assert_eq!(done.orphan_photos, 1);
    assert!(!s3.object_file(&old, "thumb").exists(), "the orphan is gone");
    assert!(
        s3.object_file(&fresh, "thumb").exists(),
        "an upload in flight stays"
    );
    assert!(
        s3.object_file(&kept, "display").exists(),
        "a photo with its row stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_does_not_start_on_a_bucket_it_cannot_use() {
    let s3 = S3Server::start();
    let database = fresh_database().await;
    let base = s3.env();
    for (key, value) in [("S3_BUCKET", "no-such-bucket"), ("S3_SECRET_ACCESS_KEY", "wrong")] {
        let mut env = borrowed(&base);
        env.push((key, value));
        let err = server::Application::build(settings(&database, &env))
            .await
            .err()
            .unwrap_or_else(|| panic!("started with {key}={value}"));
        assert!(
            format!("{err:#}").contains("photo store"),
            "a clear error: {err:#}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_starts_while_the_bucket_is_down_and_serves_all_but_photos() {
    let mut s3 = S3Server::start();
    s3.stop();
    let app = app_on(&s3).await;
    let (status, page) = app.page("/venues/pawsome-bakery-berlin").await;
    assert_eq!(status, 200, "pages do not need the bucket");
    assert!(page.contains("Pawsome Bakery"));
    let browser = Browser::new();
    let dog = add_dog(&app, &browser, "Rex").await;
    let res = upload(
        &app,
        &browser,
        png(60, 40),
        "rex.png",
        &[("dog", &dog.to_string())],
    )
    .await;
    assert_eq!(res.status(), 503);
    s3.restart();
    let res = upload(
        &app,
        &browser,
        png(60, 40),
        "rex.png",
        &[("dog", &dog.to_string())],
    )
    .await;
    assert_eq!(res.status(), 201, "photos work once the bucket answers");
}
