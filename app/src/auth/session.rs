//! Server side of sessions: reading the user from the session, and minting a
//! guest. The session holds a `SessionUser`, so a request costs at most the one
//! session lookup tower-sessions already does.

use crate::error::unexpected;
use leptos::prelude::*;
use paws_inside::SessionUser;
use tower_sessions::Session;

/// Session key of the signed-in user.
pub const USER_KEY: &str = "user";

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
    user_or_mint_with(&session, &crate::error::pool()?, mint_key)
        .await
        .map_err(unexpected)
}

/// [`user_or_mint`] for handlers outside Leptos (the photo upload route).
pub async fn user_or_mint_with(
    session: &Session,
    pool: &sqlx::PgPool,
    mint_key: Option<&str>,
) -> anyhow::Result<SessionUser> {
    if let Some(user) = session.get::<SessionUser>(USER_KEY).await? {
        return Ok(user);
    }
    let key = mint_key.filter(|k| (16..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()));
    let user = paws_inside::db::users::mint_guest(pool, key).await?;
    session.cycle_id().await?;
    session.insert(USER_KEY, &user).await?;
    tracing::info!(user = %user.id, "guest created");
    Ok(user)
}
