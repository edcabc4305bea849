//! Changing a member's address: the identity crate's
//! [`anonymous_first::address::request_change`], `confirm_change` (the link
//! to the new address, used in the browser signed in to the account; the
//! other devices are signed out) and `undo_change` (the old address's link,
//! seven days, any browser: the address comes back, every device is signed
//! out, the password goes). Our paths and words.

use super::Caller;
use super::errors::{LinkError, RequestError};
use crate::context::Context;

/// Mails a confirmation link to the new `email`. Whether the address has an
/// account elsewhere is not said here (the link's page says it to whoever
/// can read the mail).
pub async fn request(ctx: &Context, caller: &Caller, email: &str) -> Result<(), RequestError> {
    use anonymous_first::address::ChangeRequestError as E;
    let asked = anonymous_first::address::request_change(&ctx.identity, caller, email, "/account").await;
    asked.map_err(|err| match err {
        E::TooMany(over) => RequestError::TooMany(over),
        E::Unexpected(err) => RequestError::Unexpected(err),
        // The crate's sentences are ours for the rest.
        other => RequestError::Invalid(other.to_string()),
    })
}

/// Makes the link's address the account's, in the browser signed in to it.
pub async fn confirm(ctx: &Context, caller: &mut Caller, token: &str) -> Result<(), LinkError> {
    anonymous_first::address::confirm_change(&ctx.identity, caller, token).await?;
    Ok(())
}

/// Puts the old address back, from the link mailed to it.
pub async fn undo(ctx: &Context, token: &str) -> Result<(), LinkError> {
    Ok(anonymous_first::address::undo_change(&ctx.identity, token).await?)
}
