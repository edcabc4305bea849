//! `/metrics` on its own listener (keep it private), and the middleware that
//! counts requests by route and status with latency histograms.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use std::time::Instant;

/// Records every request under the pattern of the route it matched, never
/// its raw path (ids and tokens would be in it, and every new path would be a
/// new label for as long as the process runs). Server functions are routes
/// like any other: leptos_axum mounts each one registered in server_fn's
/// inventory (`server_fn::axum::server_fn_paths`) at its own path, so that
/// path is its pattern. A request that matched no route — an unknown
/// `/api/…` path included — counts as `other`.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let started = Instant::now();
    let res = next.run(req).await;
    paws_inside::metrics::global().observe_request(
        route
            .as_ref()
            .map_or(paws_inside::metrics::OTHER_ROUTE, MatchedPath::as_str),
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// The router of the metrics listener.
pub fn router(pool: PgPool) -> Router {
    Router::new().route("/metrics", get(render)).with_state(pool)
}

async fn render(State(pool): State<PgPool>) -> Response {
    let size = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    // Shared by every instance: the backlog is the database's, not this process's.
    let (waiting, oldest) = match paws_inside::mail::outbox::backlog(&pool).await {
        Ok((n, age)) => (n as f64, age),
        Err(_) => (f64::NAN, f64::NAN),
    };
    let text = paws_inside::metrics::global().render(&[
        ("paws_db_pool_connections", "open database connections", size),
        ("paws_db_pool_idle", "idle database connections", idle),
        ("paws_db_pool_in_use", "database connections in use", size - idle),
        (
            "paws_mail_outbox_waiting",
            "emails queued and not yet sent",
            waiting,
        ),
        (
            "paws_mail_outbox_oldest_seconds",
            "age of the oldest email not yet sent",
            oldest,
        ),
    ]);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
