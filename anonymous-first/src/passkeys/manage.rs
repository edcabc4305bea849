//! An account's passkeys: the list, and removing one while another way in
//! remains.

use super::PasskeyError;
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use crate::ways_in::{self, Except};
use anyhow::Context as _;
use uuid::Uuid;

/// One passkey as an account page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Its row id (to remove it).
    pub id: Uuid,
    /// The name given when it was added.
    pub name: String,
    /// When it was added (Unix seconds).
    pub created_at: i64,
    /// The last sign-in with it (Unix seconds), if any.
    pub last_used_at: Option<i64>,
}

/// The passkeys of `user`, oldest first.
pub async fn list(id: &Identity, user: Uuid) -> anyhow::Result<Vec<Listed>> {
    let rows: Vec<(Uuid, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, extract(epoch FROM created_at)::int8, extract(epoch FROM last_used_at)::int8
         FROM passkeys WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user)
    .fetch_all(&id.pool)
    .await
    .context("failed to list passkeys")?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| Listed {
            id,
            name,
            created_at,
            last_used_at,
        })
        .collect())
}

/// Removes one of the caller's passkeys (by [`Listed::id`]), unless it is
/// the account's last way in; decided under the account's and this
/// session's locks, so two removals at once cannot each count the other.
pub async fn remove<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    passkey: &str,
) -> Result<(), PasskeyError> {
    let (Some(user), Some(session)) = (caller.user().filter(|u| !u.is_guest()), caller.session.id()) else {
        return Err(PasskeyError::SignedOut);
    };
    let passkey = Uuid::parse_str(passkey).map_err(|_| PasskeyError::NotFound)?;
    let mut tx = id.pool.begin().await.context("failed to begin removing")?;
    let others = ways_in::others(&mut tx, user.id(), &session, Except::Passkey(passkey))
        .await?
        .ok_or(PasskeyError::SignedOut)?;
    if others == 0 {
        return Err(PasskeyError::LastWayIn);
    }
    let gone = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(passkey)
        .bind(user.id())
        .execute(&mut *tx)
        .await
        .context("failed to remove the passkey")?
        .rows_affected();
    if gone == 0 {
        return Err(PasskeyError::NotFound);
    }
    tx.commit().await.context("failed to commit removing")?;
    tracing::info!(user = %user.id(), %passkey, "passkey removed");
    Ok(())
}
