//! The app on port 0 with a fresh database and its own mail folder: a guest
//! makes playlists without signing up and claims them with the mailed code
//! (promoted in place); another browser's guest signs in to the same address
//! and its playlist moves into the account. A code works only in the browser
//! that asked for it; reading sets no cookie; a write from another site, or
//! a body bigger than a few kilobytes, is refused before anything runs.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::net::SocketAddr;
use std::path::PathBuf;

struct TestApp {
    url: String,
    pool: PgPool,
    mail: PathBuf,
}

async fn spawn() -> TestApp {
    let admin = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL (./test sets it)");
    let name = format!("playlists_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let pool = PgPool::connect(&format!("{base}/{name}")).await.unwrap();
    playlists::migrate(&pool).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mail = std::env::temp_dir().join(&name);
    let (router, sender) = playlists::build(pool.clone(), &url, mail.clone()).unwrap();
    tokio::spawn(playlists::send_mail(pool.clone(), sender));
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    TestApp { url, pool, mail }
}

fn browser() -> Client {
    Client::builder().cookie_store(true).build().unwrap()
}

impl TestApp {
    async fn post(&self, b: &Client, path: &str, body: Value) -> (StatusCode, Value) {
        let res = b
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status(), res.json().await.unwrap_or(Value::Null))
    }

    async fn mine(&self, b: &Client) -> Vec<String> {
        let list: Vec<Value> = b
            .get(format!("{}/playlists", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list.iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Asks for a sign-in mail in `b`; returns the request and the code the
    /// worker mailed (waits for the mail's file, as a person waits for it).
    async fn ask(&self, b: &Client, email: &str) -> (String, String) {
        let before = self.mails();
        let (status, body) = self.post(b, "/auth/email", json!({ "email": email })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let request = body["request"].as_str().unwrap().to_owned();
        for _ in 0..200 {
            if let Some(newest) = self.mails().into_iter().rfind(|m| !before.contains(m)) {
                let text = std::fs::read_to_string(&newest).unwrap();
                let code = text.split("Your sign-in code: ").nth(1).unwrap()[..8].to_owned();
                return (request, code);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no mail arrived");
    }

    fn mails(&self) -> Vec<PathBuf> {
        let mut all: Vec<PathBuf> = std::fs::read_dir(&self.mail)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        all.sort();
        all
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap()
    }
}

#[tokio::test]
async fn a_guests_playlists_are_claimed_by_a_code_and_a_second_guest_merges_into_the_account() {
    let app = spawn().await;
    let laptop = browser();
    // Reading is free and sets no cookie.
    let res = laptop.get(format!("{}/playlists", app.url)).send().await.unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(app.mine(&laptop).await, Vec::<String>::new());

    // The first playlist makes a guest; a second one joins it.
    for name in ["Road trip", "Rainy Sunday"] {
        let (status, body) = app.post(&laptop, "/playlists", json!({ "name": name })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, _) = app.post(&laptop, "/playlists", json!({ "name": "  " })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE is_anonymous").await,
        1
    );
    let guest: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    // Claimed with the mailed code: a wrong one first, then the right one.
    let (request, code) = app.ask(&laptop, "ada@example.com").await;
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let (status, body) = app
        .post(
            &laptop,
            "/auth/code",
            json!({ "request": request, "code": wrong }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let res = laptop
        .post(format!("{}/auth/code", app.url))
        .json(&json!({ "request": request, "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The browser key is used up: its cookie is cleared.
    let cleared = res.headers().get_all("set-cookie").iter().any(|c| {
        let c = c.to_str().unwrap();
        c.starts_with("af_browser=;") && c.contains("Max-Age=0")
    });
    assert!(cleared, "{:?}", res.headers());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["outcomes"], json!(["promoted"]));
    assert_eq!(body["user"], json!(guest), "promoted in place: the same id");
    assert_eq!(app.mine(&laptop).await, ["Rainy Sunday", "Road trip"]);
    // Used once.
    let (status, _) = app
        .post(&laptop, "/auth/code", json!({ "request": request, "code": code }))
        .await;
    assert_eq!(status, StatusCode::GONE);

    // A phone's guest signs in to the same address: its playlist moves.
    let phone = browser();
    let (status, _) = app.post(&phone, "/playlists", json!({ "name": "Gym" })).await;
    assert_eq!(status, StatusCode::CREATED);
    let (request, code) = app.ask(&phone, "ada@example.com").await;
    // The code is worth nothing in any other browser.
    let stranger = browser();
    let (status, body) = app
        .post(
            &stranger,
            "/auth/code",
            json!({ "request": request, "code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .post(&phone, "/auth/code", json!({ "request": request, "code": code }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcomes"], json!(["merged"]));
    assert_eq!(body["user"], json!(guest));
    assert_eq!(app.mine(&phone).await, ["Gym", "Rainy Sunday", "Road trip"]);
    assert_eq!(app.mine(&laptop).await, ["Gym", "Rainy Sunday", "Road trip"]);
    assert_eq!(
        app.count("SELECT count(*) FROM users").await,
        1,
        "the phone's guest is gone"
    );
    assert_eq!(app.count("SELECT count(*) FROM claim_audit").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM sign_ins").await, 2);
}

#[tokio::test]
async fn only_small_json_from_this_site_is_taken_so_a_cross_site_write_changes_nothing() {
    let app = spawn().await;
    let b = browser();
    let res = b
        .post(format!("{}/playlists", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Sneaky")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let res = b
        .post(format!("{}/auth/email", app.url))
        .header("content-type", "text/plain")
        .body(r#"{"email":"ada@example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // JSON from another site's page (a same-site sibling, or a browser that
    // sends it anyway): refused before anything runs.
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        for (path, body) in [
            ("/playlists", json!({ "name": "Sneaky" })),
            ("/auth/email", json!({ "email": "ada@example.com" })),
        ] {
            let res = b
                .post(format!("{}{path}", app.url))
                .header(header, value)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path} with {header}");
        }
    }
    // A body far bigger than an address is refused, not read.
    let huge = json!({ "email": "a".repeat(20_000) });
    let (status, _) = app.post(&b, "/auth/email", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM mail_outbox").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM rate_limits").await, 0);
}
