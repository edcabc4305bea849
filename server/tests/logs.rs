//! Logs never contain a sign-in token; every request's lines carry its id.
//! (Its own test binary: it installs the process-wide log subscriber.)

mod common;

use common::flows::{Browser, post_form, spawn};
use common::mail::{SmtpSink, token_in};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_flow_logs_no_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing_subscriber::fmt()
        .with_env_filter("debug,sqlx=warn,hyper=info,h2=info,reqwest=info,lettre=debug")
        .json()
        .with_writer(move || writer.clone())
        .init();
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    app.call(&b.client, "pets/create", &[("name", "Rex"), ("size", "small")])
        .await;
    app.call(&b.client, "auth/magic-link", &[("email", "log@example.com")])
        .await;
    let token = token_in(&sink.wait_for("log@example.com", 1).await);
    b.client
        .get(format!("{}/auth/confirm?token={token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        post_form(&app, &b, "/auth/confirm", &[("token", &token)])
            .await
            .status(),
        303
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("signed in by email link"), "the flow was logged");
    assert!(logs.contains("\"id\":"), "lines carry the request id");
    assert!(!logs.contains(&token), "a token leaked into the logs");
    assert!(
        !logs.contains(&token[..16]),
        "part of a token leaked into the logs"
    );
}
