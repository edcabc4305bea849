//! The provider identities on the account page (dates as pages say them),
//! and unlinking one while another way in remains (the identity crate's).

use crate::auth::Caller;
use crate::auth::errors::OidcError;
use crate::context::Context;
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
    let linked = anonymous_first::oidc::list(&ctx.identity, &ctx.oidc, user).await?;
    Ok(linked
        .into_iter()
        .map(|l| Linked {
            provider: l.provider,
            label: l.label,
            email: l.email,
            since: crate::time::date_time(l.created_at),
            last_used: crate::time::date_time(l.last_used_at),
        })
        .collect())
}

/// Unlinks `provider` from the caller's account, unless it is the last way
/// in (an address to send a link to, another identity, a passkey).
pub async fn unlink(ctx: &Context, caller: &Caller, provider: &str) -> Result<(), OidcError> {
    Ok(anonymous_first::oidc::unlink(&ctx.identity, caller, provider).await?)
}
