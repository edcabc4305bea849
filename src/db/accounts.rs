//! Email + password accounts: sign-up, credentials, password changes, the
//! session list and account deletion. Proving an email and moving guest data
//! live in `claim.rs` (one claim path for every way of signing in).

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What a sign-up did. The person sees the same answer for all three.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignUp {
    /// The browser's guest became the account (same id; its data stays).
    Promoted(Uuid),
    /// A new account.
    Created(Uuid),
    /// The address already has an account: nothing changed.
    Exists,
}

/// Creates an unverified account for `email`, promoting `guest` in place when
/// given; an existing address changes nothing.
pub async fn sign_up(pool: &PgPool, email: &str, hash: &str, guest: Option<Uuid>) -> anyhow::Result<SignUp> {
    let mut tx = pool.begin().await.context("failed to begin sign-up")?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(email)
        .fetch_one(&mut *tx)
        .await
        .context("failed to look up address")?;
    if exists {
        return Ok(SignUp::Exists);
    }
    let promoted: Option<Uuid> = match guest {
        Some(g) => sqlx::query_scalar(
            "UPDATE users SET email = $2, password_hash = $3, is_anonymous = false
             WHERE id = $1 AND is_anonymous RETURNING id",
        )
        .bind(g)
        .bind(email)
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await
        .context("failed to promote guest")?,
        None => None,
    };
    let outcome = match promoted {
        Some(id) => SignUp::Promoted(id),
        None => SignUp::Created(
            sqlx::query_scalar(
                "INSERT INTO users (email, password_hash, is_anonymous) VALUES ($1, $2, false)
                 ON CONFLICT (email) DO NOTHING RETURNING id",
            )
            .bind(email)
            .bind(hash)
            .fetch_optional(&mut *tx)
            .await
            .context("failed to create account")?
            .context("address taken while signing up")?,
        ),
    };
    tx.commit().await.context("failed to commit sign-up")?;
    Ok(outcome)
}

/// A member's sign-in record.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Credentials {
    /// User id.
    pub id: Uuid,
    /// argon2id PHC string, if a password is set.
    pub password_hash: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
}

/// The sign-in record for `email`, if a member has it.
pub async fn credentials(pool: &PgPool, email: &str) -> anyhow::Result<Option<Credentials>> {
    sqlx::query_as("SELECT id, password_hash, display_name FROM users WHERE email = $1 AND NOT is_anonymous")
        .bind(email)
        .fetch_optional(pool)
        .await
        .context("failed to load credentials")
}

/// The stored hash of a member's password.
pub async fn password_hash(pool: &PgPool, user: Uuid) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(pool)
        .await
        .context("failed to load password")
        .map(Option::flatten)
}

/// Sets a member's password.
pub async fn set_password(conn: &mut PgConnection, user: Uuid, hash: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1 AND NOT is_anonymous")
        .bind(user)
        .bind(hash)
        .execute(conn)
        .await
        .context("failed to set password")?;
    Ok(())
}

/// The account page's view of a member.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    /// Address.
    pub email: String,
    /// Whether the address was proven.
    pub verified: bool,
    /// Whether a password is set.
    pub has_password: bool,
}

/// Loads a member's account details.
pub async fn account(pool: &PgPool, user: Uuid) -> anyhow::Result<Option<Account>> {
    sqlx::query_as(
        "SELECT email, email_verified_at IS NOT NULL AS verified, password_hash IS NOT NULL AS has_password
         FROM users WHERE id = $1 AND NOT is_anonymous",
    )
    .bind(user)
    .fetch_optional(pool)
    .await
    .context("failed to load account")
}

/// A session as the account page lists it. `handle` names it without being
/// the session id (which is the cookie's secret).
#[derive(Clone, Debug)]
pub struct SessionRow {
    /// Stable public name of the session.
    pub handle: String,
    /// Browser's User-Agent at sign-in.
    pub user_agent: String,
    /// Sign-in time (UTC, `YYYY-MM-DD HH:MM`).
    pub created_at: String,
    /// Last activity (UTC, `YYYY-MM-DD HH:MM`, at day granularity in practice).
    pub last_seen_at: String,
    /// This is the session making the request.
    pub current: bool,
}

/// The public name of a session id.
pub fn handle_of(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes())[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A member's live sessions, newest first.
pub async fn sessions(pool: &PgPool, user: Uuid, current: Option<&str>) -> anyhow::Result<Vec<SessionRow>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT us.session_id, us.user_agent,
                to_char(us.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                to_char(us.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
         FROM user_sessions us JOIN tower_sessions.session s ON s.id = us.session_id
         WHERE us.user_id = $1 AND s.expiry_date > now()
         ORDER BY us.last_seen_at DESC, us.created_at DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await
    .context("failed to list sessions")?;
    Ok(rows
        .into_iter()
        .map(|(id, user_agent, created_at, last_seen_at)| SessionRow {
            handle: handle_of(&id),
            current: current == Some(id.as_str()),
            user_agent,
            created_at,
            last_seen_at,
        })
        .collect())
}

/// Ends one of `user`'s sessions by handle; false when there is no such session.
pub async fn revoke_session(pool: &PgPool, user: Uuid, handle: &str) -> anyhow::Result<bool> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT session_id FROM user_sessions WHERE user_id = $1")
        .bind(user)
        .fetch_all(pool)
        .await
        .context("failed to list sessions")?;
    let Some(id) = ids.into_iter().find(|id| handle_of(id) == handle) else {
        return Ok(false);
    };
    sqlx::query("DELETE FROM tower_sessions.session WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .context("failed to end session")?;
    Ok(true)
}

/// Ends every session of `user` except `keep` (all of them when `None`).
pub async fn revoke_other_sessions(
    conn: &mut PgConnection,
    user: Uuid,
    keep: Option<&str>,
) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM tower_sessions.session WHERE id IN
           (SELECT session_id FROM user_sessions WHERE user_id = $1 AND session_id IS DISTINCT FROM $2)",
    )
    .bind(user)
    .bind(keep)
    .execute(conn)
    .await
    .context("failed to end sessions")?;
    Ok(done.rows_affected())
}

/// Records activity on a session (the touch middleware, at most daily).
pub async fn touch_session(pool: &PgPool, session_id: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE user_sessions SET last_seen_at = now() WHERE session_id = $1")
        .bind(session_id)
        .execute(pool)
        .await
        .context("failed to touch session")?;
    Ok(())
}

/// Deletes a user (member or guest) with everything it owns, in one
/// transaction, and returns the photo storage keys whose files must go too.
/// Approved venues are rows of `venues`, not owned, so they stay.
pub async fn delete_user(pool: &PgPool, user: Uuid) -> anyhow::Result<Vec<String>> {
    let mut tx = pool.begin().await.context("failed to begin deletion")?;
    let keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM media WHERE user_id = $1")
        .bind(user)
        .fetch_all(&mut *tx)
        .await
        .context("failed to list photos")?;
    revoke_other_sessions(&mut tx, user, None).await?;
    // Owned rows go by ON DELETE CASCADE from users.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await
        .context("failed to delete user")?;
    tx.commit().await.context("failed to commit deletion")?;
    Ok(keys)
}
