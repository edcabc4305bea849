//! The map's answers over HTTP (`/api/venues/box`): markers when few are in
//! view, clusters from the trigger-kept grid when many are, clusters on the
//! fly for filters, and the grid staying true through inserts, moves and
//! deletes. Also the estimate the list shows for a crowded view.

use crate::common::spawn_app;
use paws_inside::venues::grid::{MAX_STORED_LEVEL, MIN_LEVEL, cell_x, cell_y};
use serde_json::Value;
use sqlx::PgPool;

async fn map(app: &crate::common::TestApp, query: &str) -> Value {
    let res = app.get(&format!("/api/venues/box?{query}")).await;
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.unwrap()
}

/// `n` generated venues spread over a box in the Alps, where the seed has none.
async fn crowd(pool: &PgPool, n: i32, category: &str) {
    sqlx::query(
        "INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit)
         SELECT 'crowd-' || $2 || '-' || i, 'Crowd ' || i, $2, 'Street ' || i, 'Crowdville',
                point(8 + (i * 7919 % 1000) / 250.0, 45 + (i * 104729 % 1000) / 500.0), 'yes', 'any'
         FROM generate_series(1, $1) i",
    )
    .bind(n)
    .bind(category)
    .execute(pool)
    .await
    .unwrap();
}

