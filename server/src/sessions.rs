//! Sessions: tower-sessions over the identity core's store. Cookies hold an
//! opaque id only, are HttpOnly + SameSite=Lax (+ Secure behind https), and
//! are only ever set when an identity flow opened a session — never for a
//! visitor who only reads.

use crate::state::AppState;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paws_inside::auth::{Caller, PgSessionStore, TypedSession};
use paws_inside::client_ip::ClientIp;
use paws_inside::errors::UNEXPECTED;
use sqlx::PgPool;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "paws_session";

/// The session layer for the router.
pub fn layer(pool: PgPool, secure: bool, days: i64) -> SessionManagerLayer<PgSessionStore> {
    SessionManagerLayer::new(PgSessionStore::new(pool))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(days)))
}

/// Rolling expiry without a write per request: a session is re-saved
/// (pushing its expiry and cookie out by `SESSION_DAYS`) at most once a day.
pub async fn touch(req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let res = next.run(req).await;
    // Cheap: the handler has loaded this session already (or there is none).
    if let Some(session) = session
        && let Ok(session) = TypedSession::load(session).await
    {
        session.touch_if_due().await;
    }
    res
}

/// The request as identity flows see it, for plain axum handlers.
pub struct Identity(pub Caller);

impl FromRequestParts<AppState> for Identity {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let session = TypedSession::load(session).await.map_err(|err| {
            tracing::error!(error = ?err, "session lookup failed");
            (StatusCode::INTERNAL_SERVER_ERROR, UNEXPECTED).into_response()
        })?;
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(Identity(Caller {
            session,
            ip: parts.extensions.get::<ClientIp>().map(|c| c.0),
            user_agent,
        }))
    }
}
