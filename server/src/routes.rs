//! Non-Leptos routes and the middleware stack: health check, hashed assets with
//! long cache lifetimes, compression and request tracing.

use crate::page_cache::{self, PageCache};
use crate::settings::Settings;
use crate::state::AppState;
use crate::{auth, csrf, openid, passkeys, photos, saved, sessions, venues};
use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use paws_inside::client_ip::{ClientIp, ProxyConfig};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The longest any request may take (a 15 MB upload on a slow line included).
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
/// Hashed assets never change under the same name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Unhashed static files (Leaflet, map script, icons): short, so deploys show up.
const SHORT: &str = "public, max-age=3600";

/// Adds the health check, photo routes, the `/pkg` asset service, sessions and
/// the middleware to `pages`.
pub fn wrap(
    pages: Router<AppState>,
    state: &AppState,
    settings: &Settings,
    cache: PageCache,
) -> Router<AppState> {
    let pkg_dir = format!("{}/{}", state.leptos.site_root, state.leptos.site_pkg_dir);
    let pkg_route = format!("/{}", state.leptos.site_pkg_dir);
    let pkg = ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip();
    let hashed = state.leptos.hash_files;
    // Room for the multipart framing around a maximal photo; the handler enforces the exact limit.
    let upload_limit = DefaultBodyLimit::max(state.photos.limits.max_bytes + photos::FRAMING);
    // Every body but a photo upload is a small form: 64 KiB is plenty, and a
    // server function never buffers more than that.
    let small_bodies = RequestBodyLimitLayer::new(64 * 1024);
    let uploads = Router::new().route("/api/photos", post(photos::upload).layer(upload_limit));
    pages
        .route("/photos/{key}/{file}", get(photos::serve))
        // Photo files were served from /media/… before the rename: old pages and
        // links still find them.
        .route("/media/{key}/{file}", get(photos::moved))
        .route("/admin/osm-change.osc", get(crate::osm::change_file))
        .route("/auth/confirm", post(auth::confirm))
        .route("/auth/code", post(auth::code))
        .route("/auth/two-step", post(crate::two_step::finish))
        .route("/auth/sign-out", post(auth::sign_out))
        .route("/admin/act-as", post(crate::acting::act_as))
        .route("/auth/stop-acting", post(crate::acting::stop_acting))
        .route("/auth/verify", post(auth::verify))
        .route("/auth/reset", post(auth::reset))
        .route("/auth/add-email", post(auth::add_email))
        .route("/auth/change-email", post(auth::change_email))
        .route("/auth/undo-email", post(auth::undo_email))
        .route("/auth/oidc/{id}/start", post(openid::start))
        .route("/auth/oidc/{id}/callback", get(openid::callback))
        .route("/auth/oidc/confirm", post(openid::confirm))
        .route("/auth/passkey/register/start", post(passkeys::register_start))
        .route("/auth/passkey/register/finish", post(passkeys::register_finish))
        .route("/auth/passkey/sign-in/start", post(passkeys::sign_in_start))
        .route("/auth/passkey/sign-in/finish", post(passkeys::sign_in_finish))
        .route("/saved/save", post(saved::save))
        .route("/saved/remove", post(saved::remove))
        .route("/saved/digest", post(saved::set_digest))
        .route("/saved/unsubscribe", post(saved::unsubscribe))
        .route("/api/saved/state", get(saved::saved_state))
        .layer(small_bodies)
        .merge(uploads)
        .layer(middleware::from_fn(
            anonymous_first::web::touch::<paws_inside::auth::Profile>,
        ))
        .layer(sessions::layer(
            state.pool.clone(),
            settings.is_https(),
            settings.sessions.session_days,
        ))
        .layer(middleware::from_fn_with_state(cache, page_cache::layer))
        // Outside the page cache: an address carrying someone's own text as
        // our error is turned away before it could be rendered or kept.
        .layer(middleware::from_fn_with_state(
            settings.is_https(),
            crate::form_errors::guard,
        ))
        // None needs a session or the page cache: outside both layers.
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/venues/box", get(venues::in_box))
        .route("/api/venues/places", get(venues::places))
        .nest_service(&pkg_route, pkg)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            cache_control(hashed, req, next)
        }))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn(crate::metrics::track))
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::<str>::from(settings.http.public_url.as_str()),
            csrf::same_origin,
        ))
        .layer(middleware::from_fn_with_state(
            settings.is_https(),
            security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::new(settings.http.proxy.clone()),
            client_ip,
        ))
        .layer(CompressionLayer::new())
        // Spans name the path only (query strings can carry sign-in tokens) and
        // the request id, so every log line of a request can be found together.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
        }))
        // A request that takes longer than this is cut off (408), uploads included.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// For a load balancer: 200 while this instance takes requests and its
/// database answers; 503 from the shutdown signal on (it stops taking them
/// after `SHUTDOWN_GRACE_SECONDS`) or while the database is away. Before
/// start-up has finished (migrations) nothing listens at all.
async fn readyz(State(state): State<AppState>) -> Response {
    if !state.ready.load(std::sync::atomic::Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            "shutting down",
        )
            .into_response();
    }
    healthz(State(state.pool.clone())).await
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(pool): State<sqlx::PgPool>) -> Response {
    match paws_inside::db::ping(&pool).await {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok").into_response(),
        Err(err) => {
            tracing::warn!(error = ?err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, "no-store")],
                "database unavailable",
            )
                .into_response()
        }
    }
}

/// Works out the client address once per request (socket peer, or what a
/// trusted proxy says) and hands it to handlers and server functions.
async fn client_ip(State(proxy): State<Arc<ProxyConfig>>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let values = match &proxy.header {
            Some(name) => req.headers().get_all(name.as_str()).iter().collect(),
            None => Vec::new(),
        };
        let ip = proxy.resolve(peer, values.iter().filter_map(|v| v.to_str().ok()));
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// Sets `Cache-Control` by path unless the handler chose one.
async fn cache_control(hashed: bool, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if res.headers().contains_key(header::CACHE_CONTROL) || !res.status().is_success() {
        return res;
    }
    let value = if path.starts_with("/pkg/") {
        if hashed { IMMUTABLE } else { "no-cache" }
    } else if path.starts_with("/vendor/") || path.ends_with(".js") || path.ends_with(".svg") {
        SHORT
    } else {
        // Pages and server functions: always revalidate, and never from a shared
        // cache: every page carries secrets of its own response (the CSP nonce,
        // which is also the forms' mint key).
        "private, no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// Server functions answer every error with 500, even when the caller sent
/// arguments that do not parse. This is the one place that maps those to 400:
/// a user mistake is never a server error.
async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error body too large").into_response();
    };
    if [&b"Args|"[..], b"MissingArg|", b"Deserialization|"]
        .iter()
        .any(|p| bytes.starts_with(p))
    {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Security headers on every response (HSTS behind https; the page CSP with its
/// nonce is set by the shell). Handlers that set their own value keep it.
async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    // Sign-in link pages carry a token in the URL, the code form the mail's
    // id: never send them anywhere, never keep them.
    let path = req.uri().path();
    let token_page = path.starts_with("/auth/") || path == "/sign-in";
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if token_page {
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers
        .entry("permissions-policy")
        .or_insert(HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(self), payment=()",
        ));
    res
}
