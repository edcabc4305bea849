//! Photo uploads: every rejection is a clear 4xx that leaves no row and no file;
//! accepted photos are re-encoded without EXIF/GPS and served safely, and
//! deleted by their owner only.

use crate::common::Browser;
use crate::common::{TestApp, files_under, settings, spawn_with};
use serde_json::Value;
use std::io::Cursor;
use uuid::Uuid;

/// A small JPEG (64×32) carrying EXIF with Orientation = 6 and a GPS position.
fn jpeg_with_gps() -> Vec<u8> {
    jpeg_with_gps_sized(64, 32)
}

/// A `w`×`h` JPEG carrying EXIF with Orientation = 6 and a GPS position.
fn jpeg_with_gps_sized(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 4) as u8, (y * 8) as u8, 90]));
    let mut plain = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg)
        .unwrap();
    // TIFF (little endian): IFD0 {Orientation=6, GPSInfo->IFD}, GPS IFD {LatRef "N", Lat 52/1 31/1 12/1}.
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let entry = |tag: u16, typ: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(typ.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    // IFD0 at 8: 2 entries (2 + 24 + 4 = 30 bytes) → GPS IFD at 38.
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, 38));
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD at 38: 2 entries (30 bytes) → rationals at 68.
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0])));
    tiff.extend(entry(0x0002, 5, 3, 68));
    tiff.extend(0u32.to_le_bytes());
    for (num, den) in [(52u32, 1u32), (31, 1), (12, 1)] {
        tiff.extend(num.to_le_bytes());
        tiff.extend(den.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(&app1);
    out.extend(&plain[2..]);
    out
}

pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([10, 200, 30, 128]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A valid PNG header claiming 50 000 × 50 000 pixels (a "pixel flood").
fn pixel_flood_png() -> Vec<u8> {
    let mut bytes = png(1, 1);
    // IHDR width/height live at bytes 16..24, its CRC at 29..33.
    bytes[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// CRC-32 (IEEE), as PNG chunks use.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub(crate) async fn upload(
    app: &TestApp,
    client: &Browser,
    bytes: Vec<u8>,
    filename: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str("image/jpeg")
            .unwrap(),
    );
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    client
        .post(format!("{}/api/photos", app.address))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn app_with_small_limit() -> TestApp {
    let url = crate::common::fresh_database().await;
    spawn_with(settings(&url, &[("PHOTO_MAX_MB", "1")])).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_cleanly() {
    let app = app_with_small_limit().await;
    let client = Browser::new();
    let truncated = {
        let full = jpeg_with_gps();
        full[..full.len() * 2 / 3].to_vec()
    };
    let cases: Vec<(&str, Vec<u8>, &str, u16, &str)> = vec![
        (
            "oversize",
            vec![0xFF; 1024 * 1024 + 10],
            "big.jpg",
            413,
            "too big",
        ),
        (
            "pixel flood",
            pixel_flood_png(),
            "flood.png",
            422,
            "too many pixels",
        ),
        (
            "svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            "a.svg",
            422,
            "not a photo",
        ),
        (
            "html as jpg",
            b"<!doctype html><html><body>hi</body></html>".to_vec(),
            "cute.jpg",
            422,
            "not a photo",
        ),
        ("truncated jpeg", truncated, "cut.jpg", 422, "damaged"),
        ("zero bytes", Vec::new(), "empty.jpg", 422, "empty"),
    ];
    for (what, bytes, name, status, message) in cases {
        let res = upload(&app, &client, bytes, name, &[("venue", "pawsome-bakery-berlin")]).await;
        assert_eq!(res.status().as_u16(), status, "{what}");
        let body: Value = res.json().await.unwrap();
        let error = body["error"].as_str().unwrap_or_default().to_lowercase();
        assert!(error.contains(message), "{what}: {error}");
    }
    assert_eq!(app.count("photos").await, 0);
    assert!(
        files_under(&app.data_dir).is_empty(),
        "no file left behind: {:?}",
        files_under(&app.data_dir)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_lose_exif_and_gps_and_keep_orientation() {
    let app = app_with_small_limit().await;
    let client = Browser::new();
    let original = jpeg_with_gps();
    assert!(
        original.windows(4).any(|w| w == b"Exif"),
        "the fixture carries EXIF"
    );
    // A hostile file name is ignored: the key is generated by the server.
    let res = upload(
        &app,
        &client,
        original,
        "../../etc/passwd.jpg",
        &[("venue", "pawsome-bakery-berlin")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let key = body["photo"]["storage_key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 32);
    // The key is the photo's id, and the database derives the stored copy from it.
    let id: Uuid = body["photo"]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.simple().to_string(), key);
    let stored: String = sqlx::query_scalar("SELECT storage_key FROM photos WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, key);
    // Orientation 6 rotates 64×32 into 32×64.
    assert_eq!(
        (body["photo"]["width"].as_i64(), body["photo"]["height"].as_i64()),
        (Some(32), Some(64))
    );

    let files = files_under(&app.data_dir);
    assert_eq!(files.len(), 2, "display and thumbnail");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{} still has EXIF",
            file.display()
        );
        assert!(
            !bytes.windows(8).any(|w| w == [52, 0, 0, 0, 1, 0, 0, 0]),
            "GPS rational survived"
        );
        assert!(file.starts_with(&app.data_dir));
    }

    let res = app.get(&format!("/photos/{key}/thumb.jpg")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    // Moderation can withdraw a photo: caches keep it minutes, not a year.
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=300, must-revalidate"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(format!("{}/photos/{key}/thumb.jpg", app.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "revalidation is cheap while public");
    for bad in [
        "/photos/../../etc/passwd/thumb.jpg",
        &format!("/photos/{key}/original.jpg"),
        "/photos/ZZ/thumb.jpg",
    ] {
        assert_eq!(app.get(bad).await.status(), 404, "{bad}");
    }

    // It shows on the venue page under "Dogs seen here".
    let (_, html) = app.page("/venues/pawsome-bakery-berlin").await;
    assert!(html.contains(&format!("/photos/{key}/thumb.jpg")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_dog_removes_its_photos_and_files() {
    let app = app_with_small_limit().await;
    let client = Browser::new();
    let res = app
        .call(&client, "dogs/create", &[("name", "Bentley"), ("size", "medium")])
        .await;
    let id: Value = res.json().await.unwrap();
    let id = id.as_str().unwrap().to_owned();
    let res = upload(&app, &client, png(300, 200), "b.png", &[("dog", &id)]).await;
    assert_eq!(res.status(), 201);
    assert_eq!(files_under(&app.data_dir).len(), 2);
    // A page rendered before the rename names the field `pet`: still this dog.
    let res = upload(&app, &client, png(30, 20), "c.png", &[("pet", &id)]).await;
    assert_eq!(res.status(), 201);
    let photo: Value = res.json().await.unwrap();
    let key = photo["photo"]["storage_key"].as_str().unwrap().to_owned();
    let attached: i64 = sqlx::query_scalar("SELECT count(*) FROM photos WHERE dog_id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(attached, 2);
    // Old photo addresses lead to the new ones.
    let moved = app.get(&format!("/media/{key}/thumb.jpg")).await;
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], format!("/photos/{key}/thumb.jpg"));
    assert_eq!(app.get("/media/not-a-key/thumb.jpg").await.status(), 404);
    sqlx::query("DELETE FROM photos WHERE storage_key = $1")
        .bind(&key)
        .execute(&app.pool)
        .await
        .unwrap();
    app.data_dir
        .join("media")
        .join(&key[..2])
        .read_dir()
        .into_iter()
        .flatten()
        .flatten()
        .filter(|f| f.file_name().to_string_lossy().starts_with(&key))
        .for_each(|f| std::fs::remove_file(f.path()).unwrap());

    // Someone else cannot attach photos to this dog.
    let res = upload(&app, &Browser::new(), png(10, 10), "x.png", &[("dog", &id)]).await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.count("photos").await, 1);

    let res = app.call(&client, "dogs/delete", &[("id", &id)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.count("photos").await, 0);
    assert!(files_under(&app.data_dir).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_photo_removes_its_files_and_only_the_owner_can() {
    let app = app_with_small_limit().await;
    let client = Browser::new();
    let res = upload(
        &app,
        &client,
        png(40, 40),
        "a.png",
        &[("venue", "pawsome-bakery-berlin")],
    )
    .await;
    let body: Value = res.json().await.unwrap();
    let id = body["photo"]["id"].as_str().unwrap().to_owned();
    assert_eq!(files_under(&app.data_dir).len(), 2);

    let res = app.call(&Browser::new(), "photos/delete", &[("id", &id)]).await;
    assert_eq!(res.status(), 404, "someone else's photo");
    assert_eq!(app.count("photos").await, 1);

    let res = app.call(&client, "photos/delete", &[("id", &id)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.count("photos").await, 0);
    assert!(files_under(&app.data_dir).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_upload_redirects_back_with_an_error_code() {
    let app = app_with_small_limit().await;
    let client = Browser::new();
    let form = reqwest::multipart::Form::new()
        .part(
            "photo",
            reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("x.jpg"),
        )
        .text("venue", "pawsome-bakery-berlin")
        .text("return_to", "/venues/pawsome-bakery-berlin");
    let res = client
        .post(format!("{}/api/photos", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    assert_eq!(
        res.headers()["location"],
        "/venues/pawsome-bakery-berlin?photo_error=not_image"
    );
    // An off-site return path is never followed.
    let form = reqwest::multipart::Form::new()
        .part(
            "photo",
            reqwest::multipart::Part::bytes(png(20, 20)).file_name("x.png"),
        )
        .text("return_to", "//evil.example/steal");
    let res = client
        .post(format!("{}/api/photos", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/dogs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_jpeg_is_decoded_small_and_still_stands_upright() {
    let app = crate::common::spawn_app().await;
    // 3 300 × 1 650 is decoded at half size (photos/shrink.rs), then fitted and
    // turned by its EXIF orientation (6: a quarter turn clockwise).
    let res = upload(
        &app,
        &Browser::new(),
        jpeg_with_gps_sized(3300, 1650),
        "big.jpg",
        &[("venue", "pawsome-bakery-berlin")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["photo"]["width"].as_i64(), body["photo"]["height"].as_i64()),
        (Some(800), Some(1600)),
        "upright and fitted to 1 600 px"
    );
}

/// An attacker with an account of their own deletes someone else's photo by
/// its id (ids are in every page that shows it): the owner filter answers as
/// for a photo that does not exist, and removes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_member_cannot_delete_someone_elses_photo() {
    let app = app_with_small_limit().await;
    let owner = Browser::new();
    let res = upload(
        &app,
        &owner,
        png(40, 40),
        "a.png",
        &[("venue", "pawsome-bakery-berlin")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let id = body["photo"]["id"].as_str().unwrap().to_owned();
    let attacker = crate::common::flows::signed_in_member(&app, "attacker@example.com").await;
    let answer = async |id: &str| {
        let res = app.call(&attacker, "photos/delete", &[("id", id)]).await;
        (res.status().as_u16(), res.text().await.unwrap())
    };
    let theirs = answer(&id).await;
    assert_eq!(theirs.0, 404, "{theirs:?}");
    assert_eq!(
        theirs,
        answer(&Uuid::new_v4().to_string()).await,
        "the same as for no such photo"
    );
    assert_eq!(app.count("photos").await, 1);
    assert_eq!(files_under(&app.data_dir).len(), 2, "its files stay");
}
