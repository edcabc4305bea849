//! What an upload can be refused for without its body: decided before a byte
//! of it is read. The requests here say `Expect: 100-continue` and send no
//! body: a server that wanted the body would answer `100 Continue` and wait.

use crate::common::counters;
use crate::common::flows::{add_dog, user_id};
use crate::common::{Browser, TestApp, fresh_database, settings, spawn_app, spawn_with};
use crate::photos::png;
use paws_inside::photos::{PhotoLimits, PhotoService, PhotoStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The first answer to an upload's headers alone, as status line and headers.
async fn answer_to_headers(app: &TestApp, browser: &Browser, path: &str, length: usize) -> String {
    let cookie = browser
        .cookie(app)
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n{cookie}Accept: application/json\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n\
         Expect: 100-continue\r\n\r\n",
        origin = app.address
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), read)
        .await
        .expect("the server answered the headers alone");
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_refused_before_their_body_for_what_the_request_says() {
    let app = spawn_app().await;
    let owner = Browser::new();
    let dog = add_dog(&app, &owner, "Rex").await;
    let stranger = Browser::new();
    add_dog(&app, &stranger, "Other").await;

    let head = answer_to_headers(&app, &stranger, &format!("/api/photos?dog={dog}"), 5000).await;
    assert!(head.starts_with("HTTP/1.1 404"), "someone else's dog: {head}");
    let head = answer_to_headers(&app, &stranger, "/api/photos?venue=no-such-place", 5000).await;
    assert!(head.starts_with("HTTP/1.1 404"), "no such venue: {head}");
    let head = answer_to_headers(
        &app,
        &stranger,
        "/api/photos?venue=pawsome-bakery-berlin",
        40 << 20,
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 413"), "announced too big: {head}");

    // At the hourly limit: refused with when to come back, and not counted again.
    let user = user_id(&app, &stranger).await.to_string();
    let action = paws_inside::limits::LimitedAction::Upload;
    counters::use_up(&app, action, &user).await;
    let head = answer_to_headers(&app, &stranger, "/api/photos?venue=pawsome-bakery-berlin", 5000).await;
    assert!(head.starts_with("HTTP/1.1 429"), "at the limit: {head}");
    assert!(head.to_lowercase().contains("retry-after: "), "{head}");
    assert_eq!(
        counters::counted(&app, action, &user).await,
        counters::max(action),
        "an early refusal counts nothing"
    );

    // The owner's own dog: the server asks for the body.
    let head = answer_to_headers(&app, &owner, &format!("/api/photos?dog={dog}"), 5000).await;
    assert!(
        head.starts_with("HTTP/1.1 100"),
        "its owner is asked for the photo: {head}"
    );
    assert_eq!(app.count("photos").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_plain_form_still_gets_its_answer_and_pages_name_the_target() {
    let app = spawn_with(settings(&fresh_database().await, &[])).await;
    let browser = Browser::new();
    add_dog(&app, &browser, "Mine").await;
    // A browser sends the whole body before reading: it still gets the redirect.
    let form = reqwest::multipart::Form::new()
        .part(
            "photo",
            reqwest::multipart::Part::bytes(png(300, 300)).file_name("x.png"),
        )
        .text("dog", uuid::Uuid::new_v4().to_string());
    let res = browser
        .post(format!(
            "{}/api/photos?dog={}&return_to=/dogs",
            app.address,
            uuid::Uuid::new_v4()
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/dogs?photo_error=no_dog");
    // The venue page's form names its venue (and where to come back) in its address.
    let (_, html) = app.page("/venues/pawsome-bakery-berlin").await;
    assert!(
        html.contains(
            "action=\"/api/photos?venue=pawsome-bakery-berlin&amp;return_to=/venues/pawsome-bakery-berlin\""
        ),
        "the upload form's address names the venue"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_past_every_place_are_turned_away_before_their_body() {
    let dir = std::env::temp_dir().join(format!("paws-busy-{}", std::process::id()));
    let service = PhotoService::new(PhotoStore::Local(dir), PhotoLimits::default(), 1);
    // One decoder and two waiting: three places, from reading the body on.
    let mut held: Vec<_> = (0..3).map(|_| service.admit().expect("a place")).collect();
    assert!(service.busy());
    assert!(service.admit().is_none(), "a fourth upload is turned away");
    held.pop();
    let place = service.admit().expect("a place freed by a finished upload");
    let pool = sqlx::PgPool::connect_lazy("postgres://nobody@127.0.0.1:9/none").unwrap();
    let subject = paws_inside::photos::queries::Subject {
        dog: None,
        venue: None,
    };
    let done = service
        .upload(
            &place,
            &pool,
            uuid::Uuid::new_v4(),
            subject,
            b"not a photo".to_vec(),
        )
        .await;
    assert!(
        matches!(done, Err(paws_inside::photos::StoreError::Rejected(_))),
        "an admitted upload is decoded (and this one refused)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_server_answers_503_with_when_to_come_back() {
    let app = spawn_app().await;
    let browser = Browser::new();
    add_dog(&app, &browser, "Rex").await;
    // Every place taken (as by uploads in progress).
    let ctx_places: Vec<_> = std::iter::from_fn(|| app.photos.admit()).collect();
    assert!(!ctx_places.is_empty());
    let head = answer_to_headers(&app, &browser, "/api/photos?venue=pawsome-bakery-berlin", 5000).await;
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(head.to_lowercase().contains("retry-after: 5"), "{head}");
}
