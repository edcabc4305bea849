//! Moderation: only admins (made from the command line) can see or do anything
//! admin; suggestions become venues; reported photos are hidden, deleted or
//! dismissed; a recorded merge failure is retried exactly once.

use crate::common::Browser;
use crate::common::flows::{add_dog, me, owner_of, post_form, spawn, user_id};
use crate::common::mail::{SmtpSink, token_in};
use crate::common::{TestApp, files_under};
use serde_json::Value;
use server::ops::{Task, run};

/// A member signed in by email link on the returned browser.
async fn member(app: &TestApp, sink: &SmtpSink, email: &str, n: usize) -> Browser {
    let b = Browser::new();
    app.call(&b, "auth/magic-link", &[("email", email)]).await;
    let token = token_in(&sink.wait_for(email, n).await);
    assert_eq!(
        post_form(app, &b, "/auth/confirm", &[("token", &token)])
            .await
            .status(),
        303
    );
    b
}

pub(crate) async fn admin(app: &TestApp, sink: &SmtpSink) -> Browser {
    let b = member(app, sink, "admin@example.com", 1).await;
    run(&app.pool, Task::Grant("Admin@Example.com".into()))
        .await
        .unwrap();
    b
}

fn suggestion<'a>(name: &'a str, lat: &'a str, lng: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("category", "cafe"),
        ("address", "Hauptstr. 1"),
        ("city", "Berlin"),
        ("dogs_inside", "yes"),
        ("size_limit", "any"),
        ("lat", lat),
        ("lng", lng),
    ]
}

