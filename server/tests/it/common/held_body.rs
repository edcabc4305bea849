//! A request held between its headers and its body, to force an interleaving
//! without a sleep: it is sent with `Expect: 100-continue`, so the server
//! answers "100 Continue" exactly when the handler starts reading the body —
//! after its extractors before the body (the session among them) have run.
//! The test then does what must happen meanwhile, and releases the body.

use super::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request whose handler is waiting for its body.
pub struct Held {
    stream: TcpStream,
    body: Vec<u8>,
}

/// Sends a POST of `path` with `cookie` and a JSON (or form) `body`, and
/// returns once the handler is reading the body.
pub async fn hold(app: &TestApp, path: &str, cookie: &str, content_type: &str, body: Vec<u8>) -> Held {
    let host = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("send headers");
    let mut seen = Vec::new();
    while !seen.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        let n = stream.read(&mut byte).await.expect("read the interim answer");
        assert_eq!(
            n,
            1,
            "closed before answering: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.push(byte[0]);
    }
    let interim = String::from_utf8_lossy(&seen);
    assert!(interim.starts_with("HTTP/1.1 100"), "not held: {interim}");
    Held { stream, body }
}

impl Held {
    /// Sends the body; returns the final status and the rest of the answer.
    pub async fn release(mut self) -> (u16, String) {
        self.stream.write_all(&self.body).await.expect("send body");
        let mut answer = Vec::new();
        self.stream.read_to_end(&mut answer).await.expect("read answer");
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer}"));
        (status, answer)
    }
}
