//! Rate-limit counters set directly, so that no test straddles a window
//! boundary.
//!
//! Limits count in fixed windows aligned to the epoch (15 minutes, an hour, a
//! day). A test that counted up to a limit one request after another would
//! see its count split whenever a window ended mid-test, and pass or fail by
//! the clock. So tests never count up to a limit: they put the counter where
//! they want it with [`fill`] — in the current window *and* the next, so the
//! request under test finds that count whichever window it lands in — and
//! then make only the request they are about. The one mechanism, used by
//! every rate-limit test:
//!
//! - allowed just below the limit: `fill(max - 1)`, one request passes, and
//!   [`counted`] shows it counted in that very counter;
//! - refused at the limit: `fill(max)` (again, whatever came before), one
//!   request gets 429 with a `Retry-After` within the window ([`assert_refused`]).

use super::TestApp;
use paws_inside::limits::{LimitedAction, Limits, bucket, client_subject, network_subject};

/// Settings that make the app believe the `X-Forwarded-For` each request of a
/// [`super::Browser::from_ip`] carries (the test talks to it from loopback).
pub const PROXIED: [(&str, &str); 2] = [
    ("TRUSTED_PROXIES", "127.0.0.1/32"),
    ("CLIENT_IP_HEADER", "x-forwarded-for"),
];

/// The client address of a test without [`PROXIED`] (the socket peer).
pub const LOOPBACK: &str = "127.0.0.1";

/// `action`'s allowance per window with the default settings.
pub fn max(action: LimitedAction) -> i32 {
    Limits::default().max(action)
}

/// The per-client subject of `ip` (an IPv6 address counts by its /64).
pub fn client(ip: &str) -> String {
    client_subject(ip.parse().expect("an IP address"))
}

/// The per-network subject of an IPv6 `ip` (its /48).
pub fn network(ip: &str) -> String {
    network_subject(ip.parse().expect("an IP address")).expect("an IPv6 address")
}

/// The subject of a per-address limit: `email` tried from the client `ip`.
pub fn address_from(email: &str, ip: &str) -> String {
    format!("{email} {}", client(ip))
}

/// Sets `action`'s counter for `subject` to `hits` in the current window and
/// in the next one.
pub async fn fill(app: &TestApp, action: LimitedAction, subject: &str, hits: i32) {
    sqlx::query(
        "WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start)
         INSERT INTO rate_limits (bucket, window_start, hits)
         SELECT $1, start + make_interval(secs => $2 * n), $3 FROM w, (VALUES (0), (1)) AS next(n)
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = EXCLUDED.hits",
    )
    .bind(bucket(action, subject))
    .bind(action.window_secs() as f64)
    .bind(hits)
    .execute(&app.pool)
    .await
    .unwrap();
}

/// Sets `action`'s counter for `subject` to its default limit: the next hit is refused.
pub async fn use_up(app: &TestApp, action: LimitedAction, subject: &str) {
    fill(app, action, subject, max(action)).await;
}

/// The highest count of `action` for `subject` in any window (0: never hit).
pub async fn counted(app: &TestApp, action: LimitedAction, subject: &str) -> i32 {
    sqlx::query_scalar("SELECT coalesce(max(hits), 0) FROM rate_limits WHERE bucket = $1")
        .bind(bucket(action, subject))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Asserts a 429 whose `Retry-After` falls within `action`'s window.
pub fn assert_refused(res: &reqwest::Response, action: LimitedAction) {
    assert_eq!(res.status(), 429, "{action:?} refuses");
    let retry: i64 = res
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=action.window_secs()).contains(&retry),
        "Retry-After {retry} s is within the {action:?} window"
    );
}

/// Asserts that `action`'s counter for `subject` is far from its limit: hit
/// no more than the couple of times the test's own requests did.
pub async fn assert_far(app: &TestApp, action: LimitedAction, subject: &str) {
    let hits = counted(app, action, subject).await;
    assert!(
        hits <= 2 && hits < max(action),
        "{action:?} stands at {hits} of {}: not the only limit near",
        max(action)
    );
}
