//! Users and guests.

use crate::user::SessionUser;
use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

/// How long a browser's mint key returns the same guest (double clicks, two tabs).
const MINT_KEY_WINDOW_SECS: i64 = 300;

/// Creates a guest user. With a `mint_key` (a random value the browser keeps),
/// concurrent or repeated calls within a few minutes return the same guest
/// instead of minting one per request; an advisory lock on the key's hash
/// serialises the racers.
pub async fn mint_guest(pool: &PgPool, mint_key: Option<&str>) -> anyhow::Result<SessionUser> {
    let Some(key) = mint_key else {
        let id: Uuid = sqlx::query_scalar("INSERT INTO users (is_anonymous) VALUES (true) RETURNING id")
            .fetch_one(pool)
            .await
            .context("failed to create guest user")?;
        return Ok(SessionUser::guest(id));
    };
    let hash = Sha256::digest(key.as_bytes()).to_vec();
    let mut tx = pool.begin().await.context("failed to begin guest transaction")?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended(encode($1, 'hex'), 7277))")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT k.user_id FROM guest_mint_keys k JOIN users u ON u.id = k.user_id
         WHERE k.key_hash = $1 AND u.is_anonymous
           AND k.created_at > now() - make_interval(secs => $2)",
    )
    .bind(&hash)
    .bind(MINT_KEY_WINDOW_SECS as f64)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to look up mint key")?;
    let id = match existing {
        Some(id) => id,
        None => {
            let id: Uuid = sqlx::query_scalar("INSERT INTO users (is_anonymous) VALUES (true) RETURNING id")
                .fetch_one(&mut *tx)
                .await
                .context("failed to create guest user")?;
            sqlx::query(
                "INSERT INTO guest_mint_keys (key_hash, user_id) VALUES ($1, $2)
                 ON CONFLICT (key_hash) DO UPDATE SET user_id = EXCLUDED.user_id, created_at = now()",
            )
            .bind(&hash)
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("failed to record mint key")?;
            id
        }
    };
    tx.commit().await.context("failed to commit guest")?;
    Ok(SessionUser::guest(id))
}

/// Loads the session record for a user id, if the user still exists.
pub async fn session_user(pool: &PgPool, id: Uuid) -> anyhow::Result<Option<SessionUser>> {
    let row: Option<(Uuid, bool, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, is_anonymous, display_name, email FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
            .context("failed to load user")?;
    Ok(row.map(|(id, is_anonymous, display_name, email)| SessionUser {
        id,
        is_anonymous,
        display_name,
        email,
    }))
}

/// Records activity; callers do this at most once a day per session.
pub async fn touch(pool: &PgPool, id: Uuid) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET last_seen_at = now() WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .context("failed to update last_seen_at")?;
    Ok(())
}

/// Records that `session_id` belongs to `user`, so claims and the account page
/// can find (and end) a user's sessions. Call after the session was saved.
pub async fn record_session(
    pool: &PgPool,
    session_id: &str,
    user: Uuid,
    user_agent: &str,
) -> anyhow::Result<()> {
    let agent: String = user_agent.chars().filter(|c| !c.is_control()).take(300).collect();
    sqlx::query(
        "INSERT INTO user_sessions (session_id, user_id, user_agent) VALUES ($1, $2, $3)
         ON CONFLICT (session_id) DO UPDATE SET user_id = EXCLUDED.user_id",
    )
    .bind(session_id)
    .bind(user)
    .bind(agent)
    .execute(pool)
    .await
    .context("failed to record session")?;
    Ok(())
}
