//! Text people type, sent the way an attacker would: NUL, other control
//! characters, direction overrides, line breaks in one-line fields, over-long
//! text and malformed dates. Each gets a 400 with a sentence naming the field
//! (never a 500), writes nothing and makes no guest; a page with such a search
//! shows the places without it and says so.

use crate::common::flows::{add_dog, add_photo_row, post_form, spawn, user_id};
use crate::common::mail::{SmtpSink, token_in};
use crate::common::{Browser, TestApp, spawn_app};
use server::ops::{Task, run};

/// What a refused request must not have written.
async fn rows(app: &TestApp) -> [i64; 5] {
    let mut out = [0; 5];
    for (slot, table) in
        out.iter_mut()
            .zip(["users", "sessions", "dogs", "venue_suggestions", "photo_reports"])
    {
        *slot = app.count(table).await;
    }
    out
}

/// POSTs a form to a server function as a script would: no cookies, no
/// `Accept` (curl's default). Returns the status and the body.
async fn post(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = app
        .client
        .post(format!("{}/api/{endpoint}", app.address))
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Every case is refused with 400 and its sentence, both as a script posts
/// it and as the Leptos client does (JSON accepted), and nothing is written.
async fn refused_everywhere(
    app: &TestApp,
    endpoint: &str,
    base: &[(&str, &str)],
    cases: &[(&str, &str, &str)],
) {
    let before = rows(app).await;
    for (field, value, says) in cases {
        let mut form: Vec<(&str, &str)> = base.iter().filter(|(k, _)| k != field).copied().collect();
        form.push((field, value));
        let (status, body) = post(app, endpoint, &form).await;
        assert_eq!(status, 400, "{endpoint} {field}={value:?}: {body}");
        assert!(body.contains(says), "{endpoint} {field}={value:?}: {body}");
        let res = app.call(&Browser::new(), endpoint, &form).await;
        assert_eq!(res.status(), 400, "{endpoint} {field}={value:?} as JSON");
        assert_eq!(
            rows(app).await,
            before,
            "{endpoint} {field}={value:?} wrote nothing"
        );
    }
}

const HIDDEN: &str = "contains a hidden character";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dogs_with_hidden_characters_or_bad_dates_are_refused_before_a_guest_is_made() {
    let app = spawn_app().await;
    let base = [
        ("name", "Rex"),
        ("size", "small"),
        ("mint_key", "attack-key-0123456789abcdef"),
    ];
    let long = "x".repeat(51);
    let cases = [
        ("name", "Re\0x", "The name contains a hidden character"),
        ("name", "Rex\u{1b}[31m", "The name contains a hidden character"),
        ("name", "\u{202E}xeR", "The name contains a hidden character"),
        ("name", "Rex\nMax", "The name must be one line of text"),
        ("name", long.as_str(), "The name can be at most 50 characters."),
        ("breed", "Poodle\0", "The breed contains a hidden character"),
        ("bio", "Good\u{0}dog", "The bio contains a hidden character"),
        (
            "birthday",
            "2021-+1-+1",
            "The birthday must be a real date, like 2021-04-30.",
        ),
        ("birthday", "2021-01-01\0", HIDDEN),
        ("birthday", "2999-01-01", "The birthday cannot be in the future."),
    ];
    refused_everywhere(&app, "dogs/create", &base, &cases).await;
    assert_eq!(rows(&app).await, [0; 5], "no guest, no session, no dog");

    // The form without JavaScript: back to its page with the message (in
    // the same browser: the error shows only where our redirect vouched for it).
    let b = Browser::new();
    let res = b
        .post(format!("{}/api/dogs/create", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/dogs/new", app.address))
        .form(&[("name", "Re\0x"), ("size", "small")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        back, "/dogs/new",
        "the error travels in a cookie, not the address"
    );
    let (_, page) = b.open(&app, &back).await;
    assert!(
        page.contains("The name contains a hidden character"),
        "shown at the form"
    );
    assert_eq!(rows(&app).await, [0; 5]);

    // Multi-line text keeps its lines (a browser sends \r\n from a text area).
    let b = Browser::new();
    let res = app
        .call(
            &b,
            "dogs/create",
            &[
                ("name", "Olive"),
                ("size", "large"),
                ("bio", "Calm.\r\nLoves\ttreats."),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let bio: String = sqlx::query_scalar("SELECT bio FROM dogs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(bio, "Calm.\nLoves\ttreats.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_with_hidden_characters_changes_nothing() {
    let app = spawn_app().await;
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Rex").await.to_string();
    for (field, value) in [("name", "R\0x"), ("bio", "\u{7}"), ("birthday", "2020-+2-01")] {
        let mut form = vec![("id", dog.as_str()), ("name", "Max"), ("size", "large")];
        form.retain(|(k, _)| k != &field);
        form.push((field, value));
        let res = app.call(&b, "dogs/update", &form).await;
        assert_eq!(res.status(), 400, "{field}={value:?}");
    }
    let (name, size): (String, String) = sqlx::query_as("SELECT name, size FROM dogs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((name.as_str(), size.as_str()), ("Rex", "small"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_with_hidden_characters_are_refused_before_a_guest_is_made() {
    let app = spawn_app().await;
    let base = [
        ("name", "Café Olive"),
        ("category", "cafe"),
        ("address", "Weserstraße 12"),
        ("city", "Berlin"),
        ("dogs_inside", "yes"),
        ("size_limit", "any"),
        ("mint_key", "attack-key-0123456789abcdef"),
    ];
    let long = "B".repeat(81);
    let cases = [
        ("name", "Caf\0e", "The name contains a hidden character"),
        (
            "address",
            "Street 1\r\nFloor 2",
            "The address must be one line of text",
        ),
        ("city", "Ber\u{202D}lin", "The city contains a hidden character"),
        ("city", long.as_str(), "The city can be at most 80 characters."),
        ("notes", "Ring twice\u{0}", "The note contains a hidden character"),
    ];
    refused_everywhere(&app, "suggestions/create", &base, &cases).await;
    assert_eq!(rows(&app).await, [0; 5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_with_a_hidden_character_is_refused_before_a_guest_is_made() {
    let app = spawn_app().await;
    let owner = Browser::new();
    let dog = add_dog(&app, &owner, "Rex").await;
    add_photo_row(&app, user_id(&app, &owner).await, dog).await;
    let photo: uuid::Uuid = sqlx::query_scalar("SELECT id FROM photos")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let photo = photo.to_string();
    let base = [
        ("photo", photo.as_str()),
        ("reason", "spam"),
        ("mint_key", "attack-key-0123456789abcdef"),
    ];
    let long = "n".repeat(501);
    let cases = [
        ("note", "spam\0", "The note contains a hidden character"),
        ("note", "one\ntwo", "The note must be one line of text"),
        ("note", long.as_str(), "The note can be at most 500 characters."),
    ];
    refused_everywhere(&app, "photos/report", &base, &cases).await;
    assert_eq!(app.count("users").await, 1, "only the photo's owner");
}

/// Venue cards on a rendered directory page.
fn cards(html: &str) -> usize {
    html.matches("class=\"venue-card\"").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_leaves_out_a_search_that_is_not_text_and_says_so() {
    let app = spawn_app().await;
    let long = "x".repeat(101);
    for (query, says) in [
        ("q=caf%00e", "The search contains a hidden character"),
        (
            "q=%E2%80%AEefac&water=1",
            "The search contains a hidden character",
        ),
        ("city=Ber%00lin", "The city contains a hidden character"),
        (&format!("q={long}"), "The search can be at most 100 characters."),
    ] {
        let (status, html) = app.page(&format!("/?{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert!(html.contains(says), "{query}: says why");
        assert!(html.contains("shown without it"), "{query}");
        assert!(cards(&html) > 0, "{query}: the places are shown");
        assert!(!html.contains("went wrong"), "{query}");
    }
    // The server function itself, posted with a search that is not text.
    let (status, body) = post(
        &app,
        "venues/directory",
        &[("query[filter][q]", "caf\0e"), ("query[page]", "1")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("The search contains a hidden character"), "{body}");
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_box_answers_400_with_the_reason_for_a_search_that_is_not_text() {
    let app = spawn_app().await;
    let area = "south=52.3&west=13.0&north=52.7&east=13.8";
    let long = "x".repeat(101);
    for (filter, says) in [
        ("q=caf%00e", "The search contains a hidden character"),
        ("city=Ber%00lin", "The city contains a hidden character"),
        ("q=a%1Bb", "The search contains a hidden character"),
        (&format!("q={long}"), "The search can be at most 100 characters."),
    ] {
        let res = app.get(&format!("/api/venues/box?{area}&{filter}")).await;
        assert_eq!(res.status(), 400, "{filter}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(says), "{filter}: {body}");
    }
    let fine = app.get(&format!("/api/venues/box?{area}&city=berlin")).await;
    assert_eq!(fine.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_venue_name_that_is_not_a_slug_is_no_venue() {
    let app = spawn_app().await;
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(b"not a photo".to_vec()).file_name("x.jpg"),
    );
    let res = app
        .client
        .post(format!("{}/api/photos?venue=caf%00e", app.address))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "That venue does not exist.");
    let (status, body) = post(&app, "photos/venue", &[("slug", "caf\0e")]).await;
    assert_eq!((status, body.as_str()), (200, "[]"));
    assert_eq!(rows(&app).await, [0; 5]);
}

/// A member made admin from the command line, signed in on the returned browser.
async fn admin(app: &TestApp, sink: &SmtpSink) -> Browser {
    let b = Browser::new();
    app.call(&b, "auth/magic-link", &[("email", "admin@example.com")])
        .await;
    let token = token_in(&sink.wait_for("admin@example.com", 1).await);
    let res = post_form(app, &b, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    run(&app.pool, Task::Grant("admin@example.com".into()))
        .await
        .unwrap();
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_forms_refuse_hidden_characters_too() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let boss = admin(&app, &sink).await;
    let guest = Browser::new();
    let suggestion = [
        ("name", "Café A"),
        ("category", "cafe"),
        ("address", "Hauptstr. 1"),
        ("city", "Berlin"),
        ("dogs_inside", "yes"),
        ("size_limit", "any"),
        ("lat", "52.5"),
        ("lng", "13.4"),
    ];
    assert_eq!(
        app.call(&guest, "suggestions/create", &suggestion).await.status(),
        200
    );
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM venue_suggestions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = id.to_string();
    let slug = "pawsome-bakery-berlin";
    let venue = |name: &'static str, website: &'static str| {
        let mut form = suggestion.to_vec();
        form.retain(|(k, _)| *k != "name");
        form.extend([("slug", slug), ("name", name), ("website", website)]);
        form
    };
    let mut edit = suggestion.to_vec();
    edit.extend([("id", id.as_str()), ("notes", "Ask\u{1b}")]);
    let audits = app.count("admin_audit").await;
    for (endpoint, form, says) in [
        ("admin/suggestion", edit, "The note contains a hidden character"),
        (
            "admin/reject",
            vec![("id", id.as_str()), ("reason", "Closed\0")],
            "The reason contains a hidden character",
        ),
        (
            "admin/venue-edit",
            venue("Bakery\0", ""),
            "The name contains a hidden character",
        ),
        (
            "admin/venue-edit",
            venue("Bakery", "https://bakery.example/\0"),
            "The website contains a hidden character",
        ),
        (
            "admin/people",
            vec![("q", "ex\0ample")],
            "The search contains a hidden character",
        ),
    ] {
        let res = app.call(&boss, endpoint, &form).await;
        assert_eq!(res.status(), 400, "{endpoint}");
        let body = res.text().await.unwrap();
        assert!(body.contains(says), "{endpoint}: {body}");
    }
    let (status, notes): (String, String) = sqlx::query_as("SELECT status, notes FROM venue_suggestions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((status.as_str(), notes.as_str()), ("pending", ""));
    let name: String = sqlx::query_scalar("SELECT name FROM venues WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Pawsome Bakery", "the venue is as it was");
    assert_eq!(app.count("admin_audit").await, audits, "no decision recorded");
}
