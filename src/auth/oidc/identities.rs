//! The provider identities on the account page: which ones sign in to this
//! account, and unlinking one while another way in remains.

use crate::auth::Caller;
use crate::auth::errors::OidcError;
use crate::context::Context;
use anyhow::Context as _;
use uuid::Uuid;

/// One linked provider account.
#[derive(Clone, Debug)]
pub struct Linked {
    /// Our provider id.
    pub provider: String,
    /// Its label (the id, if the provider is no longer configured).
    pub label: String,
    /// The address the provider gave at the last sign-in.
    pub email: Option<String>,
    /// Linked at, as pages say it ("6 Dec 2026, 08:57 UTC").
    pub since: String,
    /// Last sign-in with it, likewise.
    pub last_used: String,
}

/// The identities of `user`, oldest first.
pub async fn list(ctx: &Context, user: Uuid) -> anyhow::Result<Vec<Linked>> {
    let rows: Vec<(String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT provider, email, extract(epoch FROM created_at)::int8, extract(epoch FROM last_used_at)::int8
         FROM oidc_identities WHERE user_id = $1 ORDER BY created_at, provider",
    )
    .bind(user)
    .fetch_all(&ctx.pool)
    .await
    .context("failed to list identities")?;
    Ok(rows
        .into_iter()
        .map(|(provider, email, since, last_used)| Linked {
            label: ctx.oidc.label(&provider),
            provider,
            email,
            since: crate::time::date_time(since),
            last_used: crate::time::date_time(last_used),
        })
        .collect())
}

/// Unlinks `provider` from the caller's account, unless it is the last way
/// in (an address to send a link to, another identity, a passkey).
pub async fn unlink(ctx: &Context, caller: &Caller, provider: &str) -> Result<(), OidcError> {
    let (Some(user), Some(session)) = (caller.user().filter(|u| !u.is_guest()), caller.session.id()) else {
        return Err(OidcError::SignedOut);
    };
    let mut tx = ctx.pool.begin().await.context("failed to begin unlinking")?;
    let others = crate::auth::ways_in::others(
        &mut tx,
        user.id(),
        &session,
        crate::auth::ways_in::Except::Provider(provider),
    )
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
