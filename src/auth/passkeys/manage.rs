//! The account page's passkeys: the list, and removing one while another
//! way in remains.

use crate::auth::Caller;
use crate::auth::errors::PasskeyError;
use crate::context::Context;
use anyhow::Context as _;
use uuid::Uuid;

/// One passkey as the account page lists it.
#[derive(Clone, Debug)]
pub struct Listed {
    /// Its row id (to remove it).
    pub id: Uuid,
    /// The name given when it was added.
    pub name: String,
    /// Added at, as pages say it ("6 Dec 2026, 08:57 UTC").
    pub since: String,
    /// Last sign-in with it, likewise, if any.
    pub last_used: Option<String>,
}

/// The passkeys of `user`, oldest first.
pub async fn list(ctx: &Context, user: Uuid) -> anyhow::Result<Vec<Listed>> {
    let rows: Vec<(Uuid, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, extract(epoch FROM created_at)::int8, extract(epoch FROM last_used_at)::int8
         FROM passkeys WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user)
    .fetch_all(&ctx.pool)
    .await
    .context("failed to list passkeys")?;
    Ok(rows
        .into_iter()
        .map(|(id, name, since, last_used)| Listed {
            id,
            name,
            since: crate::time::date_time(since),
            last_used: last_used.map(crate::time::date_time),
        })
        .collect())
}

/// Removes one of the caller's passkeys, unless it is the last way in.
pub async fn remove(ctx: &Context, caller: &Caller, id: &str) -> Result<(), PasskeyError> {
    let (Some(user), Some(session)) = (caller.user().filter(|u| !u.is_guest()), caller.session.id()) else {
        return Err(PasskeyError::SignedOut);
    };
    let id = Uuid::parse_str(id).map_err(|_| PasskeyError::NotFound)?;
    let mut tx = ctx.pool.begin().await.context("failed to begin removing")?;
    let except = crate::auth::ways_in::Except::Passkey(id);
    let others = crate::auth::ways_in::others(&mut tx, user.id(), &session, except)
        .await?
        .ok_or(PasskeyError::SignedOut)?;
    if others == 0 {
        return Err(PasskeyError::LastWayIn);
    }
    let gone = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user.id())
        .execute(&mut *tx)
        .await
        .context("failed to remove the passkey")?
        .rows_affected();
    if gone == 0 {
        return Err(PasskeyError::NotFound);
    }
    tx.commit().await.context("failed to commit removing")?;
    tracing::info!(user = %user.id(), passkey = %id, "passkey removed");
    Ok(())
}
