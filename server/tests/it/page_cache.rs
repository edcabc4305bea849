//! The page cache keeps the public pages (`/`, venue pages) rendered for
//! visitors without a cookie, and drops them only when a flow says a public
//! page changed — never because of the request's method. Whether a page came
//! from the cache is seen as a visitor would see it: the venue is renamed
//! behind the server's back, and a cached copy still shows the old name.

use crate::admin::admin;
use crate::common::flows::{add_dog, spawn_env};
use crate::common::mail::SmtpSink;
use crate::common::{Browser, TestApp, settings, spawn_with};
use crate::photos::{png, upload};
use serde_json::Value;

pub(crate) const VENUE: &str = "/venues/pawsome-bakery-berlin";
pub(crate) const SLUG: &str = "pawsome-bakery-berlin";

/// A minute's cache: a page not dropped stays for the whole test.
pub(crate) const CACHED: (&str, &str) = ("PAGE_CACHE_SECONDS", "60");

/// Renders the venue page into `app`'s cache, then renames the venue behind
/// the server's back; returns the new name, which a cached copy does not show.
pub(crate) async fn cache_then_rename(app: &TestApp, pool: &sqlx::PgPool, n: u32) -> String {
    let (status, _) = app.page(VENUE).await;
    assert_eq!(status, 200);
    let name = format!("Renamed Bakery {n}");
    sqlx::query("UPDATE venues SET name = $1 WHERE slug = $2")
        .bind(&name)
        .bind(SLUG)
        .execute(pool)
        .await
        .unwrap();
    assert!(
        !app.page(VENUE).await.1.contains(&name),
        "the page is served from the cache"
    );
    name
}

/// Whether `app` serves the venue page as it is now (not a cached copy).
pub(crate) async fn fresh(app: &TestApp, name: &str) -> bool {
    app.page(VENUE).await.1.contains(name)
}

