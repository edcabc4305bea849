//! Sessions: tower-sessions on Postgres. Cookies hold an opaque id only, are
//! HttpOnly + SameSite=Lax (+ Secure behind https), and are only ever set when a
//! session is written — never for a visitor who only reads.

use app::auth::session::USER_KEY;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use paws_inside::SessionUser;
use sqlx::PgPool;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "paws_session";
/// Session key holding the day (since the epoch) the session was last extended.
const TOUCHED_KEY: &str = "touched";

/// The session layer for the router.
pub fn layer(pool: PgPool, secure: bool, days: i64) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(PostgresStore::new(pool))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(days)))
}

/// Rolling expiry without a write per request: a session with a user is
/// re-saved (pushing its expiry and cookie out by `SESSION_DAYS`) and the
/// user's `last_seen_at` bumped at most once a day.
pub async fn touch(State(pool): State<PgPool>, req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let res = next.run(req).await;
    let Some(session) = session else { return res };
    let today = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 86_400) as i64;
    // Cheap: the layer has already loaded this session (or there is none).
    let Ok(Some(user)) = session.get::<SessionUser>(USER_KEY).await else {
        return res;
    };
    if session.get::<i64>(TOUCHED_KEY).await.ok().flatten() == Some(today) {
        return res;
    }
    if session.insert(TOUCHED_KEY, today).await.is_ok() {
        if let Err(err) = paws_inside::db::users::touch(&pool, user.id).await {
            tracing::warn!(error = ?err, "could not record activity");
        }
        if let Some(id) = session.id()
            && let Err(err) = paws_inside::db::accounts::touch_session(&pool, &id.to_string()).await
        {
            tracing::warn!(error = ?err, "could not record session activity");
        }
    }
    res
}
