//! The account page's passkeys: the list (dates as pages say them), and
//! removing one while another way in remains (the identity crate's).

use crate::auth::Caller;
use crate::auth::errors::PasskeyError;
use crate::context::Context;
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
    let listed = anonymous_first::passkeys::list(&ctx.identity, user).await?;
    Ok(listed
        .into_iter()
        .map(|p| Listed {
            id: p.id,
            name: p.name,
            since: crate::time::date_time(p.created_at),
            last_used: p.last_used_at.map(crate::time::date_time),
        })
        .collect())
}

/// Removes one of the caller's passkeys, unless it is the last way in.
pub async fn remove(ctx: &Context, caller: &Caller, id: &str) -> Result<(), PasskeyError> {
    Ok(anonymous_first::passkeys::remove(&ctx.identity, caller, id).await?)
}