/// What `app.call` answered, as a status class.
fn ok(res: &reqwest::Response) -> bool {
    res.status().is_success() || res.status().is_redirection()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_change_no_public_page_leave_it_cached() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    let name = cache_then_rename(&app, &app.pool, 1).await;

    // Anonymous POSTs that succeed: who am I, a guest made, a dog added,
    // renamed, a photo of it (not at a venue). (A "no" shows on the venue's
    // page at once: see the next test.)
    let guest = Browser::new();
    assert_eq!(app.call(&Browser::new(), "auth/me", &[]).await.status(), 200);
    assert_eq!(app.call(&guest, "auth/anonymous", &[]).await.status(), 200);
    let dog = add_dog(&app, &guest, "Bentley").await.to_string();
    let renamed = app
        .call(
            &guest,
            "dogs/update",
            &[("id", &dog), ("name", "Bentley II"), ("size", "small")],
        )
        .await;
    assert!(ok(&renamed), "{}", renamed.status());
    let photo = upload(&app, &guest, png(40, 30), "b.png", &[("dog", &dog)]).await;
    assert_eq!(photo.status(), 201);
    // Refused ones.
    let maybe = [("slug", SLUG), ("answer", "maybe")];
    assert_eq!(app.call(&guest, "venues/check", &maybe).await.status(), 400);
    let nameless = app
        .call(&guest, "dogs/create", &[("name", ""), ("size", "small")])
        .await;
    assert!(nameless.status().is_client_error());

    assert!(
        !fresh(&app, &name).await,
        "a request that changed no public page dropped the cached one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_no_answer_drops_the_cached_pages() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    // A "no" shows at once (dated, not yet reviewed) and moves the verdict.
    let name = cache_then_rename(&app, &app.pool, 1).await;
    let no = [("slug", SLUG), ("answer", "no")];
    assert_eq!(app.call(&Browser::new(), "venues/check", &no).await.status(), 200);
    assert!(fresh(&app, &name).await, "a no answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_public_change_drops_the_cached_pages() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    let guest = Browser::new();

    // "Dogs still welcome inside? Yes" counts on the page.
    let name = cache_then_rename(&app, &app.pool, 1).await;
    let yes = [("slug", SLUG), ("answer", "yes")];
    assert_eq!(app.call(&guest, "venues/check", &yes).await.status(), 200);
    assert!(fresh(&app, &name).await, "a yes answer");

    // A photo taken at the venue, of a dog.
    let name = cache_then_rename(&app, &app.pool, 2).await;
    let dog = add_dog(&app, &guest, "Bentley").await.to_string();
    let res = upload(
        &app,
        &guest,
        png(40, 30),
        "v.png",
        &[("venue", SLUG), ("dog", &dog)],
    )
    .await;
    assert_eq!(res.status(), 201);
    let photo = res.json::<Value>().await.unwrap()["photo"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(fresh(&app, &name).await, "a photo at the venue");

    // The dog's name is under that photo.
    let name = cache_then_rename(&app, &app.pool, 3).await;
    let renamed = app
        .call(
            &guest,
            "dogs/update",
            &[("id", &dog), ("name", "Bentley II"), ("size", "small")],
        )
        .await;
    assert!(ok(&renamed), "{}", renamed.status());
    assert!(fresh(&app, &name).await, "a dog seen at the venue renamed");

    // Reported (no change yet), then hidden by an admin.
    let name = cache_then_rename(&app, &app.pool, 4).await;
    let report = [("photo", photo.as_str()), ("reason", "spam")];
    assert_eq!(
        app.call(&Browser::new(), "photos/report", &report).await.status(),
        200
    );
    assert!(!fresh(&app, &name).await, "a report changes nothing public");
    let report: uuid::Uuid = sqlx::query_scalar("SELECT id FROM photo_reports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let boss = admin(&app, &sink).await;
    let hide = [("id", report.to_string()), ("action", "hide".into())];
    let hide: Vec<(&str, &str)> = hide.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.call(&boss, "admin/report", &hide).await;
    assert!(ok(&res), "{}", res.status());
    assert!(fresh(&app, &name).await, "an admin hid a photo shown there");

    // A guest discards its data (the erase hook): a dog's own photo changes
    // nothing public; one shown at the venue drops the copies, after its rows
    // and files have gone.
    for (at_venue, n) in [(false, 5), (true, 6)] {
        let other = Browser::new();
        let dog = add_dog(&app, &other, "Pip").await.to_string();
        let mut fields = vec![("dog", dog.as_str())];
        if at_venue {
            fields.push(("venue", SLUG));
        }
        let res = upload(&app, &other, png(40, 30), "p.png", &fields).await;
        assert_eq!(res.status(), 201);
        let name = cache_then_rename(&app, &app.pool, n).await;
        let res = app
            .call(&other, "account/discard-guest", &[("confirm", "1")])
            .await;
        assert!(ok(&res), "{}", res.status());
        assert_eq!(
            fresh(&app, &name).await,
            at_venue,
            "discarded, photo at the venue: {at_venue}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_for_a_cookie_is_never_kept_for_visitors() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    let guest = Browser::new();
    // The guest's own things: its answer today and its dog, offered in the
    // venue page's upload form.
    let yes = [("slug", SLUG), ("answer", "yes")];
    assert_eq!(app.call(&guest, "venues/check", &yes).await.status(), 200);
    add_dog(&app, &guest, "Bentley-of-the-guest").await;
    let (status, own) = guest.open(&app, VENUE).await;
    assert_eq!(status, 200);
    assert!(
        own.contains("You said yes today"),
        "the guest's render shows its answer"
    );
    assert!(own.contains("Bentley-of-the-guest"), "and its dog");

    // The very next visitor without a cookie, and one more (a hit, if anything was kept).
    for _ in 0..2 {
        let (_, public) = app.page(VENUE).await;
        assert!(
            !public.contains("You said yes today") && !public.contains("Bentley-of-the-guest"),
            "a visitor was served the guest's page"
        );
    }
}

/// Waits until `app` serves the venue page showing `name` (another
/// instance's change reaches it through Postgres, a few milliseconds later).
async fn until_fresh(app: &TestApp, name: &str, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !fresh(app, name).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the other instance still serves its copy from before: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_changes_reach_the_other_instances_and_so_do_the_commands() {
    let sink = SmtpSink::start();
    let database = crate::common::fresh_database().await;
    let env = sink.env();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.push(CACHED);
    let a = spawn_with(settings(&database, &env)).await;
    let b_dir = format!("{}-b", a.data_dir.display());
    env.push(("DATA_DIR", &b_dir));
    let b = spawn_with(settings(&database, &env)).await;
    let guest = Browser::new();

    let name = cache_then_rename(&b, &b.pool, 1).await;
    let yes = [("slug", SLUG), ("answer", "yes")];
    assert_eq!(a.call(&guest, "venues/check", &yes).await.status(), 200);
    until_fresh(&b, &name, "a yes answer").await;

    let name = cache_then_rename(&b, &b.pool, 2).await;
    let res = upload(&a, &guest, png(40, 30), "v.png", &[("venue", SLUG)]).await;
    assert_eq!(res.status(), 201);
    until_fresh(&b, &name, "a photo at the venue").await;

    cache_then_rename(&b, &b.pool, 3).await;
    let boss = admin(&a, &sink).await;
    let edit = [
        ("slug", SLUG),
        ("name", "Edited Bakery"),
        ("category", "cafe"),
        ("address", "Hauptstr. 1"),
        ("city", "Berlin"),
        ("dogs_inside", "yes"),
        ("size_limit", "any"),
        ("lat", "52.5"),
        ("lng", "13.4"),
    ];
    let res = a.call(&boss, "admin/venue-edit", &edit).await;
    assert!(ok(&res), "{}", res.status());
    until_fresh(&b, "Edited Bakery", "an admin's edit").await;

    // `server import-osm` runs as a process of its own: it tells the servers.
    let name = cache_then_rename(&b, &b.pool, 4).await;
    let fixture =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osm/dogs.osm.pbf");
    server::osm::import_file(&a.pool, fixture.to_str().unwrap(), None)
        .await
        .unwrap();
    until_fresh(&b, &name, "an OpenStreetMap import").await;
}

/// The header shows a guest its dogs ("Your dogs: 1 · Keep them"): that page is
/// the guest's own, so it is never stored, and a visitor asking for the same
/// URL right after gets a reader's header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guests_header_is_never_served_to_a_visitor() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &[CACHED]).await;
    let guest = Browser::new();
    add_dog(&app, &guest, "Bentley").await;
    for path in ["/?city=Berlin", VENUE] {
        let (status, mine) = guest.open(&app, path).await;
        assert_eq!(status, 200);
        assert!(
            mine.contains("Your dogs: 1 · Keep them"),
            "{path}: the guest sees its dogs"
        );
        for _ in 0..2 {
            let (status, theirs) = app.page(path).await;
            assert_eq!(status, 200);
            assert!(
                !theirs.contains("Your dogs"),
                "{path}: a visitor never sees a guest's header"
            );
            assert!(
                theirs.contains("user-badge\">Sign in<"),
                "{path}: a visitor is offered to sign in"
            );
        }
    }
}
