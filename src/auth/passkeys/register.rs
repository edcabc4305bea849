//! Adding a passkey (the identity crate's: a member after a recent sign-in,
//! or a guest keeping its dogs, becoming a member in place), with the name
//! read as every typed field is and the account page to come back to.

use super::Started;
use crate::auth::Caller;
use crate::auth::ending::Ended;
use crate::auth::errors::PasskeyError;
use crate::context::Context;
use anonymous_first::passkeys;

/// A passkey's name: what the person typed, or a plain default.
fn name_of(typed: &str) -> Result<String, PasskeyError> {
    const NAME: crate::text::Field = crate::text::Field::line("The passkey's name", passkeys::NAME_MAX);
    let name = NAME
        .read(typed)
        .map_err(|e| PasskeyError::BadName(e.to_string()))?;
    Ok(name
        .non_empty()
        .map_or_else(|| "Passkey".to_owned(), String::from))
}

/// Starts adding a passkey to the caller (a member or a guest), answerable
/// only in this browser (`held`: the key it holds already, if any).
pub async fn start(
    ctx: &Context,
    caller: &Caller,
    name: &str,
    held: Option<&str>,
) -> Result<Started, PasskeyError> {
    // Refusals in the order they always came: no passkeys here, nobody
    // signed in, then the name.
    if !ctx.passkeys.enabled() {
        return Err(PasskeyError::Unavailable);
    }
    if caller.user().is_none() {
        return Err(PasskeyError::SignedOut);
    }
    let name = name_of(name)?;
    Ok(passkeys::start_adding(&ctx.identity, &ctx.passkeys, caller, &name, held).await?)
}

/// Checks the new credential (only in the browser that started the
/// ceremony, `held`, for the user it was started for) and stores it through
/// the one ending; back to the account page, which says what happened.
pub async fn finish(
    ctx: &Context,
    caller: &mut Caller,
    ceremony: &str,
    credential: serde_json::Value,
    held: Option<&str>,
) -> Result<Ended, PasskeyError> {
    let next = match caller.user() {
        Some(user) if user.is_guest() => "/account?passkey=kept",
        _ => "/account?passkey=added",
    };
    let ended = passkeys::finish_adding(
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
