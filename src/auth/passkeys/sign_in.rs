//! Signing in with a passkey (the identity crate's: the credential decides
//! the account, and the one ending brings this browser's guest into it).

use super::Started;
use crate::auth::Caller;
use crate::auth::ending::Ended;
use crate::auth::errors::PasskeyError;
use crate::context::Context;
use anonymous_first::passkeys;

/// Starts a sign-in: a challenge for any of our passkeys, answerable only in
/// this browser (`held`: the key it holds already, if any).
pub async fn start(ctx: &Context, caller: &Caller, held: Option<&str>) -> Result<Started, PasskeyError> {
    Ok(passkeys::start_sign_in(&ctx.identity, &ctx.passkeys, caller, held).await?)
}

/// Checks the passkey's answer (only in the browser that started the
/// ceremony, `held`) and signs this browser in as its account, bringing the
/// browser's guest; then to `next` (made safe).
pub async fn finish(
    ctx: &Context,
    caller: &mut Caller,
    ceremony: &str,
    credential: serde_json::Value,
    next: &str,
    held: Option<&str>,
) -> Result<Ended, PasskeyError> {
    let ended = passkeys::finish_sign_in(
        &ctx.identity,
        &ctx.passkeys,
        caller,
        ceremony,
        credential,
        next,
        held,
    )
    .await?;
    Ok(ended)
}
