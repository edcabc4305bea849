//! Server side of sessions: reading the user from the session, and minting a
//! guest. The session holds a `SessionUser`, so a request costs at most the one
//! session lookup tower-sessions already does.

use crate::error::unexpected;
use leptos::prelude::*;
use paws_inside::SessionUser;
use tower_sessions::Session;

/// Session key of the signed-in user.
pub const USER_KEY: &str = "user";
/// Session key of the time (Unix seconds) of the last sign-in, for actions that
/// need a fresh one (deleting the account).
pub const AUTH_AT_KEY: &str = "auth_at";
/// Session key of a one-time message for the next page ("Your dogs came with you").
pub const NOTICE_KEY: &str = "notice";

/// The request's session handle (present on every request behind the layer).
pub async fn handle() -> Result<Session, ServerFnError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| unexpected(anyhow::anyhow!("session layer missing: {e}")))
}

/// The user in this session, if any. No session cookie: no database work at all.
pub async fn current() -> Option<SessionUser> {
    let session = handle().await.ok()?;
    session.get::<SessionUser>(USER_KEY).await.ok().flatten()
}

/// The session's user and `raw` parsed as a row id, or `None` when either is
/// missing: someone else's row and a malformed id both read as "not found".
pub async fn user_and_id(raw: &str) -> Option<(SessionUser, uuid::Uuid)> {
    Some((current().await?, uuid::Uuid::parse_str(raw).ok()?))
}

/// The user in this session, or a freshly minted guest stored in a new session.
/// The session id is rotated whenever a user is put in, so a session id seen
/// before sign-in never authenticates anyone.
pub async fn user_or_mint(mint_key: Option<&str>) -> Result<SessionUser, ServerFnError> {
    let session = handle().await?;
    let agent = user_agent().await;
    let client = client_ip().await;
    let per_hour = use_context::<crate::auth::AuthConfig>().map_or(30, |c| c.guests_per_client_per_hour);
    let guest_limit = paws_inside::db::rate_limit::limits::guest_per_client(per_hour);
    match user_or_mint_with(
        &session,
        &crate::error::pool()?,
        mint_key,
        &agent,
        client,
        guest_limit,
    )
    .await
    {
        Ok(user) => Ok(user),
        Err(MintError::TooMany(retry)) => Err(crate::auth::links::too_many(
            retry,
            "Many guest accounts were started from your network lately.",
        )),
        Err(MintError::Unexpected(err)) => Err(unexpected(err)),
    }
}

/// Why no guest could be made.
#[derive(Debug)]
pub enum MintError {
    /// This client made too many guests lately; retry after this many seconds.
    TooMany(i64),
    /// Infrastructure failure.
    Unexpected(anyhow::Error),
}

impl From<anyhow::Error> for MintError {
    fn from(err: anyhow::Error) -> Self {
        Self::Unexpected(err)
    }
}

impl From<tower_sessions::session::Error> for MintError {
    fn from(err: tower_sessions::session::Error) -> Self {
        Self::Unexpected(err.into())
    }
}

/// Counts one hit of `limit` for `subject`: `Err(seconds)` when over it.
pub async fn over_limit(
    pool: &sqlx::PgPool,
    limit: paws_inside::db::rate_limit::Limit,
    subject: &str,
) -> Result<(), MintError> {
    match paws_inside::db::rate_limit::hit(pool, limit, subject).await? {
        Ok(()) => Ok(()),
        Err(retry) => Err(MintError::TooMany(retry.0)),
    }
}

/// [`user_or_mint`] for handlers outside Leptos (the photo upload route).
pub async fn user_or_mint_with(
    session: &Session,
    pool: &sqlx::PgPool,
    mint_key: Option<&str>,
    user_agent: &str,
    client: Option<std::net::IpAddr>,
    guest_limit: paws_inside::db::rate_limit::Limit,
) -> Result<SessionUser, MintError> {
    if let Some(user) = session.get::<SessionUser>(USER_KEY).await? {
        return Ok(user);
    }
    if let Some(ip) = client {
        let subject = paws_inside::db::rate_limit::client_subject(ip);
        over_limit(pool, guest_limit, &subject).await?;
    }
    let key = mint_key.filter(|k| (16..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()));
    let user = paws_inside::db::users::mint_guest(pool, key).await?;
    sign_in(session, pool, &user, user_agent).await?;
    paws_inside::metrics::global().inc("paws_guests_created_total", &[]);
    tracing::info!(user = %user.id, "guest created");
    Ok(user)
}

/// Puts `user` into the session under a new id (the old id is deleted, so a
/// cookie seen before never authenticates anyone) and records which sessions
/// the user holds.
pub async fn sign_in(
    session: &Session,
    pool: &sqlx::PgPool,
    user: &SessionUser,
    user_agent: &str,
) -> anyhow::Result<()> {
    session.cycle_id().await?;
    session.insert(USER_KEY, user).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    session.insert(AUTH_AT_KEY, now).await?;
    // Saving now (the layer saves again at the end) assigns the new id.
    session.save().await?;
    let id = session
        .id()
        .ok_or_else(|| anyhow::anyhow!("saved session has no id"))?;
    paws_inside::db::users::record_session(pool, &id.to_string(), user.id, user_agent).await
}

/// Seconds since this session last signed in (`None` if never).
pub async fn seconds_since_sign_in(session: &Session) -> Option<i64> {
    let at = session.get::<i64>(AUTH_AT_KEY).await.ok().flatten()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some(now - at)
}

/// The request's `User-Agent`, for the session list.
pub async fn user_agent() -> String {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| h.get(http::header::USER_AGENT)?.to_str().ok().map(str::to_owned))
        .unwrap_or_default()
}

/// The client's IP address as the server's middleware resolved it (the socket
/// peer, or what a configured trusted proxy says).
pub async fn client_ip() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<axum::Extension<paws_inside::client_ip::ClientIp>>()
        .await
        .ok()
        .map(|ext| ext.0.0)
}
