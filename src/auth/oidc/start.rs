//! Leaving for the provider (the identity crate's: a fresh `state`, `nonce`
//! and PKCE verifier kept server-side with this browser's guest, and a key
//! for our HttpOnly [`crate::auth::cookies::OPENID`] cookie).

use crate::auth::Caller;
use crate::auth::errors::OidcError;
use crate::context::Context;

pub use anonymous_first::oidc::{Intent, Started};

/// Starts a sign-in with provider `id` (or, with [`Intent::Link`], a member
/// adding it); `next`: where to go after.
pub async fn start(
    ctx: &Context,
    caller: &Caller,
    id: &str,
    next: &str,
    intent: Intent,
) -> Result<Started, OidcError> {
    Ok(anonymous_first::oidc::start(&ctx.identity, &ctx.oidc, caller, id, next, intent).await?)
}
