//! Logs never contain a sign-in token; every request's lines carry its id.
//! The server binary runs as a child process with JSON logs, so what is read
//! is exactly what production writes (and no other test's lines get in).

use crate::common::fresh_database;
use crate::common::mail::{SmtpSink, token_in};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncBufReadExt;

/// A free port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_flow_logs_no_token() {
    let sink = SmtpSink::start();
    let database = fresh_database().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .envs(sink.env())
        .env("DATABASE_URL", &database)
        .env("PAWS_BIND", format!("127.0.0.1:{port}"))
        .env("PUBLIC_URL", &base)
        .env("DATA_DIR", crate::common::data_dir_for(&database))
        .env("LOG_FORMAT", "json")
        .env(
            "RUST_LOG",
            "debug,sqlx=warn,hyper=info,h2=info,reqwest=info,lettre=debug",
        )
        .env_remove("LEPTOS_HASH_FILES")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let logs = Arc::new(Mutex::new(String::new()));
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let collected = logs.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            let mut all = collected.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let call = |endpoint: &str, form: &[(&str, &str)]| {
        client
            .post(format!("{base}/api/{endpoint}"))
            .header("accept", "application/json")
            .form(form)
            .send()
    };
    call("dogs/create", &[("name", "Rex"), ("size", "small")])
        .await
        .unwrap();
    call("auth/magic-link", &[("email", "log@example.com")])
        .await
        .unwrap();
    let token = token_in(&sink.wait_for("log@example.com", 1).await);
    client
        .get(format!("{base}/auth/confirm?token={token}"))
        .send()
        .await
        .unwrap();
    let res = client
        .post(format!("{base}/auth/confirm"))
        .form(&[("token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !logs.lock().unwrap().contains("\"method\":\"link\"") {
        assert!(std::time::Instant::now() < deadline, "the flow was logged");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill().await;
    let logs = logs.lock().unwrap().clone();
    let line = logs
        .lines()
        .find(|l| l.contains("\"method\":\"link\""))
        .unwrap_or_default();
    assert!(line.contains("\"id\":"), "lines carry the request id: {line}");
    assert!(!logs.contains(&token), "a token leaked into the logs");
    assert!(
        !logs.contains(&token[..16]),
        "part of a token leaked into the logs"
    );
}
