//! The directory end to end over HTTP: server-rendered list and filters, venue
//! pages, 404s, health, caching and compression. The map's answers are in `map.rs`.

use crate::common::{settings, spawn_app, spawn_with};

/// Counts the venue cards in a rendered page.
fn cards(html: &str) -> usize {
    html.matches("class=\"venue-card\"").count()
}

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

/// The `href` of the page's "Show more", decoded from HTML.
fn show_more(html: &str) -> Option<String> {
    let at = html.find("data-more")?;
    let tag = &html[html[..at].rfind("<a")?..at];
    let start = tag.find("href=\"")? + 6;
    Some(tag[start..start + tag[start..].find('"')?].replace("&amp;", "&"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_pages_through_every_venue_nearest_first_without_cookies() {
    let app = spawn_app().await;
    let (status, html) = app.page("/").await;
    assert_eq!(status, 200);
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM venues")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(total >= 60, "demo seed has {total} venues");
    assert!(
        html.contains(&format!("{total} places in view")),
        "the true total"
    );
    assert_eq!(cards(&html), 20, "one page");
    // "Show more" walks every venue once, with no JavaScript needed.
    let mut seen = slugs(&html);
    let mut next = show_more(&html);
    while let Some(href) = next {
        let (status, html) = app.page(&href).await;
        assert_eq!(status, 200, "{href}");
        seen.extend(slugs(&html));
        next = show_more(&html);
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (total as usize, total as usize));
    for city in ["Berlin", "Amsterdam", "London", "Paris", "Vienna", "Copenhagen"] {
        assert!(
            html.contains(&format!("<option value=\"{city}\"")),
            "city {city} offered in the place field"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_is_the_view_nearest_to_its_centre_or_the_visitor() {
    let app = spawn_app().await;
    let (_, html) = app.page("/?view=52.3,13.0,52.7,13.8").await;
    assert!(html.contains("12 places in view"));
    let listed = slugs(&html);
    let nearest: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM venues WHERE location <@ box(point(13.0, 52.3), point(13.8, 52.7))
         ORDER BY location <-> point(13.4, 52.5)",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        listed, nearest,
        "the Berlin venues, nearest the view's centre first"
    );
    // With a position, nearest to it.
    let (lat, lng): (f64, f64) =
        sqlx::query_as("SELECT location[1], location[0] FROM venues WHERE slug = $1")
            .bind(nearest.last().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (_, html) = app
        .page(&format!("/?view=52.3,13.0,52.7,13.8&near={lat},{lng}"))
        .await;
    assert_eq!(slugs(&html)[0], *nearest.last().unwrap());
    // A view with nothing in it, and one past the last page.
    let (status, html) = app.page("/?view=0,0,1,1").await;
    assert_eq!(status, 200);
    assert!(html.contains("No places match"));
    let (status, html) = app.page("/?view=52.3,13.0,52.7,13.8&page=2").await;
    assert_eq!((status, cards(&html)), (200, 0));
    assert!(html.contains("Zoom in on the map"));
    let (status, html) = app.page("/?page=51").await;
    assert_eq!((status, cards(&html)), (200, 0), "past the last page served");
    let (status, html) = app.page("/?page=999999999999&view=x,y&near=1000,1").await;
    assert_eq!((status, cards(&html)), (200, 20), "garbage reads as the defaults");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_in_the_query_render_server_side() {
    let app = spawn_app().await;
    let (_, html) = app.page("/?city=Paris").await;
    assert_eq!(cards(&html), 12);
    assert!(!html.contains(", Berlin</p>"), "no Berlin venue in a Paris list");
    assert!(
        html.contains("id=\"filter-city\" type=\"text\" name=\"city\""),
        "a place field"
    );
    // Any case, or the start of a name, finds the place; its name is kept.
    let (_, html) = app.page("/?city=pari").await;
    assert_eq!(cards(&html), 12);
    assert!(html.contains("value=\"Paris\""), "the canonical name in the form");
    let (status, html) = app.page("/?city=Atlantis").await;
    assert_eq!((status, cards(&html)), (200, 0));
    assert!(html.contains("no dog-friendly places in “Atlantis”"));

    let (_, html) = app.page("/?city=Berlin&category=bakery").await;
    assert_eq!(cards(&html), 2);
    assert!(html.contains("Pawsome Bakery") && html.contains("Crumbs for Pups"));

    // Flags narrow the list, matching the database exactly.
    let expected: i64 =
        sqlx::query_scalar("SELECT count(*) FROM venues WHERE water_bowl AND treats AND size_limit = 'any'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (_, html) = app.page("/?water=1&treats=1&large=1").await;
    assert_eq!(cards(&html) as i64, expected.min(20));
    let noun = if expected == 1 { "place" } else { "places" };
    assert!(html.contains(&format!("{expected} {noun} in view")));

    // Text search is literal: LIKE wildcards match nothing special.
    let (_, html) = app.page("/?q=Wet%20Nose").await;
    assert_eq!(cards(&html), 6);
    let (status, html) = app.page("/?q=%25%25%25&category=casino").await;
    assert_eq!(status, 200);
    assert_eq!(cards(&html), 0);
    assert!(html.contains("No places match"), "friendly empty state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn venue_page_shows_every_field() {
    let app = spawn_app().await;
    let (status, html) = app.page("/venues/pawsome-bakery-berlin").await;
    assert_eq!(status, 200);
    for needle in [
        "Pawsome Bakery",
        "Bakery",
        "Berlin",
        "Dog policy",
        "Water bowl",
        "Dogs seen here",
        "Listed ",
    ] {
        assert!(html.contains(needle), "venue page lacks {needle:?}");
    }
    assert!(html.contains("<title>Pawsome Bakery · Paws Inside</title>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_paths_are_real_404s() {
    let app = spawn_app().await;
    for path in [
        "/venues/no-such-place",
        "/venues/..%2F..%2Fetc",
        "/venues/UPPER",
        "/nope",
        "/venues/a/b",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        // The 404 page runs scripts too: it has its own nonce, in the header and the page.
        let (nonce, html) = nonce_and_page(res).await;
        assert!(
            html.contains("We sniffed everywhere"),
            "{path} shows the 404 page"
        );
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: scripts carry the nonce"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_the_database() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");

    // Nothing listens on port 9: the server still starts and reports 503.
    let down = spawn_with(settings(
        "postgres://paws@127.0.0.1:9/none",
        &[("RUN_MIGRATIONS", "false")],
    ))
    .await;
    assert_eq!(down.get("/healthz").await.status(), 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_compressed_and_revalidated() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/", app.address))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["cache-control"], "private, no-cache");
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
    ] {
        assert_eq!(res.headers()[name], value, "{name}");
    }
    assert!(res.headers().contains_key("permissions-policy"));
}

/// The CSP nonce of a response and the page with it.
async fn nonce_and_page(res: reqwest::Response) -> (String, String) {
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let start = csp.find("'nonce-").unwrap() + 7;
    let nonce = csp[start..start + csp[start..].find('\'').unwrap()].to_owned();
    (nonce, res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_share_a_briefly_cached_page_with_their_own_nonce() {
    let app = spawn_with(settings(
        &crate::common::fresh_database().await,
        &[("PAGE_CACHE_SECONDS", "60")],
    ))
    .await;
    let (first_nonce, first) = nonce_and_page(app.get("/venues/pawsome-bakery-berlin").await).await;
    // Changed behind the server's back (no request here): the cache does not know.
    sqlx::query("UPDATE venues SET name = 'Renamed Bakery' WHERE slug = 'pawsome-bakery-berlin'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (nonce, cached) = nonce_and_page(app.get("/venues/pawsome-bakery-berlin").await).await;
    assert_ne!(nonce, first_nonce, "every response gets its own nonce");
    assert!(
        cached.contains(&format!("nonce=\"{nonce}\"")),
        "the page carries the header's nonce"
    );
    assert!(
        !cached.contains(&first_nonce),
        "no trace of the first response's nonce"
    );
    assert_eq!(
        cached.replace(&nonce, &first_nonce),
        first,
        "the same page, served from the cache"
    );
    assert!(!cached.contains("Renamed Bakery"));

    // Anyone with a cookie gets a fresh render.
    let with_cookie = app
        .client
        .get(format!("{}/venues/pawsome-bakery-berlin", app.address))
        .header("cookie", "paws_session=whatever")
        .send()
        .await
        .unwrap();
    assert!(with_cookie.text().await.unwrap().contains("Renamed Bakery"));

    // A change to a public page through this server empties the cache (what
    // does and does not: `page_cache.rs`).
    let yes = [("slug", "pawsome-bakery-berlin"), ("answer", "yes")];
    let res = app
        .call(&crate::common::Browser::new(), "venues/check", &yes)
        .await;
    assert_eq!(res.status(), 200);
    let (_, after_write) = nonce_and_page(app.get("/venues/pawsome-bakery-berlin").await).await;
    assert!(after_write.contains("Renamed Bakery"));
}
