//! Suggest a venue: a place already listed (the same name close by, or the
//! same address) is answered "Is it this place?" with nothing written, unless
//! the person says it is a different place; kind, dog policy and sizes must be
//! chosen (the form picks none), or nothing is written either.

use crate::common::{Browser, TestApp, spawn_app};
use serde_json::Value;

/// A complete suggestion of `name` at `address`, Berlin, at `lat`/`lng`.
fn form<'a>(name: &'a str, address: &'a str, lat: &'a str, lng: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("category", "bakery"),
        ("address", address),
        ("city", "Berlin"),
        ("dogs_inside", "yes"),
        ("size_limit", "any"),
        ("lat", lat),
        ("lng", lng),
    ]
}

/// Sends a suggestion from a new browser: the status and the answer's text.
async fn suggest(app: &TestApp, form: &[(&str, &str)]) -> (u16, String) {
    let res = app.call(&Browser::new(), "suggestions/create", form).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Where the seed's Pawsome Bakery in Berlin is, and its address.
async fn pawsome(app: &TestApp) -> (f64, f64, String) {
    sqlx::query_as(
        "SELECT location[1], location[0], address FROM venues WHERE slug = 'pawsome-bakery-berlin'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Nothing stored and nobody made: no suggestion row, no guest.
async fn nothing_written(app: &TestApp, users_before: i64) {
    assert_eq!(app.count("venue_suggestions").await, 0);
    assert_eq!(app.count("users").await, users_before, "no guest was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_name_close_by_asks_is_it_this_place() {
    let app = spawn_app().await;
    let users = app.count("users").await;
    let (lat, lng, _) = pawsome(&app).await;
    // About 55 m north, spelled differently, on another street.
    let (near_lat, lng_s) = (format!("{:.6}", lat + 0.0005), format!("{lng:.6}"));
    let (status, text) = suggest(&app, &form("pawsome-bakery", "Somewhere 1", &near_lat, &lng_s)).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("Is it this place? “Pawsome Bakery”"), "{text}");
    assert!(text.contains("It is a different place"), "{text}");
    nothing_written(&app, users).await;
    // The form asks for the listed place to link to it.
    let res = app
        .call(
            &Browser::new(),
            "suggestions/look-alikes",
            &[
                ("name", "Pawsome Bakery"),
                ("address", "Somewhere 1"),
                ("city", "Berlin"),
                ("lat", &near_lat),
                ("lng", &lng_s),
            ],
        )
        .await;
    let listed: Value = res.json().await.unwrap();
    assert_eq!(listed[0]["slug"], "pawsome-bakery-berlin");
    // About 330 m away it is another place of that name.
    let far_lat = format!("{:.6}", lat + 0.003);
    let (status, text) = suggest(&app, &form("Pawsome Bakery", "Somewhere 1", &far_lat, &lng_s)).await;
    assert_eq!(status, 200, "{text}");
    // Close by, when the person says it is a different place.
    let mut different = form("Pawsome Bakery", "Somewhere 2", &near_lat, &lng_s);
    different.push(("different_place", "1"));
    let (status, text) = suggest(&app, &different).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(app.count("venue_suggestions").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_address_asks_is_it_this_place_however_it_is_written() {
    let app = spawn_app().await;
    let users = app.count("users").await;
    let (_, _, address) = pawsome(&app).await;
    let written_otherwise = address
        .to_uppercase()
        .replace("STRASSE", "STR.")
        .replace(' ', "  ");
    let street_short = address.replace("straße", "str.");
    for typed in [
        address.as_str(),
        written_otherwise.as_str(),
        street_short.as_str(),
    ] {
        let mut f = form("Brand New Name", typed, "", "");
        f[3] = ("city", "berlin");
        let (status, text) = suggest(&app, &f).await;
        assert_eq!(status, 400, "{typed}: {text}");
        assert!(
            text.contains("Is it this place? “Pawsome Bakery”"),
            "{typed}: {text}"
        );
    }
    nothing_written(&app, users).await;
    let next_door = format!("{address}a");
    let (status, text) = suggest(&app, &form("Brand New Name", &next_door, "", "")).await;
    assert_eq!(status, 200, "another house number is another place: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kind_policy_and_sizes_must_be_chosen() {
    let app = spawn_app().await;
    let users = app.count("users").await;
    let mut f = form("Café Neu", "Neue Straße 1", "", "");
    f.retain(|(k, _)| !["category", "dogs_inside", "size_limit"].contains(k));
    f.extend([("category", ""), ("dogs_inside", "")]);
    let (status, text) = suggest(&app, &f).await;
    assert_eq!(status, 400, "{text}");
    for problem in [
        "Please choose what kind of place it is.",
        "Please say where dogs may go inside.",
        "Please choose which dog sizes are welcome.",
    ] {
        assert!(text.contains(problem), "{problem}: {text}");
    }
    nothing_written(&app, users).await;
    // The form itself picks nothing: each select starts on an empty "Choose…".
    let (_, html) = app.page("/suggest").await;
    for id in ["s-category", "s-inside", "s-size"] {
        let select = &html[html.find(&format!("id=\"{id}\"")).unwrap()..];
        let first = &select[select.find("<option").unwrap()..];
        assert!(
            first.starts_with("<option value=\"\" selected"),
            "{id}: {}",
            &first[..60]
        );
        assert_eq!(
            select[..select.find("</select>").unwrap()]
                .matches("selected")
                .count(),
            1,
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_moves_to_the_typed_street_and_city() {
    let app = spawn_app().await;
    let area = |city: &'static str, street: &'static str| {
        let app = &app;
        async move {
            let res = app
                .call(
                    &Browser::new(),
                    "venues/area",
                    &[("city", city), ("street", street)],
                )
                .await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let berlin = area("Berlin, Germany", "").await;
    let view: Vec<f64> = serde_json::from_str(berlin.as_str().unwrap()).unwrap();
    assert!(
        view[0] > 52.4 && view[2] < 52.6 && view[1] > 13.3 && view[3] < 13.5,
        "{view:?}"
    );
    let street = area("berlin", "Weserstraße 999").await;
    let (lat, lng): (f64, f64) = sqlx::query_as(
        "SELECT min(location[1]), min(location[0]) FROM venues WHERE address LIKE 'Weserstraße %'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let street: Vec<f64> = serde_json::from_str(street.as_str().unwrap()).unwrap();
    assert!(
        (street[0] - lat).abs() < 1e-9 && (street[1] - lng).abs() < 1e-9,
        "the street's venues, not the whole city: {street:?}"
    );
    assert_eq!(area("Atlantis", "").await, Value::Null);
}
