//! Rate limits on contributions and on guests (per client, an IPv6 client by
//! its /64, and per /48; stored in Postgres, so they hold across instances)
//! and the security headers every page carries. Counters are set directly
//! (`common::counters`), so no test straddles a window boundary.

use crate::common::Browser;
use crate::common::counters::{
    LOOPBACK, PROXIED, assert_far, assert_refused, client, counted, fill, max, network, use_up,
};
use crate::common::flows::{add_dog, user_id};
use crate::common::{fresh_database, settings, spawn_app, spawn_with};
use paws_inside::limits::LimitedAction;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_creation_is_limited_per_client() {
    let app = spawn_app().await;
    let action = LimitedAction::NewGuest;
    fill(&app, action, LOOPBACK, max(action) - 1).await;
    let res = app.call(&Browser::new(), "auth/anonymous", &[]).await;
    assert_eq!(res.status(), 200, "the last allowed");
    assert_eq!(counted(&app, action, LOOPBACK).await, max(action));
    use_up(&app, action, LOOPBACK).await;
    let res = app.call(&Browser::new(), "auth/anonymous", &[]).await;
    assert_refused(&res, action);
    assert!(res.headers().get("set-cookie").is_none(), "no session");
    assert!(res.text().await.unwrap().contains("try again in"));
    assert_eq!(app.count("users").await, 1);
    // Someone who already has a session is not affected.
    let b = Browser::new();
    fill(&app, action, LOOPBACK, 0).await;
    add_dog(&app, &b, "Rex").await;
    use_up(&app, action, LOOPBACK).await;
    assert_eq!(
        app.call(&b, "dogs/create", &[("name", "Fifi"), ("size", "small")])
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_are_limited_per_user_per_day() {
    let app = spawn_app().await;
    let b = Browser::new();
    let form = [
        ("name", "Café"),
        ("category", "cafe"),
        ("address", "A 1"),
        ("city", "Berlin"),
        ("dogs_inside", "yes"),
        ("size_limit", "any"),
    ];
    let res = app.call(&b, "suggestions/create", &form).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let action = LimitedAction::Suggestion;
    let user = user_id(&app, &b).await.to_string();
    assert_eq!(counted(&app, action, &user).await, 1);
    use_up(&app, action, &user).await;
    let res = app.call(&b, "suggestions/create", &form).await;
    assert_refused(&res, action);
    assert_eq!(app.count("venue_suggestions").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_limited_per_user_per_hour() {
    let app = spawn_app().await;
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Rex").await;
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([1, 2, 3]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let upload = || {
        let form = reqwest::multipart::Form::new().text("dog", dog.to_string()).part(
            "photo",
            reqwest::multipart::Part::bytes(png.clone()).file_name("r.png"),
        );
        b.client
            .post(format!("{}/api/photos", app.address))
            .header("accept", "application/json")
            .multipart(form)
            .send()
    };
    let action = LimitedAction::Upload;
    let user = user_id(&app, &b).await.to_string();
    fill(&app, action, &user, max(action) - 1).await;
    assert_eq!(upload().await.unwrap().status(), 201, "the last allowed");
    use_up(&app, action, &user).await;
    let res = upload().await.unwrap();
    assert_refused(&res, action);
    assert!(res.text().await.unwrap().contains("lot of photos"));
    assert_eq!(app.count("photos").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_fresh_csp_nonce_and_https_adds_hsts() {
    let app = spawn_app().await;
    let csp = |res: &reqwest::Response| {
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (a, b) = (app.get("/").await, app.get("/").await);
    let (a, b) = (csp(&a), csp(&b));
    assert!(
        a.contains("'wasm-unsafe-eval'") && a.contains("frame-ancestors 'none'"),
        "{a}"
    );
    assert_ne!(a, b, "a new nonce per response");
    let page = app.get("/").await.text().await.unwrap();
    let nonce = a
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        !page.contains(&format!("nonce=\"{nonce}\"")),
        "the page carries its own, not an older nonce"
    );
    assert!(
        app.get("/")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    let secure = spawn_with(settings(
        &fresh_database().await,
        &[("PUBLIC_URL", "https://paws.example")],
    ))
    .await;
    let res = secure.get("/healthz").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bots_get_the_same_answer_and_change_nothing() {
    let app = spawn_app().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (just_now, a_while_ago) = (now.to_string(), (now - 10_000).to_string());
    let before = paws_inside::metrics::global().bot_rejections.get("suggestion");
    let suggestion = |website: &'static str, started: String| {
        let b = Browser::new();
        let app = &app;
        async move {
            let form = [
                ("name", "Café"),
                ("category", "cafe"),
                ("address", "A 1"),
                ("city", "Berlin"),
                ("dogs_inside", "yes"),
                ("size_limit", "any"),
                ("website", website),
                ("form_started", started.as_str()),
            ];
            let res = app.call(&b, "suggestions/create", &form).await;
            (
                res.status().as_u16(),
                res.headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_owned()),
            )
        }
    };
    let human = suggestion("", a_while_ago.clone()).await;
    assert_eq!(app.count("venue_suggestions").await, 1);
    assert_eq!(
        suggestion("http://spam.example", a_while_ago).await,
        human,
        "honeypot: same answer"
    );
    assert_eq!(
        suggestion("", just_now.clone()).await,
        human,
        "too fast: same answer"
    );
    assert_eq!(app.count("venue_suggestions").await, 1, "neither was stored");
    assert_eq!(app.count("users").await, 1, "and no guest was made for them");
    let after = paws_inside::metrics::global().bot_rejections.get("suggestion");
    assert_eq!(after - before, 2);
    // The same for the sign-in link: no token, no email.
    let res = app
        .call(
            &Browser::new(),
            "auth/magic-link",
            &[("email", "bot@example.com"), ("website", "x")],
        )
        .await;
    assert!(res.status().as_u16() < 400);
    assert_eq!(app.count("auth_tokens").await, 0);
    let res = app
        .call(
            &Browser::new(),
            "dogs/create",
            &[
                ("name", "Bot"),
                ("size", "small"),
                ("form_started", just_now.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.count("dogs").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_form_bodies_are_refused_before_anything_runs() {
    let app = spawn_app().await;
    let big = "x".repeat(100 * 1024);
    let res = app
        .call(
            &Browser::new(),
            "dogs/create",
            &[("name", "Rex"), ("size", "small"), ("bio", big.as_str())],
        )
        .await;
    assert_eq!(res.status(), 413);
    assert_eq!(app.count("users").await, 0, "not even a guest was made");
    // Photo uploads keep their own, larger limit.
    let img = image::RgbImage::from_fn(600, 600, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert!(
        png.len() > 64 * 1024,
        "the test photo is bigger than a form may be"
    );
    let form = reqwest::multipart::Form::new()
        .part("photo", reqwest::multipart::Part::bytes(png).file_name("big.png"));
    let res = Browser::new()
        .client
        .post(format!("{}/api/photos", app.address))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_changing_route_refuses_other_sites() {
    let app = spawn_app().await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(_, method)| *method == reqwest::Method::POST)
        .map(|(path, _)| path.to_owned())
        .collect();
    assert!(
        paths.len() >= 20,
        "the server functions are registered: {paths:?}"
    );
    paths.extend(
        [
            "/api/photos",
            "/auth/confirm",
            "/auth/sign-out",
            "/auth/verify",
            "/auth/reset",
        ]
        .map(String::from),
    );
    let tables = [
        "users",
        "dogs",
        "photos",
        "venue_suggestions",
        "auth_tokens",
        "photo_reports",
        "venue_checks",
        "sessions",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(app.count(t).await);
    }
    for path in &paths {
        let res = b
            .client
            .post(format!("{}{path}", app.address))
            .header("origin", "https://evil.example")
            .header("accept", "application/json")
            .form(&[
                ("name", "Evil"),
                ("size", "small"),
                ("email", "x@example.com"),
                ("token", "00"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
    let mut after = Vec::new();
    for t in tables {
        after.push(app.count(t).await);
    }
    assert_eq!(before, after, "nothing was written");
    assert!(
        crate::common::flows::me(&app, &b).await.is_some(),
        "still signed in (sign-out was refused)"
    );
}

/// Makes a guest from `client` claiming to forward for `forwarded`.
async fn guest_via(app: &crate::common::TestApp, forwarded: &str) -> u16 {
    Browser::new()
        .client
        .post(format!("{}/api/auth/anonymous", app.address))
        .header("accept", "application/json")
        .header("x-forwarded-for", forwarded)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_client_ip_only_from_trusted_proxies() {
    let action = LimitedAction::NewGuest;
    // Nothing configured: the header is ignored, every forged value is the
    // socket's client, whose guests are used up.
    let direct = spawn_app().await;
    use_up(&direct, action, LOOPBACK).await;
    assert_eq!(
        guest_via(&direct, "198.51.100.1").await,
        429,
        "a forged header must not reset the limit"
    );

    // Behind a trusted proxy on loopback: each forwarded client has its own limit,
    // and what the client itself wrote into the header (left of the proxy's entry) is ignored.
    let env = [
        ("CLIENT_IP_HEADER", "X-Forwarded-For"),
        ("TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
    ];
    let proxied = spawn_with(settings(&fresh_database().await, &env)).await;
    use_up(&proxied, action, "198.51.100.1").await;
    assert_eq!(guest_via(&proxied, "6.6.6.1, 198.51.100.1").await, 429);
    assert_eq!(counted(&proxied, action, "6.6.6.1").await, 0, "the forged entry");
    assert_eq!(guest_via(&proxied, "198.51.100.2").await, 200);
    assert_eq!(counted(&proxied, action, "198.51.100.2").await, 1);
}

/// One household behind one IPv4 address: its own counter stops it, and
/// nobody else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_are_limited_per_ipv4_client() {
    let app = spawn_with(settings(&fresh_database().await, &PROXIED)).await;
    let (household, neighbour) = ("198.51.100.7", "198.51.100.8");
    let action = LimitedAction::NewGuest;
    use_up(&app, action, &client(household)).await;
    let res = app
        .call(&Browser::from_ip(household), "auth/anonymous", &[])
        .await;
    assert_refused(&res, action);
    assert_eq!(app.count("users").await, 0, "no guest was made");
    let res = app
        .call(&Browser::from_ip(neighbour), "auth/anonymous", &[])
        .await;
    assert_eq!(res.status(), 200);
}

/// An IPv6 host picks a new address in its /64 for every request: it is one
/// client all the same. The next /64 (another household) is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_are_limited_per_ipv6_64() {
    let app = spawn_with(settings(&fresh_database().await, &PROXIED)).await;
    let action = LimitedAction::NewGuest;
    use_up(&app, action, &client("2001:db8:1:2::1")).await;
    let res = app
        .call(
            &Browser::from_ip("2001:db8:1:2:dead:beef:0:99"),
            "auth/anonymous",
            &[],
        )
        .await;
    assert_refused(&res, action);
    assert_eq!(app.count("users").await, 0, "no guest was made");
    assert_far(
        &app,
        LimitedAction::NewGuestPerNetwork,
        &network("2001:db8:1:2::1"),
    )
    .await;
    let res = app
        .call(&Browser::from_ip("2001:db8:1:3::1"), "auth/anonymous", &[])
        .await;
    assert_eq!(res.status(), 200);
}

/// One holder of a /48 has 65 536 /64s and could mint a guest from each:
/// the /48 has a counter of its own; another /48 is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_are_limited_per_ipv6_48() {
    let app = spawn_with(settings(&fresh_database().await, &PROXIED)).await;
    let action = LimitedAction::NewGuestPerNetwork;
    let site = network("2001:db8:1::1");
    fill(&app, action, &site, max(action) - 1).await;
    let res = app
        .call(&Browser::from_ip("2001:db8:1:fe::1"), "auth/anonymous", &[])
        .await;
    assert_eq!(res.status(), 200, "the last allowed");
    assert_eq!(counted(&app, action, &site).await, max(action));
    use_up(&app, action, &site).await;
    let fresh = "2001:db8:1:ff::1";
    let res = app.call(&Browser::from_ip(fresh), "auth/anonymous", &[]).await;
    assert_refused(&res, action);
    assert_eq!(app.count("users").await, 1, "no guest was made");
    // That /64's own counter is far away: the /48's refused it.
    assert_far(&app, LimitedAction::NewGuest, &client(fresh)).await;
    let res = app
        .call(&Browser::from_ip("2001:db8:2::1"), "auth/anonymous", &[])
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reporting_photos_is_limited_per_person() {
    let app = spawn_app().await;
    let owner = Browser::new();
    let dog = add_dog(&app, &owner, "Rex").await;
    crate::common::flows::add_photo_row(&app, crate::common::flows::user_id(&app, &owner).await, dog).await;
    let photo: uuid::Uuid = sqlx::query_scalar("SELECT id FROM photos")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let reporter = Browser::new();
    let photo = photo.to_string();
    let report = [("photo", photo.as_str()), ("reason", "spam")];
    let res = app.call(&reporter, "photos/report", &report).await;
    assert!(res.status().is_success(), "{}", res.status());
    let action = LimitedAction::Report;
    let user = user_id(&app, &reporter).await.to_string();
    assert_eq!(counted(&app, action, &user).await, 1);
    use_up(&app, action, &user).await;
    let res = app.call(&reporter, "photos/report", &report).await;
    assert_refused(&res, action);
    assert!(res.text().await.unwrap().contains("a lot of reports"));
}
