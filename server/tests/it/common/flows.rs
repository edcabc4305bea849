//! Browser-like helpers shared by the account tests.

use super::mail::SmtpSink;
use super::{Browser, TestApp, fresh_database, settings, spawn_with};
use serde_json::Value;
use uuid::Uuid;

/// The app on a fresh database, mailing to `sink`.
pub async fn spawn(sink: &SmtpSink) -> TestApp {
    spawn_env(sink, &[]).await
}

/// [`spawn`] with extra settings.
pub async fn spawn_env(sink: &SmtpSink, extra: &[(&str, &str)]) -> TestApp {
    let env = sink.env();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend_from_slice(extra);
    spawn_with(settings(&fresh_database().await, &env)).await
}

/// Follows nothing: one POST of a plain form from `b`, as a browser page would.
pub async fn post_form(app: &TestApp, b: &Browser, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    b.client
        .post(format!("{}{path}", app.address))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The session's user as `auth/me` reports it.
pub async fn me(app: &TestApp, b: &Browser) -> Option<Value> {
    let res = app.call(b, "auth/me", &[]).await;
    assert_eq!(res.status(), 200);
    Some(res.json::<Value>().await.unwrap()).filter(|v| !v.is_null())
}

/// Adds a dog through the server function; returns its id.
pub async fn add_dog(app: &TestApp, b: &Browser, name: &str) -> Uuid {
    let res = app
        .call(b, "dogs/create", &[("name", name), ("size", "small")])
        .await;
    assert_eq!(res.status(), 200);
    res.json::<Value>()
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A photo row (no files) owned by `owner`.
pub async fn add_photo_row(app: &TestApp, owner: Uuid, dog: Uuid) {
    sqlx::query(
        "INSERT INTO photos (id, user_id, dog_id, width, height, bytes) VALUES ($3, $1, $2, 4, 4, 10)",
    )
    .bind(owner)
    .bind(dog)
    .bind(Uuid::new_v4())
    .execute(&app.pool)
    .await
    .unwrap();
}

/// Who owns a dog.
pub async fn owner_of(app: &TestApp, dog: Uuid) -> Uuid {
    sqlx::query_scalar("SELECT user_id FROM dogs WHERE id = $1")
        .bind(dog)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The id of the user signed in on `b`.
pub async fn user_id(app: &TestApp, b: &Browser) -> Uuid {
    me(app, b).await.expect("signed in")["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The password of the members [`member`] makes.
pub const PASSWORD: &str = "correct horse battery";

/// A member with a proven `email` and [`PASSWORD`] (written directly, as an
/// earlier sign-up would have left it); returns its id.
pub async fn member(app: &TestApp, email: &str) -> Uuid {
    let hash = paws_inside::password::Hasher::new(1)
        .hash(PASSWORD.to_owned())
        .await
        .unwrap();
    sqlx::query_scalar(
        "INSERT INTO users (email, is_anonymous, password_hash, email_verified_at)
         VALUES ($1, false, $2, now()) RETURNING id",
    )
    .bind(email)
    .bind(hash)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Signs `b` in with `email` and [`PASSWORD`] through the sign-in form's server function.
pub async fn sign_in(app: &TestApp, b: &Browser, email: &str) -> reqwest::Response {
    app.call(b, "auth/sign-in", &[("email", email), ("password", PASSWORD)])
        .await
}

/// A new browser signed in as a new member with `email` (see [`member`]).
pub async fn signed_in_member(app: &TestApp, email: &str) -> Browser {
    member(app, email).await;
    let b = Browser::new();
    let res = sign_in(app, &b, email).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    b
}

/// POSTs a plain form from `b` in the background (for requests that must be
/// in flight together): its status and where it redirects (`""`: nowhere).
pub fn post_in_background(
    app: &TestApp,
    b: &Browser,
    path: &str,
    form: &[(&str, &str)],
) -> tokio::task::JoinHandle<(u16, String)> {
    let request = b.client.post(format!("{}{path}", app.address)).form(form);
    tokio::spawn(async move {
        let res = request.send().await.unwrap();
        let location = res
            .headers()
            .get("location")
            .map_or(String::new(), |l| l.to_str().unwrap().to_owned());
        (res.status().as_u16(), location)
    })
}

/// Where a response redirects to, as the `Location` header says (`""`: nowhere).
pub fn redirected_to(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
