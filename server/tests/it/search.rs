//! Search as people type it, over HTTP: "Berlin, Germany" in either field,
//! "flat white berlin" (a kind and a city), a street, a name counted in a
//! crowded view, junk that gets a clear answer, and the place field's
//! suggestions by prefix, biggest first.

use crate::common::{TestApp, spawn_app};
use paws_inside::venues::filter::encode;
use serde_json::Value;

/// The slugs of the venue cards in a rendered page, in order.
fn slugs(html: &str) -> Vec<String> {
    html.split("class=\"venue-card\"")
        .skip(1)
        .filter_map(|card| {
            let start = card.find("href=\"/venues/")? + 14;
            Some(card[start..start + card[start..].find('"')?].to_owned())
        })
        .collect()
}

/// The home page for `key=value`: its HTML, answered with 200.
async fn search(app: &TestApp, key: &str, value: &str) -> String {
    let (status, html) = app.page(&format!("/?{key}={}", encode(value))).await;
    assert_eq!(status, 200, "{key}={value}");
    html
}

/// The seed's venues matching `condition`, as slugs, sorted.
async fn seeded(app: &TestApp, condition: &str) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT slug FROM venues WHERE {condition} ORDER BY slug"
    ))
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn berlin_germany_finds_berlin_in_the_search_and_the_city_field() {
    let app = spawn_app().await;
    let berlin = seeded(&app, "city = 'Berlin'").await;
    assert_eq!(berlin.len(), 12);
    for key in ["q", "city"] {
        for typed in ["Berlin, Germany", "berlin germany", "BERLIN,DE"] {
            if key == "q" && typed == "BERLIN,DE" {
                continue; // "de" is no country word in the search (it is in names)
            }
            let html = search(&app, key, typed).await;
            assert!(html.contains("12 places in view"), "{key}={typed}");
            assert_eq!(sorted(slugs(&html)), berlin, "{key}={typed}");
            assert!(!html.contains("No places there yet"), "{key}={typed}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_of_place_matches_the_kind_not_the_name() {
    let app = spawn_app().await;
    let cafes = seeded(&app, "city = 'Berlin' AND category = 'cafe'").await;
    assert_eq!(cafes.len(), 3, "the seed's Berlin cafés");
    for typed in [
        "flat white berlin",
        "Espresso in Berlin",
        "coffee, Berlin, Germany",
        "Café berlin",
    ] {
        let html = search(&app, "q", typed).await;
        assert!(html.contains("3 places in view"), "{typed}");
        assert_eq!(sorted(slugs(&html)), cafes, "{typed}");
    }
    let html = search(&app, "q", "beer amsterdam").await;
    assert_eq!(
        sorted(slugs(&html)),
        seeded(&app, "city = 'Amsterdam' AND category = 'bar'").await
    );
    // The map's answer for the same search holds the same places.
    let res = app
        .get(&format!(
            "/api/venues/box?south=52.4&west=13.2&north=52.6&east=13.6&q={}",
            encode("flat white berlin")
        ))
        .await;
    assert_eq!(res.status(), 200);
    let view: Value = res.json().await.unwrap();
    let mut on_map: Vec<String> = view["markers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["slug"].as_str().unwrap().to_owned())
        .collect();
    on_map.sort();
    assert_eq!(on_map, cafes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streets_and_names_are_searched_together_with_the_city() {
    let app = spawn_app().await;
    let html = search(&app, "q", "Weserstraße").await;
    assert_eq!(
        sorted(slugs(&html)),
        seeded(&app, "address LIKE 'Weserstraße %'").await
    );
    let html = search(&app, "q", "kastanienallee 45").await;
    assert_eq!(slugs(&html), seeded(&app, "address = 'Kastanienallee 45'").await);
    let html = search(&app, "q", "pawsome paris").await;
    assert_eq!(slugs(&html), vec!["pawsome-bakery-paris".to_owned()]);
    let html = search(&app, "q", "Dachshund").await;
    assert!(html.contains("6 places in view"), "one in each city");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_search_in_a_crowded_view_is_counted() {
    let app = spawn_app().await;
    // More venues than a filtered view groups on the fly, in the Alps.
    sqlx::query(
        "INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit)
         SELECT 'crowd-' || i, 'Crowd ' || i, 'cafe', 'Street ' || i, 'Crowdville',
                point(8 + (i * 7919 % 1000) / 250.0, 45 + (i * 104729 % 1000) / 500.0), 'yes', 'any'
         FROM generate_series(1, 20500) i",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE venues").execute(&app.pool).await.unwrap();
    let html = search(&app, "q", "Dachshund").await;
    assert!(html.contains("6 places in view"), "counted, not guessed");
    assert!(!html.contains("zoom in to count"));
    let html = search(&app, "q", "crowd").await;
    assert!(html.contains("More than 1\u{a0}000 places in view"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_long_and_sql_like_searches_get_a_clear_answer() {
    let app = spawn_app().await;
    for typed in [
        "'; DROP TABLE venues; --",
        "zz' OR 'zz'='zz",
        "%%% _ \\",
        "qq:* & xx | !zz <-> (jj)",
        "zzzzqqqq",
    ] {
        let html = search(&app, "q", typed).await;
        assert!(html.contains("No places match"), "{typed}");
    }
    // Only signs, fillers or a country: nothing to search for, every place shows.
    let html = search(&app, "q", "!!! ??? Germany").await;
    assert!(html.contains("72 places in view"));
    let html = search(&app, "q", &"x".repeat(101)).await;
    assert!(html.contains("The search can be at most 100 characters."));
    let many_words: String = (0..40).map(|i| format!("{i} ")).collect();
    let html = search(&app, "q", &many_words[..100]).await;
    assert!(html.contains("No places match"));
    let html = search(&app, "q", "ber\u{202E}lin").await;
    assert!(html.contains("data-left-out"));
    assert_eq!(app.count("venues").await, 72, "nothing changed");
    let res = app
        .get("/api/venues/box?south=40&west=-5&north=60&east=20&q=%27%3B+DROP")
        .await;
    assert_eq!(res.status(), 200);
}

async fn places(app: &TestApp, prefix: &str) -> (u16, Value) {
    let res = app
        .get(&format!("/api/venues/places?prefix={}", encode(prefix)))
        .await;
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn place_suggestions_by_prefix_biggest_first() {
    let app = spawn_app().await;
    for (city, n) in [("Bergen", 1), ("Bern", 20), ("Paris", 5)] {
        sqlx::query(
            "INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit)
             SELECT lower($1) || '-extra-' || i, 'Extra ' || i, 'cafe', 'Street ' || i, $1,
                    point(7.4, 46.9), 'yes', 'any'
             FROM generate_series(1, $2) i",
        )
        .bind(city)
        .bind(n)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    assert_eq!(
        places(&app, "ber").await,
        (200, serde_json::json!(["Bern", "Berlin", "Bergen"]))
    );
    assert_eq!(places(&app, "BERL").await.1, serde_json::json!(["Berlin"]));
    let (_, all) = places(&app, "").await;
    assert_eq!(all[0], "Bern");
    assert_eq!(all[1], "Paris", "17 venues, then the seed's 12 each");
    assert_eq!(places(&app, "%").await.1, serde_json::json!([]), "no wildcards");
    assert_eq!(places(&app, "zz").await.1, serde_json::json!([]));
    assert_eq!(places(&app, &"b".repeat(101)).await.0, 400);
    // The home page's place field offers the biggest first too.
    let (_, html) = app.page("/").await;
    let bern = html.find("<option value=\"Bern\"").unwrap();
    let berlin = html.find("<option value=\"Berlin\"").unwrap();
    assert!(bern < berlin);
}
