//! Signing up with email and password: the identity crate's
//! [`anonymous_first::address::sign_up`], whose answer, cookies and work are
//! the same whether the address is new or taken. A new address gets a
//! confirmation link ([`super::links::confirm_address`] finishes the sign-up,
//! promoting this browser's guest in place); a taken one's owner gets
//! "someone tried to sign up" with a sign-in link.

use super::Caller;
use super::errors::SignUpError;
use crate::context::Context;

/// Starts a sign-up; the address's inbox decides what happens next.
pub async fn sign_up(
    ctx: &Context,
    caller: &Caller,
    email: &str,
    password: String,
) -> Result<(), SignUpError> {
    use anonymous_first::address::SignUpError as E;
    let started = anonymous_first::address::sign_up(&ctx.identity, caller, email, password, "/account").await;
    started.map_err(|err| match err {
        E::SignedIn => SignUpError::SignedIn,
        E::Invalid(why) => SignUpError::Invalid(why),
        E::TooMany(over) => SignUpError::TooMany(over),
        E::Unexpected(err) => SignUpError::Unexpected(err),
    })
}
