//! An account's provider identities: which ones sign in to it, and
//! unlinking one while another way in remains.

use super::{OidcError, Providers};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use crate::ways_in::{self, Except};
use anyhow::Context as _;
use uuid::Uuid;

/// One linked provider account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked {
    /// Our provider id.
    pub provider: String,
    /// Its label (the id, if the provider is no longer configured).
    pub label: String,
    /// The address the provider gave at the last sign-in.
    pub email: Option<String>,
    /// When it was linked (Unix seconds).
    pub created_at: i64,
    /// The last sign-in with it (Unix seconds).
    pub last_used_at: i64,
}

/// The identities of `user`, oldest first.
pub async fn list(id: &Identity, providers: &Providers, user: Uuid) -> anyhow::Result<Vec<Linked>> {
    let rows: Vec<(String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT provider, email, extract(epoch FROM created_at)::int8, extract(epoch FROM last_used_at)::int8
         FROM oidc_identities WHERE user_id = $1 ORDER BY created_at, provider",
    )
    .bind(user)
    .fetch_all(&id.pool)
    .await
    .context("failed to list identities")?;
    Ok(rows
        .into_iter()
        .map(|(provider, email, created_at, last_used_at)| Linked {
            label: providers.label(&provider),
            provider,
            email,
            created_at,
            last_used_at,
        })
        .collect())
}

/// Unlinks `provider` from the caller's account, unless it is the last way
/// in (an address to send a link to, another identity, a passkey).
pub async fn unlink<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    provider: &str,
) -> Result<(), OidcError> {
    let (Some(user), Some(session)) = (caller.user().filter(|u| !u.is_guest()), caller.session.id()) else {
        return Err(OidcError::SignedOut);
    };
    let mut tx = id.pool.begin().await.context("failed to begin unlinking")?;
    let others = ways_in::others(&mut tx, user.id(), &session, Except::Provider(provider))
        .await?
        .ok_or(OidcError::SignedOut)?;
    if others == 0 {
        return Err(OidcError::LastWayIn);
    }
    let gone = sqlx::query("DELETE FROM oidc_identities WHERE user_id = $1 AND provider = $2")
        .bind(user.id())
        .bind(provider)
        .execute(&mut *tx)
        .await
        .context("failed to unlink")?
        .rows_affected();
    if gone == 0 {
        return Err(OidcError::NotLinked);
    }
    tx.commit().await.context("failed to commit unlinking")?;
    tracing::info!(user = %user.id(), provider, "unlinked an OpenID Connect identity");
    Ok(())
}
