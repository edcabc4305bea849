//! How many ways into an account remain besides one about to go: its
//! address (links and codes), its provider identities, its passkeys. Shared
//! by unlinking a provider and removing a passkey, under the user row's lock,
//! so two removals at once cannot each count the other.

use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// The way in about to go.
#[derive(Clone, Copy, Debug)]
pub enum Except<'a> {
    /// A provider, by id.
    Provider(&'a str),
    /// A passkey, by row id.
    Passkey(Uuid),
}

/// Locks the user row, then `session`'s, and counts the other ways in (0: none
/// would remain; an account that is gone counts none). `None` when `session`
/// is no longer the user's (signed out or revoked while the request was on
/// its way): nothing may be removed on its word.
pub async fn others(
    conn: &mut PgConnection,
    user: Uuid,
    session: &str,
    except: Except<'_>,
) -> anyhow::Result<Option<i64>> {
    let (provider, passkey) = match except {
        Except::Provider(p) => (Some(p), None),
        Except::Passkey(id) => (None, Some(id)),
    };
    // Locked first, counted in a statement of its own: a count in the
    // locking statement would see the rows as they were before the wait.
    let email: Option<Option<String>> =
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1 FOR UPDATE")
            .bind(user)
            .fetch_optional(&mut *conn)
            .await
            .context("failed to lock the account")?;
    let Some(email) = email else {
        return Ok(Some(0));
    };
    let live: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2 AND expiry_date > now()
           AND acting_admin IS NULL FOR UPDATE",
    )
    .bind(session)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await
    .context("failed to lock the session")?;
    if live.is_none() {
        return Ok(None);
    }
    let count: Option<i64> = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM oidc_identities WHERE user_id = $1 AND provider IS DISTINCT FROM $2)
              + (SELECT count(*) FROM passkeys WHERE user_id = $1 AND id IS DISTINCT FROM $3)",
    )
    .bind(user)
    .bind(provider)
    .bind(passkey)
    .fetch_optional(conn)
    .await
    .context("failed to count the ways in")?;
    Ok(Some(count.unwrap_or(0) + i64::from(email.is_some())))
}