/// Every level of `venue_cells` against a recount from `venues`, and the cities too.
async fn assert_grid_is_true(pool: &PgPool) {
    let wrong: i64 = sqlx::query_scalar(
        "WITH truth AS (
             SELECT g, paws_cell_x(location[0], g) AS cx, paws_cell_y(location[1], g) AS cy,
                    count(*)::int AS n, sum(location[0]) AS sum_lng
             FROM venues CROSS JOIN generate_series($1::int, $2::int) g GROUP BY 1, 2, 3)
         SELECT count(*) FROM truth t FULL JOIN venue_cells c USING (g, cx, cy)
         WHERE t.n IS DISTINCT FROM c.n OR abs(t.sum_lng - c.sum_lng) > 1e-6",
    )
    .bind(i32::from(MIN_LEVEL))
    .bind(i32::from(MAX_STORED_LEVEL))
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(wrong, 0, "cells differ from a recount");
    let wrong: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT city AS name, count(*)::int AS n FROM venues GROUP BY 1) t
         FULL JOIN venue_cities c USING (name) WHERE t.n IS DISTINCT FROM c.n",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(wrong, 0, "cities differ from a recount");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn few_venues_are_markers_and_a_filter_narrows_them() {
    let app = spawn_app().await;
    let body = map(&app, "south=52.3&west=13.0&north=52.7&east=13.8&zoom=11").await;
    let markers = body["markers"].as_array().unwrap();
    assert_eq!(
        (markers.len(), body["total"].as_i64()),
        (12, Some(12)),
        "the Berlin venues"
    );
    assert!(body["clusters"].as_array().unwrap().is_empty());
    for m in markers {
        let (lat, lng) = (m["lat"].as_f64().unwrap(), m["lng"].as_f64().unwrap());
        assert!((52.3..=52.7).contains(&lat) && (13.0..=13.8).contains(&lng));
    }
    let body = map(&app, "south=52.3&west=13.0&north=52.7&east=13.8&category=hotel").await;
    assert_eq!(body["markers"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_venues_are_clusters_that_add_up_and_stay_true_after_writes() {
    let app = spawn_app().await;
    crowd(&app.pool, 3000, "cafe").await;
    crowd(&app.pool, 400, "bar").await;
    assert_grid_is_true(&app.pool).await;

    let in_alps: i64 = sqlx::query_scalar("SELECT count(*) FROM venues WHERE city = 'Crowdville'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let body = map(&app, "south=44&west=7&north=48&east=13&zoom=6").await;
    let clusters = body["clusters"].as_array().unwrap();
    assert!(body["markers"].as_array().unwrap().is_empty());
    assert!(clusters.len() > 1, "grouped into several cells");
    let sum: i64 = clusters.iter().map(|c| c["n"].as_i64().unwrap()).sum();
    assert_eq!((sum, body["total"].as_i64().unwrap()), (in_alps, in_alps));
    for c in clusters {
        let (lat, lng) = (c["lat"].as_f64().unwrap(), c["lng"].as_f64().unwrap());
        assert!(c["south"].as_f64().unwrap() <= lat && lat <= c["north"].as_f64().unwrap());
        assert!(c["west"].as_f64().unwrap() <= lng && lng <= c["east"].as_f64().unwrap());
    }
    // Filtered: grouped on the fly, only the matching venues.
    let body = map(&app, "south=44&west=7&north=48&east=13&zoom=6&category=cafe").await;
    let sum: i64 = body["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["n"].as_i64().unwrap())
        .sum();
    assert_eq!((sum, body["capped"].as_bool()), (3000, Some(false)));
    // Close in, a few are markers again.
    let body = map(&app, "south=45&west=8&north=45.05&east=8.05&zoom=15").await;
    assert!(body["clusters"].as_array().unwrap().is_empty());

    // Moves, a city rename and deletes keep the grid and the cities true.
    sqlx::query(
        "UPDATE venues SET location = point(2.35, 48.85), city = 'Paris' WHERE slug LIKE 'crowd-bar-%'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE venues SET name = 'Renamed' WHERE slug = 'crowd-cafe-1'")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM venues WHERE slug LIKE 'crowd-cafe-1%'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_grid_is_true(&app.pool).await;
    let body = map(&app, "south=44&west=7&north=48&east=13&zoom=6").await;
    assert_eq!(
        body["total"].as_i64(),
        Some(3000 - 1111),
        "the deleted ones are gone from the map"
    );

    // The list's count: exact up to 1 000, then an estimate, labelled.
    let (_, html) = app.page("/?view=44,7,48,13").await;
    assert!(
        html.contains("About 1\u{a0}889 places in view (estimate)"),
        "unfiltered estimate"
    );
    let (_, html) = app.page("/?view=44,7,48,13&category=cafe").await;
    assert!(html.contains("More than 1\u{a0}000 places in view"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_box_and_zoom_gives_a_bounded_answer_or_a_400() {
    let app = spawn_app().await;
    crowd(&app.pool, 2000, "cafe").await;
    // The whole world at the finest zoom a client can claim: still a capped grid.
    for query in [
        "south=-90&west=-180&north=90&east=180&zoom=22",
        "south=-1000&west=-1000&north=1000&east=1000",
        "south=44&west=170&north=48&east=-170&zoom=3",
    ] {
        let res = app.get(&format!("/api/venues/box?{query}")).await;
        assert_eq!(res.status(), 200, "{query}");
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.len() <= 30 * 1024, "{query}: {} bytes", bytes.len());
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        let cells = body["clusters"].as_array().unwrap().len();
        assert!((1..=256).contains(&cells), "{query}: {cells} clusters");
    }
    for query in [
        "south=60&west=0&north=50&east=1",
        "south=NaN&west=0&north=50&east=1",
        "south=x",
        "south=44&west=7&north=48&east=13&zoom=23",
        "south=44&west=7&north=48&east=13&zoom=-1",
        "south=44&west=7&north=48&east=13&zoom=six",
    ] {
        let res = app.get(&format!("/api/venues/box?{query}")).await;
        assert_eq!(res.status(), 400, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_formulas_agree_with_the_database() {
    let app = spawn_app().await;
    let mut points = vec![
        (0.0, 0.0),
        (-180.0, -90.0),
        (180.0, 90.0),
        (13.4, 52.52),
        (-0.1276, 51.5072),
    ];
    for i in 0..200 {
        let f = f64::from(i);
        points.push(((f * 37.77) % 360.0 - 180.0, (f * 13.13) % 170.0 - 85.0));
    }
    for (lng, lat) in points {
        for g in [MIN_LEVEL, 8, MAX_STORED_LEVEL, 20] {
            let (x, y): (i32, i32) = sqlx::query_as("SELECT paws_cell_x($1, $3), paws_cell_y($2, $3)")
                .bind(lng)
                .bind(lat)
                .bind(i32::from(g))
                .fetch_one(&app.pool)
                .await
                .unwrap();
            assert_eq!(
                (cell_x(lng, g), cell_y(lat, g)),
                (x, y),
                "({lng}, {lat}) at level {g}"
            );
        }
    }
}
