//! The app under a domain name (browsers refuse passkeys on an IP address)
//! and the passkey ceremonies over its JSON routes, for the suites that
//! sign in with a software passkey.

use super::passkey::SoftPasskey;
use super::{Browser, TestApp, fresh_database, settings, spawn_with};
use serde_json::{Value, json};

/// The app at `http://localhost:PORT` with `extra` settings, and that origin.
pub async fn spawn_by_name(extra: &[(&str, &str)]) -> (TestApp, String) {
    let port = super::mail::free_port();
    let origin = format!("http://localhost:{port}");
    let bind = format!("127.0.0.1:{port}");
    let mut env = vec![("PAWS_BIND", bind.as_str()), ("PUBLIC_URL", origin.as_str())];
    env.extend_from_slice(extra);
    let app = spawn_with(settings(&fresh_database().await, &env)).await;
    (app, origin)
}

/// POSTs `body` as JSON from `b`: the status and the JSON answer (`null` for none).
pub async fn post_json(app: &TestApp, b: &Browser, path: &str, body: Value) -> (u16, Value) {
    let res = b
        .post(format!("{}{path}", app.address))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Adds `key` to `b`'s account (or guest) under `name`: the finish answer.
pub async fn add_passkey(app: &TestApp, b: &Browser, key: &mut SoftPasskey, name: &str) -> (u16, Value) {
    let (status, start) = post_json(app, b, "/auth/passkey/register/start", json!({ "name": name })).await;
    assert_eq!(status, 200, "{start}");
    let credential = key.create(&start["options"]);
    let body = json!({ "ceremony": start["ceremony"], "credential": credential });
    post_json(app, b, "/auth/passkey/register/finish", body).await
}

/// Signs `b` in with `key`: the finish answer.
pub async fn passkey_sign_in(app: &TestApp, b: &Browser, key: &mut SoftPasskey) -> (u16, Value) {
    let (status, start) = post_json(app, b, "/auth/passkey/sign-in/start", json!({})).await;
    assert_eq!(status, 200, "{start}");
    let credential = key.get(&start["options"]);
    let body = json!({ "ceremony": start["ceremony"], "credential": credential, "next": "/dogs" });
    post_json(app, b, "/auth/passkey/sign-in/finish", body).await
}
