//! Coming back from the provider, and the confirm page's answer (the
//! identity crate's: the attempt used up, only in the browser that left; the
//! code exchanged with the PKCE verifier; the ID token checked; then the one
//! ending decides who this browser is).

use super::Finished;
use crate::auth::Caller;
use crate::auth::errors::OidcError;
use crate::context::Context;

pub use anonymous_first::oidc::Callback;

/// Checks provider `id`'s answer and signs in (or links).
pub async fn finish(
    ctx: &Context,
    caller: &mut Caller,
    id: &str,
    answer: &Callback,
    browser_key: Option<&str>,
) -> Result<Finished, OidcError> {
    let finished = anonymous_first::oidc::finish(&ctx.identity, &ctx.oidc, caller, id, answer, browser_key);
    Ok(finished.await?)
}

/// The confirm page's answer: link the provider to the account that has its
/// address, or keep it as an account of its own.
pub async fn confirm(
    ctx: &Context,
    caller: &mut Caller,
    browser_key: Option<&str>,
    link: bool,
) -> Result<Finished, OidcError> {
    Ok(anonymous_first::oidc::confirm(&ctx.identity, caller, browser_key, link).await?)
}

/// What the confirm page shows: the provider's label and the masked address,
/// if this browser has a pending sign-in.
pub async fn pending(ctx: &Context, browser_key: Option<&str>) -> anyhow::Result<Option<(String, String)>> {
    anonymous_first::oidc::pending(&ctx.identity, &ctx.oidc, browser_key).await
}
