//! Operations: the reaper keeps guests cheap (and never touches a guest with
//! data), `/metrics` speaks Prometheus, every response has a request id.

use crate::common::Browser;
use crate::common::counters::{LOOPBACK, use_up};
use crate::common::flows::{add_dog, user_id};
use crate::common::{fresh_database, settings, spawn_app, spawn_with};
use paws_inside::limits::LimitedAction;
use paws_inside::photos::PhotoStore;
use server::jobs::reap_once;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reaper_deletes_idle_empty_guests_and_dead_rows_only() {
    let app = spawn_app().await;
    let (old_empty, recent_empty, old_with_dog) = (Browser::new(), Browser::new(), Browser::new());
    for b in [&old_empty, &recent_empty] {
        app.call(b, "auth/anonymous", &[]).await;
    }
    add_dog(&app, &old_with_dog, "Rex").await;
    let (g1, g2, g3) = (
        user_id(&app, &old_empty).await,
        user_id(&app, &recent_empty).await,
        user_id(&app, &old_with_dog).await,
    );
    sqlx::query("UPDATE users SET last_seen_at = now() - interval '40 days' WHERE id = ANY($1)")
        .bind(vec![g1, g3])
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO sessions (id, user_id, expiry_date) VALUES ('expired-one', $1, now() - interval '1 day')")
        .bind(g2)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::raw_sql(
        "INSERT INTO auth_tokens (token_hash, purpose, email, expires_at)
           VALUES (sha256('old'), 'magic_link', 'a@example.com', now() - interval '3 days');",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // An orphan photo file (no row), written two hours ago, and a fresh one (an upload in flight);
    // the old one also left a temporary file behind (a write cut off by a crash).
    let store = PhotoStore::Local(app.data_dir.join("media"));
    let stale_temp = store
        .path(&"aa".repeat(16), "display")
        .unwrap()
        .with_extension("tmp-0123");
    for (key, age) in [("aa".repeat(16), 7200), ("bb".repeat(16), 0)] {
        let path = store.path(&key, "thumb").unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age))
            .unwrap();
    }
    std::fs::write(&stale_temp, b"half a jpeg").unwrap();

    let dry = reap_once(&app.pool, &store, 30, true).await.unwrap();
    assert_eq!((dry.tables.guests, dry.orphan_photos), (1, 1));
    assert!(dry.tables.sessions >= 1 && dry.tables.tokens == 1);
    assert_eq!(app.count("users").await, 3, "a dry run deletes nothing");

    let done = reap_once(&app.pool, &store, 30, false).await.unwrap();
    assert_eq!(
        (done.tables.guests, done.tables.tokens, done.orphan_photos),
        (1, 1, 1)
    );
    let left: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM users ORDER BY created_at")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(!left.contains(&g1), "the idle empty guest is gone");
    assert!(
        left.contains(&g2) && left.contains(&g3),
        "recent guests and guests with dogs stay"
    );
    assert!(
        store
            .path(&"aa".repeat(16), "thumb")
            .map(|p| !p.exists())
            .unwrap()
    );
    assert!(
        !stale_temp.exists(),
        "a temporary file of an orphan is removed too"
    );
    assert!(
        store.path(&"bb".repeat(16), "thumb").map(|p| p.exists()).unwrap(),
        "in-flight files stay"
    );
    let expired: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE expiry_date < now()")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(expired, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_prometheus_text_on_their_own_listener() {
    let url = fresh_database().await;
    let app = spawn_with(settings(&url, &[("METRICS_BIND", "127.0.0.1:0")])).await;
    let metrics = app.metrics_address.clone().expect("metrics listener");
    let res = app.get("/venues/pawsome-bakery-berlin").await;
    assert!(
        res.headers().contains_key("x-request-id"),
        "every response names its request"
    );
    app.call(&Browser::new(), "auth/anonymous", &[]).await;
    // The identity crate counts through the `metrics` facade; a refusal of
    // its guest mint shows under our name and the limit's.
    let action = LimitedAction::NewGuest;
    use_up(&app, action, LOOPBACK).await;
    let refused = app.call(&Browser::new(), "auth/anonymous", &[]).await;
    assert_eq!(refused.status(), 429);
    let text = reqwest::get(format!("{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("paws_http_requests_total{route=\"/venues/{slug}\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("paws_http_request_duration_seconds_bucket{route=\"/venues/{slug}\",le=\"+Inf\"}"));
    let counted = |series: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert!(counted("paws_guests_created_total") >= 1, "{text}");
    assert!(
        counted("paws_rate_limited_total{limit=\"guest_client\"}") >= 1,
        "{text}"
    );
    assert!(text.contains("paws_db_pool_connections"));
    assert_eq!(
        app.get("/metrics").await.status(),
        404,
        "not on the public listener"
    );
}

/// A small JPEG, as multipart form data (boundary `soakboundary`).
fn multipart_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 80]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let mut body = b"--soakboundary\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"d.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".to_vec();
    body.extend(jpeg.into_inner());
    body.extend(b"\r\n--soakboundary--\r\n");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight_then_stops() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = fresh_database().await;
    let app = server::startup::Application::build(settings(&url, &[("REAPER_INTERVAL_MINUTES", "1")]))
        .await
        .unwrap();
    let port = app.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    // An upload whose body is half sent when the shutdown begins.
    let body = multipart_photo();
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /api/photos HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\
         Content-Type: multipart/form-data; boundary=soakboundary\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&body[..body.len() / 2]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "no new connections once shutting down"
    );
    assert!(
        !running.is_finished(),
        "the upload in flight holds the server open"
    );
    conn.write_all(&body[body.len() / 2..]).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let result = tokio::time::timeout(std::time::Duration::from_secs(10), running)
        .await
        .expect("the server stops once the request is done");
    result.unwrap().unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let photos: i64 = sqlx::query_scalar("SELECT count(*) FROM photos")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(photos, 1, "the drained upload was stored");
}