async fn pending(app: &TestApp, admin: &Browser) -> Vec<Value> {
    let res = app.call(admin, "admin/overview", &[]).await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["suggestions"]["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_get_in_everyone_else_gets_403_and_404() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let guest = Browser::new();
    add_dog(&app, &guest, "Rex").await;
    app.call(
        &guest,
        "suggestions/create",
        &suggestion("Café A", "52.5", "13.4"),
    )
    .await;
    let sid = sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM venue_suggestions")
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string();
    let user = member(&app, &sink, "user@example.com", 1).await;
    let boss = admin(&app, &sink).await;
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("admin/overview", vec![]),
        ("admin/people", vec![("q", "example")]),
        (
            "admin/person",
            vec![("id", "00000000-0000-0000-0000-000000000000")],
        ),
        (
            "admin/ban",
            vec![("id", "00000000-0000-0000-0000-000000000000"), ("reason", "spam")],
        ),
        (
            "admin/unban",
            vec![("id", "00000000-0000-0000-0000-000000000000")],
        ),
        ("admin/audit", vec![]),
        (
            "admin/suggestion",
            [
                vec![("id", sid.as_str()), ("approve", "1")],
                suggestion("Café A", "52.5", "13.4"),
            ]
            .concat(),
        ),
        ("admin/reject", vec![("id", sid.as_str()), ("reason", "no")]),
        (
            "admin/report",
            vec![("id", "00000000-0000-0000-0000-000000000000"), ("action", "hide")],
        ),
        ("admin/retry", vec![("id", "1")]),
        ("admin/venue", vec![("slug", "pawsome-bakery-berlin")]),
        (
            "admin/venue-edit",
            [
                vec![("slug", "pawsome-bakery-berlin")],
                suggestion("Hacked", "52.5", "13.4"),
            ]
            .concat(),
        ),
    ];
    for (who, b) in [("visitor", &Browser::new()), ("guest", &guest), ("member", &user)] {
        for (endpoint, form) in &calls {
            let res = app.call(b, endpoint, form).await;
            assert_eq!(res.status(), 403, "{who} → {endpoint}");
        }
        let page = b
            .client
            .get(format!("{}/admin", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404, "{who} → /admin");
    }
    assert_eq!(app.count("venues").await, 72, "nothing was approved");
    let name: String = sqlx::query_scalar("SELECT name FROM venues WHERE slug = 'pawsome-bakery-berlin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(name, "Hacked", "nothing was edited");
    assert_eq!(app.count("admin_audit").await, 1, "only the CLI grant");
    let page = boss
        .client
        .get(format!("{}/admin", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Suggested places (1)"));
    let found: Value = app
        .call(&boss, "admin/people", &[("q", "user@")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["rows"][0]["name"], "user@example.com");
    for page in ["/admin/people", "/admin/audit"] {
        let res = user
            .client
            .get(format!("{}{page}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "member → {page}");
    }
    // Revoking takes effect on the next request.
    run(&app.pool, Task::Revoke("admin@example.com".into()))
        .await
        .unwrap();
    assert_eq!(app.call(&boss, "admin/overview", &[]).await.status(), 403);
    assert!(
        run(&app.pool, Task::Grant("nobody@example.com".into()))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_publishes_a_venue_with_a_unique_slug_and_credit() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let guest = Browser::new();
    for _ in 0..2 {
        let res = app
            .call(&guest, "suggestions/create", &suggestion("Café Pfote", "", ""))
            .await;
        assert!(res.status().is_success() || res.status().is_redirection());
    }
    let boss = admin(&app, &sink).await;
    let list = pending(&app, &boss).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["suggested_by"], "a guest");
    let ids: Vec<String> = list
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();

    // No location yet: approval refused, nothing published.
    let res = app
        .call(
            &boss,
            "admin/suggestion",
            &[
                vec![("id", ids[0].as_str()), ("approve", "1")],
                suggestion("Café Pfote", "", ""),
            ]
            .concat(),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Pick the place on the map"));
    // Edit + approve both; the second gets a different slug.
    for id in &ids {
        let form = [
            vec![("id", id.as_str()), ("approve", "1")],
            suggestion("Café Pfote", "52.52", "13.40"),
        ]
        .concat();
        let res = app.call(&boss, "admin/suggestion", &form).await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{}",
            res.status()
        );
    }
    let slugs: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT slug, suggested_by FROM venues WHERE name = 'Café Pfote' ORDER BY slug")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        slugs,
        vec![
            ("cafe-pfote-berlin".into(), Some("a guest".into())),
            ("cafe-pfote-berlin-2".into(), Some("a guest".into()))
        ]
    );
    let page = app.get("/venues/cafe-pfote-berlin").await.text().await.unwrap();
    assert!(page.contains("Suggested by a guest"));
    let mine: Value = app
        .call(&guest, "suggestions/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "approved" && s["venue_slug"].is_string())
    );
    // Approving again is refused; the audit has both approvals.
    let again = app
        .call(
            &boss,
            "admin/suggestion",
            &[
                vec![("id", ids[0].as_str()), ("approve", "1")],
                suggestion("X", "1", "1"),
            ]
            .concat(),
        )
        .await;
    assert_eq!(again.status(), 400);
    let approvals: i64 =
        sqlx::query_scalar("SELECT count(*) FROM admin_audit WHERE action = 'suggestion_approve'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(approvals, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_reason_reaches_the_suggester() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let guest = Browser::new();
    app.call(&guest, "suggestions/create", &suggestion("Nope Bar", "", ""))
        .await;
    let boss = admin(&app, &sink).await;
    let id = pending(&app, &boss).await[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.call(&boss, "admin/reject", &[("id", id.as_str()), ("reason", "")])
            .await
            .status(),
        400
    );
    let res = app
        .call(
            &boss,
            "admin/reject",
            &[("id", id.as_str()), ("reason", "Dogs only on the terrace.")],
        )
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let mine: Value = app
        .call(&guest, "suggestions/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["status"], "rejected");
    assert_eq!(mine[0]["reject_reason"], "Dogs only on the terrace.");
    let page = guest
        .client
        .get(format!("{}/suggestions", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Dogs only on the terrace."));
}

async fn upload_at_venue(app: &TestApp, b: &Browser) -> (String, String) {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([10, 120, 200]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("venue", "pawsome-bakery-berlin")
        .part("photo", reqwest::multipart::Part::bytes(png).file_name("d.png"));
    let res = b
        .client
        .post(format!("{}/api/photos", app.address))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    (
        body["photo"]["id"].as_str().unwrap().to_owned(),
        body["photo"]["storage_key"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reported_photos_are_hidden_deleted_or_dismissed() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let owner = Browser::new();
    let (hide_id, hide_key) = upload_at_venue(&app, &owner).await;
    let (del_id, del_key) = upload_at_venue(&app, &owner).await;
    let (ok_id, _) = upload_at_venue(&app, &owner).await;
    let reporter = Browser::new();
    for id in [&hide_id, &hide_id, &del_id, &ok_id] {
        let res = app
            .call(
                &reporter,
                "photos/report",
                &[("photo", id.as_str()), ("reason", "not_a_dog"), ("note", "a cat")],
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    assert_eq!(
        app.count("photo_reports").await,
        3,
        "one report per reporter per photo"
    );
    let bad = app
        .call(
            &reporter,
            "photos/report",
            &[("photo", ok_id.as_str()), ("reason", "because")],
        )
        .await;
    assert_eq!(bad.status(), 400);

    let boss = admin(&app, &sink).await;
    let overview: Value = app.call(&boss, "admin/overview", &[]).await.json().await.unwrap();
    let report_of = |media: &str| {
        overview["reports"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["photo_id"] == media)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (media, action) in [(&hide_id, "hide"), (&del_id, "delete"), (&ok_id, "dismiss")] {
        let res = app
            .call(
                &boss,
                "admin/report",
                &[("id", report_of(media).as_str()), ("action", action)],
            )
            .await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{action}: {}",
            res.status()
        );
    }
    // Hidden: not served publicly, files kept, admins still see it. A cache
    // asking again about its copy (as it must, minutes after) is told it is gone.
    assert_eq!(
        app.get(&format!("/photos/{hide_key}/thumb.jpg")).await.status(),
        404
    );
    let revalidated = app
        .client
        .get(format!("{}/photos/{hide_key}/thumb.jpg", app.address))
        .header("if-none-match", format!("\"{hide_key}-thumb\""))
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 404, "a cache's copy is not confirmed");
    let as_admin = boss
        .client
        .get(format!("{}/photos/{hide_key}/thumb.jpg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(as_admin.status(), 200);
    assert_eq!(
        as_admin.headers()["cache-control"],
        "private, no-store",
        "no shared cache may keep a hidden photo"
    );
    let listed: Value = app
        .call(
            &Browser::new(),
            "photos/venue",
            &[("slug", "pawsome-bakery-berlin")],
        )
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["photo"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        vec![ok_id.as_str()],
        "only the dismissed (fine) photo is listed"
    );
    // Deleted: row and files gone.
    assert_eq!(app.count("photos").await, 2);
    assert!(
        files_under(&app.data_dir.join("media"))
            .iter()
            .all(|p| !p.display().to_string().contains(&del_key))
    );
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM photo_reports WHERE resolved_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(open, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_merge_failure_is_retried_exactly_once() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let owner = member(&app, &sink, "owner@example.com", 1).await;
    let account = user_id(&app, &owner).await;
    let b = Browser::new();
    let dogs = [add_dog(&app, &b, "Rex").await, add_dog(&app, &b, "Fifi").await];
    let guest = user_id(&app, &b).await;
    sqlx::raw_sql(
        "CREATE FUNCTION fail_merge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$;
         CREATE TRIGGER fail_merge BEFORE UPDATE OF user_id ON dogs FOR EACH ROW EXECUTE FUNCTION fail_merge();",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    app.call(&b, "auth/magic-link", &[("email", "owner@example.com")])
        .await;
    let token = token_in(&sink.wait_for("owner@example.com", 2).await);
    post_form(&app, &b, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(user_id(&app, &b).await, account);
    let listed = run(&app.pool, Task::ListClaims).await.unwrap();
    assert!(
        listed.contains("owner@example.com") && listed.contains("injected"),
        "{listed}"
    );

    // Still failing: the retry changes nothing and keeps the failure open.
    assert!(
        run(&app.pool, Task::RetryAll)
            .await
            .unwrap()
            .contains("failed again")
    );
    assert_eq!(owner_of(&app, dogs[0]).await, guest);
    sqlx::raw_sql("DROP TRIGGER fail_merge ON dogs")
        .execute(&app.pool)
        .await
        .unwrap();

    // Two retries at once: exactly one moves the rows.
    let boss = admin(&app, &sink).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM claim_failures")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id_text = id.to_string();
    let form = [("id", id_text.as_str())];
    let (a, b2) = tokio::join!(
        run(&app.pool, Task::Retry(id)),
        app.call(&boss, "admin/retry", &form)
    );
    assert!(a.is_ok());
    assert!(
        b2.status().is_success() || b2.status().is_redirection(),
        "{}",
        b2.status()
    );
    for dog in dogs {
        assert_eq!(owner_of(&app, dog).await, account);
    }
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM claim_audit WHERE from_user = $1")
        .bind(guest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(audits, 1, "merged exactly once");
    let (resolved, how): (bool, Option<String>) =
        sqlx::query_as("SELECT resolved_at IS NOT NULL, resolution FROM claim_failures WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(resolved);
    assert_eq!(how.as_deref(), Some("merged"));
    assert_eq!(
        run(&app.pool, Task::Retry(id)).await.unwrap(),
        format!("{id}: nothing to do\n")
    );
    assert!(me(&app, &owner).await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edit_of_a_venue_moves_updated_at_and_is_audited() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let boss = admin(&app, &sink).await;
    sqlx::query(
        "UPDATE venues SET updated_at = now() - interval '30 days' WHERE slug = 'pawsome-bakery-berlin'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let page = boss
        .client
        .get(format!("{}/admin/venue?slug=pawsome-bakery-berlin", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let form = [
        vec![("slug", "pawsome-bakery-berlin")],
        suggestion("Pawsome Bakery & Café", "52.51", "13.41"),
    ]
    .concat();
    let res = app.call(&boss, "admin/venue-edit", &form).await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let (name, fresh, marked): (String, bool, bool) = sqlx::query_as(
        "SELECT name, updated_at > now() - interval '1 minute', admin_edited_at IS NOT NULL
         FROM venues WHERE slug = 'pawsome-bakery-berlin'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(name, "Pawsome Bakery & Café");
    assert!(fresh, "updated_at moved");
    assert!(marked, "an OpenStreetMap import never overwrites it now");
    let (action, before): (String, Value) = sqlx::query_as(
        "SELECT action, details->'before' FROM admin_audit WHERE subject = 'pawsome-bakery-berlin'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(action, "venue_edit");
    assert_ne!(
        before["name"], "Pawsome Bakery & Café",
        "the audit keeps the old values"
    );
    let website = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT website FROM venues WHERE slug = 'pawsome-bakery-berlin'",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let kept = website(&app).await;
    let with = |w: &'static str| {
        [
            vec![("slug", "pawsome-bakery-berlin"), ("website", w)],
            suggestion("Pawsome Bakery & Café", "52.51", "13.41"),
        ]
        .concat()
    };
    let res = app
        .call(&boss, "admin/venue-edit", &with("javascript:alert(1)"))
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(website(&app).await, kept);
    app.call(&boss, "admin/venue-edit", &with("https://example.org/pfote"))
        .await;
    assert_eq!(website(&app).await.as_deref(), Some("https://example.org/pfote"));
    app.call(&boss, "admin/venue-edit", &with("")).await;
    assert_eq!(
        website(&app).await,
        None,
        "an admin removes a link someone else set"
    );
    let missing = [vec![("slug", "no-such-venue")], suggestion("X", "1", "1")].concat();
    assert_eq!(app.call(&boss, "admin/venue-edit", &missing).await.status(), 404);
    let no_location = [vec![("slug", "pawsome-bakery-berlin")], suggestion("X", "", "")].concat();
    assert_eq!(
        app.call(&boss, "admin/venue-edit", &no_location).await.status(),
        400
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_queues_come_a_page_at_a_time_and_credit_only_a_chosen_name() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let suggester = member(&app, &sink, "bella.mueller@example.com", 1).await;
    let id = user_id(&app, &suggester).await;
    sqlx::query(
        "INSERT INTO venue_suggestions (user_id, name, category, address, city, dogs_inside, size_limit, created_at)
         SELECT $1, 'Place ' || i, 'cafe', 'Street ' || i, 'Berlin', 'yes', 'any', now() - make_interval(mins => 100 - i)
         FROM generate_series(1, 30) i",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    let boss = admin(&app, &sink).await;
    let page = async |n: &str| -> Value {
        app.call(&boss, "admin/overview", &[("page", n)])
            .await
            .json::<Value>()
            .await
            .unwrap()["suggestions"]
            .clone()
    };
    let first = page("0").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 25);
    assert_eq!(first["more"], true);
    assert_eq!(first["items"][0]["name"], "Place 1", "oldest first");
    let second = page("1").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 5);
    assert_eq!(second["more"], false);
    // Without a chosen name the credit says "a member", never part of the address.
    assert_eq!(first["items"][0]["suggested_by"], "a member");
    let res = app
        .call(&suggester, "account/name", &[("name", "  Bella  ")])
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(page("0").await["items"][0]["suggested_by"], "Bella");
    for bad in [
        "x".repeat(61),
        "\u{200B}".to_owned(),
        "Bella\u{202E}".to_owned(),
        "...".to_owned(),
    ] {
        let res = app.call(&suggester, "account/name", &[("name", &bad)]).await;
        assert_eq!(res.status(), 400, "{bad:?}");
    }
    assert_eq!(page("0").await["items"][0]["suggested_by"], "Bella", "unchanged");
    // Page numbers past the end are the last page, not an overflow.
    let far: Value = app
        .call(&boss, "admin/overview", &[("page", "4294967295")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(far["page"], 200);
}
