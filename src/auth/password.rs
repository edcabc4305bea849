//! Passwords: signing in with one, asking for a reset link, changing it
//! (each the identity crate's flow, with our words).

use super::Caller;
use super::ending::Ended;
use super::errors::{AccountError, RequestError, SignInError};
use crate::context::Context;

/// Signs in with email and password, bringing this browser's guest into the
/// account: the identity crate's [`anonymous_first::password::sign_in`],
/// with our catalogue's limits.
pub async fn sign_in(
    ctx: &Context,
    caller: &mut Caller,
    email: &str,
    password: String,
) -> Result<Ended, SignInError> {
    use anonymous_first::password::SignInError as E;
    match anonymous_first::password::sign_in(&ctx.identity, caller, email, password).await {
        Ok(ended) => Ok(ended),
        Err(E::Mismatch) => Err(SignInError::Mismatch),
        Err(E::Changed) => Err(SignInError::Changed),
        Err(E::Banned(until)) => Err(SignInError::Banned(until)),
        Err(E::SecondFactor(key)) => Err(SignInError::SecondFactor(key)),
        Err(E::TooMany(over)) => Err(SignInError::TooMany(over)),
        Err(E::Unexpected(err)) => Err(SignInError::Unexpected(err)),
    }
}

/// Emails a password-reset link if the address has an account (the identity
/// crate's [`anonymous_first::address::request_reset`]); the answer and the
/// work are the same either way.
pub async fn request_reset(ctx: &Context, caller: &Caller, email: &str) -> Result<(), RequestError> {
    Ok(anonymous_first::address::request_reset(&ctx.identity, caller, email, "/account").await?)
}

/// Sets a new password for the signed-in member (the identity crate's
/// [`anonymous_first::password::change`]: the current password, or a recent
/// sign-in for a first one; decided under locks as things are at the write),
/// optionally signing every other device out with it.
pub async fn change_password(
    ctx: &Context,
    caller: &Caller,
    current: String,
    new_password: String,
    sign_out_others: bool,
) -> Result<(), AccountError> {
    use anonymous_first::password::ChangeError as E;
    let changed =
        anonymous_first::password::change(&ctx.identity, caller, current, new_password, sign_out_others)
            .await;
    changed.map_err(|err| match err {
        E::NotSignedIn => AccountError::NotFound("Sign in to manage your account."),
        E::TooMany(over) => AccountError::TooMany(over),
        E::Unexpected(err) => AccountError::Unexpected(err),
        // The crate's words are ours for the rest.
        other => AccountError::Invalid(other.to_string()),
    })
}
