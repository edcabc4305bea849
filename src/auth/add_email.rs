//! Adding an address to an account that has none (a member who came in with
//! a passkey or a provider that vouched for no address): the identity
//! crate's [`anonymous_first::address::request_add`] and
//! [`anonymous_first::address::confirm_add`]. The link is used in the
//! browser signed in to that account, so a link someone sends you can never
//! put your address on their account.

use super::Caller;
use super::errors::{LinkError, RequestError};
use crate::context::Context;

/// Mails a confirmation link to `email` for the caller's account. Whether the
/// address has an account elsewhere is not said here (the link's page says
/// it to whoever can read the mail).
pub async fn request(ctx: &Context, caller: &Caller, email: &str) -> Result<(), RequestError> {
    use anonymous_first::address::AddRequestError as E;
    let asked = anonymous_first::address::request_add(&ctx.identity, caller, email, "/account").await;
    asked.map_err(|err| match err {
        E::TooMany(over) => RequestError::TooMany(over),
        E::Unexpected(err) => RequestError::Unexpected(err),
        // The crate's sentences are ours for the rest.
        other => RequestError::Invalid(other.to_string()),
    })
}

/// Puts the link's address on its account, in the browser signed in to it
/// (the recent sign-in was asked for when the link was made).
pub async fn confirm(ctx: &Context, caller: &mut Caller, token: &str) -> Result<(), LinkError> {
    anonymous_first::address::confirm_add(&ctx.identity, caller, token).await?;
    Ok(())
}
