//! Slow bodies cannot hold every upload place: one client (an address, an
//! IPv6 /64) has at most two uploads in flight, and a body that has not
//! arrived within `UPLOAD_BODY_SECONDS` is answered 408 and frees its place.
//! The held uploads here are raw connections that send their headers and part
//! of the body, then nothing: the test decides when (and whether) they go on.

use crate::common::{Browser, TestApp, fresh_database, settings, spawn_with};
use crate::photos::png;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TO_VENUE: &str = "/api/photos?venue=pawsome-bakery-berlin";

/// Behind a proxy on loopback, so each test names its clients' addresses.
fn proxied(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![
        ("CLIENT_IP_HEADER", "X-Forwarded-For"),
        ("TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
    ];
    env.extend_from_slice(extra);
    env
}

/// A photo's multipart body (boundary `x`).
fn photo_body() -> Vec<u8> {
    let mut body =
        b"--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
            .to_vec();
    body.extend(png(40, 30));
    body.extend(b"\r\n--x--\r\n");
    body
}

/// How much of its body a held upload sends before it stops.
const FIRST_PART: usize = 120;

/// Sends the rest of a held upload's body: its answer.
async fn finish(stream: &mut TcpStream) -> String {
    stream.write_all(&photo_body()[FIRST_PART..]).await.unwrap();
    let (head, _) = tokio::time::timeout(Duration::from_secs(10), read_answer(stream))
        .await
        .expect("a finished upload is answered");
    head
}

/// Reads one answer: its head, and its body when it is a final one.
async fn read_answer(stream: &mut TcpStream) -> (String, String) {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the connection closed without an answer");
        bytes.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    (head, String::from_utf8_lossy(&bytes[head_end..]).into_owned())
}

/// Starts an upload of a small photo from `client` that asks before sending
/// its body (`Expect: 100-continue`): the server's first answer, and the
/// connection. Let in, the upload has sent the first part of its body and
/// holds the rest.
async fn start_upload(app: &TestApp, client: &str) -> (String, String, TcpStream) {
    let host = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.unwrap();
    let request = format!(
        "POST {TO_VENUE} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: {client}\r\nAccept: application/json\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        photo_body().len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let (head, body) = tokio::time::timeout(Duration::from_secs(10), read_answer(&mut stream))
        .await
        .expect("the server answered the headers");
    if head.starts_with("HTTP/1.1 100") {
        stream.write_all(&photo_body()[..FIRST_PART]).await.unwrap();
    }
    (head, body, stream)
}

/// A whole upload from `client`, as a browser sends it.
async fn upload_from(app: &TestApp, client: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(png(40, 30)).file_name("v.png"),
    );
    Browser::new()
        .post(format!("{}{TO_VENUE}", app.address))
        .header("accept", "application/json")
        .header("x-forwarded-for", client)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_holds_two_places_at_most_and_others_still_upload() {
    let app = spawn_with(settings(&fresh_database().await, &proxied(&[]))).await;
    // One client starts uploads and holds every body, until one is refused.
    let mut held = Vec::new();
    let (refused, message) = loop {
        let (head, body, stream) = start_upload(&app, "203.0.113.7").await;
        if !head.starts_with("HTTP/1.1 100") {
            break (head, body);
        }
        held.push(stream);
        assert!(held.len() < 64, "no upload was ever refused");
    };
    assert_eq!(held.len(), 2, "one client held more places: {refused}");
    assert!(refused.starts_with("HTTP/1.1 429"), "{refused}");
    assert!(refused.to_lowercase().contains("retry-after: 5"), "{refused}");
    assert!(message.contains("already on their way"), "{message}");

    // Everyone else is not held up by it.
    let res = upload_from(&app, "198.51.100.9").await;
    assert_eq!(res.status(), 201, "another client's upload");

    // A held upload that arrives in the end is stored and frees its slot.
    for mut stream in held {
        assert!(finish(&mut stream).await.starts_with("HTTP/1.1 201"));
    }
    let res = upload_from(&app, "203.0.113.7").await;
    assert_eq!(res.status(), 201, "the client's slots came back");
    assert_eq!(app.count("photos").await, 4);

    // An IPv6 client is its /64.
    let mut v6 = Vec::new();
    for address in ["2001:db8:1:2::5", "2001:db8:1:2::6"] {
        let (head, _, stream) = start_upload(&app, address).await;
        assert!(head.starts_with("HTTP/1.1 100"), "{head}");
        v6.push(stream);
    }
    let (head, _, _) = start_upload(&app, "2001:db8:1:2:ffff::1").await;
    assert!(head.starts_with("HTTP/1.1 429"), "the same /64: {head}");
    let (head, _, _) = start_upload(&app, "2001:db8:1:3::5").await;
    assert!(head.starts_with("HTTP/1.1 100"), "the next /64: {head}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_cut_off_with_408_and_its_place_is_free_again() {
    let env = proxied(&[("UPLOAD_BODY_SECONDS", "1")]);
    let app = spawn_with(settings(&fresh_database().await, &env)).await;
    // Every place but one is taken (as by uploads in progress).
    let mut others: Vec<_> = std::iter::from_fn(|| app.photos.admit()).collect();
    others.pop();

    let (head, _, mut stalled) = start_upload(&app, "203.0.113.7").await;
    assert!(head.starts_with("HTTP/1.1 100"), "let in: {head}");
    assert_eq!(
        upload_from(&app, "198.51.100.9").await.status(),
        503,
        "the last place is held"
    );
    // The stalled body is answered without the rest of it arriving.
    let (head, message) = tokio::time::timeout(Duration::from_secs(10), read_answer(&mut stalled))
        .await
        .expect("a stalled body is cut off by its deadline");
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(message.contains("took too long"), "{message}");
    assert_eq!(app.photos.uploading_clients(), 0, "its client slot is free");

    // Its place is free again: the same client's next upload goes through.
    let res = upload_from(&app, "203.0.113.7").await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        app.count("photos").await,
        1,
        "nothing of the cut-off upload was kept"
    );
}
