//! Lazy guests, sessions, ownership and suggestions, over real HTTP and Postgres.

use crate::common::Browser;
use crate::common::{settings, spawn_app, spawn_with};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_creates_no_user_and_sets_no_cookie() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/?city=Paris",
        "/venues/pawsome-bakery-berlin",
        "/dogs",
        "/dogs/new",
        "/suggest",
        "/suggestions",
    ] {
        let (status, _) = app.page(path).await;
        assert_eq!(status, 200, "{path}");
    }
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_sign_in_is_lazy_and_idempotent() {
    let app = spawn_app().await;
    let client = Browser::new();
    let res = app.call(&client, "auth/anonymous", &[]).await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("paws_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["kind"], "guest");

    let again: Value = app
        .call(&client, "auth/anonymous", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["id"], first["id"],
        "an existing session is returned, not a new guest"
    );
    let me: Value = app.call(&client, "auth/me", &[]).await.json().await.unwrap();
    assert_eq!(me["id"], first["id"]);
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parallel_calls_from_one_browser_make_one_guest() {
    let app = spawn_app().await;
    let client = Browser::new();
    let key = "browser-key-0123456789abcdef";
    let url = format!("{}/api/auth/anonymous", app.address);
    let fire = |form: Vec<(&'static str, &'static str)>| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let (client, url, form) = (client.clone(), url.clone(), form.clone());
                tokio::spawn(async move {
                    client
                        .post(url)
                        .header("accept", "application/json")
                        .form(&form)
                        .send()
                        .await
                        .unwrap()
                })
            })
            .collect();
        async move {
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await.unwrap());
            }
            out
        }
    };
    let mut ids = Vec::new();
    for res in fire(vec![("mint_key", key)]).await {
        assert_eq!(res.status(), 200);
        let user: Value = res.json().await.unwrap();
        ids.push(user["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "all 20 calls got the same guest");
    assert_eq!(app.count("users").await, 1);

    // With the session cookie now in the jar, 20 more calls create nothing.
    let again = fire(vec![]).await;
    assert!(again.iter().all(|r| r.status() == 200));
    assert_eq!(app.count("users").await, 1);
}

fn dog(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("size", "medium".into()),
        ("breed", "Poodle".into()),
        ("birthday", "2019-05-01".into()),
        ("bio", "Judges flat whites.".into()),
    ]
}

async fn create_dog(app: &crate::common::TestApp, client: &Browser, name: &str) -> String {
    let form = dog(name);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.call(client, "dogs/create", &form).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let id: Value = res.json().await.unwrap();
    id.as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dogs_belong_to_their_owner_only() {
    let app = spawn_app().await;
    let (alice, mallory) = (Browser::new(), Browser::new());
    let id = create_dog(&app, &alice, "Bentley").await;
    assert_eq!(
        app.count("users").await,
        1,
        "creating a dog minted exactly one guest"
    );

    let mine: Value = app.call(&alice, "dogs/mine", &[]).await.json().await.unwrap();
    assert_eq!(mine["dogs"][0]["name"], "Bentley");

    // Someone else sees nothing and can change nothing.
    app.call(&mallory, "auth/anonymous", &[]).await;
    let theirs: Value = app
        .call(&mallory, "dogs/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs.is_null());
    let res = app
        .call(
            &mallory,
            "dogs/update",
            &[("id", &id), ("name", "Stolen"), ("size", "small")],
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = app.call(&mallory, "dogs/delete", &[("id", &id)]).await;
    assert_eq!(res.status(), 404);
    let page = mallory
        .get(format!("{}/dogs/{id}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let name: String = sqlx::query_scalar("SELECT name FROM dogs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Bentley");

    // The owner can edit and delete.
    let res = app
        .call(
            &alice,
            "dogs/update",
            &[("id", &id), ("name", "Bentley II"), ("size", "large")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app.call(&alice, "dogs/delete", &[("id", &id)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.count("dogs").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_dogs_are_refused_without_minting_a_guest() {
    let app = spawn_app().await;
    let client = Browser::new();
    let res = app
        .call(
            &client,
            "dogs/create",
            &[("name", ""), ("size", "huge"), ("birthday", "2019-02-30")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("name") && body.contains("small, medium or large"),
        "{body}"
    );
    assert_eq!(app.count("users").await, 0);
    assert!(res_has_no_cookie(&app, &client).await);
}

async fn res_has_no_cookie(app: &crate::common::TestApp, client: &Browser) -> bool {
    let me: Value = app.call(client, "auth/me", &[]).await.json().await.unwrap();
    me.is_null()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_post_mints_the_guest_and_redirects() {
    let app = spawn_app().await;
    let client = Browser::new();
    let res = client
        .post(format!("{}/api/dogs/create", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/dogs/new", app.address))
        .form(&[
            ("name", "Olive"),
            ("size", "large"),
            ("mint_key", "form-key-0123456789abcdef"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/dogs/") && location.ends_with("?added"),
        "{location}"
    );
    assert!(res.headers().get("set-cookie").is_some());
    let (status, page) = client.open(&app, &location).await;
    assert_eq!(status, 200);
    // The confirmation, announced to screen readers, without JavaScript too.
    assert!(
        page.contains(r#"<p role="status" data-testid="dog-added" class="notice toast">Olive is added."#),
        "{page}"
    );
    assert!(
        page.contains("<title>Olive is added · Paws Inside</title>"),
        "{page}"
    );
    assert_eq!(app.count("users").await, 1);
}

/// Forms outside islands post without JavaScript; a mistake must come back to
/// the form's page, with the message shown there (not a bare error response).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_post_with_a_mistake_comes_back_to_its_page_with_the_message() {
    let app = spawn_app().await;
    let client = Browser::new();
    let res = client
        .post(format!("{}/api/dogs/create", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/dogs/new", app.address))
        .form(&[
            ("name", ""),
            ("size", "large"),
            ("mint_key", "form-key-0123456789abcdef"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location, "/dogs/new",
        "a clean address: the error travels in a cookie"
    );
    let (status, body) = client.open(&app, &location).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Please tell us your dog"),
        "the form's page shows the message"
    );
    assert!(body.contains(r#"role="alert""#));
    // Nothing was made for the failed post.
    assert_eq!(app.count("dogs").await, 0);
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_are_owned_and_private() {
    let app = spawn_app().await;
    let client = Browser::new();
    let venues_before = app.count("venues").await;
    let form = [
        ("name", "Café Olive"),
        ("category", "cafe"),
        ("address", "Weserstraße 12"),
        ("city", "Berlin"),
        ("dogs_inside", "yes"),
        ("size_limit", "any"),
        ("water_bowl", "1"),
        ("lat", "52.48"),
        ("lng", "13.43"),
    ];
    let res = app.call(&client, "suggestions/create", &form).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let mine: Value = app
        .call(&client, "suggestions/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["status"], "pending");
    let (lat, lng): (f64, f64) = sqlx::query_as("SELECT location[1], location[0] FROM venue_suggestions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        (lat, lng),
        (52.48, 13.43),
        "the picked location is stored (x = longitude)"
    );
    assert_eq!(
        app.count("venues").await,
        venues_before,
        "not public until approved"
    );
    let other: Value = app
        .call(&Browser::new(), "suggestions/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other, serde_json::json!([]));
    let bad = app
        .call(&Browser::new(), "suggestions/create", &[("name", "x")])
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_survive_a_server_restart() {
    let app = spawn_app().await;
    let client = Browser::new();
    let user: Value = app
        .call(&client, "auth/anonymous", &[])
        .await
        .json()
        .await
        .unwrap();
    let url = app.database_url.clone();
    drop(app);
    let restarted = spawn_with(settings(&url, &[])).await;
    let me: Value = restarted
        .call(&client, "auth/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], user["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_user_owned_table_is_in_the_claim_list() {
    let app = spawn_app().await;
    // Every (table, column) with a foreign key to users.
    let referencing: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, a.attname::text FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
         WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    use paws_inside::db::ownership::{BOOKKEEPING, owned};
    for (table, column) in &referencing {
        assert!(
            owned().contains(table, column) || BOOKKEEPING.contains(&(table.as_str(), column.as_str())),
            "{table}.{column} references users but is neither owned nor in BOOKKEEPING"
        );
    }
    assert!(referencing.iter().any(|(t, _)| t == "photo_reports"));
    for owned in owned().tables() {
        let nullable: String = sqlx::query_scalar(
            "SELECT is_nullable FROM information_schema.columns WHERE table_name = $1 AND column_name = $2",
        )
        .bind(owned.table())
        .bind(owned.owner())
        .fetch_one(&app.pool)
        .await
        .unwrap();
        // Only the rows that stay without their owner may have none.
        assert_eq!(
            nullable,
            if owned.outlives() { "YES" } else { "NO" },
            "{}.{} must be NOT NULL unless it outlives its owner",
            owned.table(),
            owned.owner()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mint_key_never_joins_a_guest_that_became_a_member() {
    let app = spawn_app().await;
    let key = "browser-key-promoted-0123456789";
    let first = Browser::new();
    let guest: Value = app
        .call(&first, "auth/anonymous", &[("mint_key", key)])
        .await
        .json()
        .await
        .unwrap();
    // The guest takes an address (as a claim would), within the key's window.
    sqlx::query("UPDATE users SET is_anonymous = false, email = 'now@example.com' WHERE id = $1::uuid")
        .bind(guest["id"].as_str().unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    let replay: Value = app
        .call(&Browser::new(), "auth/anonymous", &[("mint_key", key)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["kind"], "guest");
    assert_ne!(
        replay["id"], guest["id"],
        "a new guest, not a session of the member"
    );
}
