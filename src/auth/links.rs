//! Every way in through a one-time email link: sign in (and claim the guest's
//! things), confirm the address of a sign-up, set a new password. Opening a
//! link only looks ([`preview`]); the page's POST hands the token to the one
//! ending through the identity crate's address way
//! ([`anonymous_first::address`]), which uses it up, promotes or merges the
//! guests, settles the password and opens this browser's new session. Every
//! flow here is the crate's, with our limits (its config) and our words.

use super::Caller;
use super::ending::Ended;
use super::errors::{LinkError, RequestError};
use super::merge;
use super::preview::{ClaimChoice, LinkCheck, LinkPreview};
use super::tokens::Purpose;
use crate::context::Context;
use anonymous_first::address;
pub use anonymous_first::address::Requested;

/// Emails a sign-in link (and code); the crate's flow, with our limits.
/// Known and unknown addresses take the same path and get the same answer.
pub async fn request_link(
    ctx: &Context,
    caller: &Caller,
    email: &str,
    next: &str,
    browser_key: Option<&str>,
) -> Result<Requested, RequestError> {
    Ok(address::request_link(&ctx.identity, caller, email, next, browser_key).await?)
}

/// What a link's page shows (the identity crate's
/// [`address::preview`], its counts in our words). Never uses the link up.
pub async fn preview(
    ctx: &Context,
    caller: &Caller,
    purpose: Purpose,
    token: &str,
) -> anyhow::Result<LinkCheck> {
    Ok(
        match address::preview(&ctx.identity, caller, purpose, token).await? {
            address::LinkCheck::Valid(p) => LinkCheck::Valid(LinkPreview {
                masked_email: p.masked_email,
                same_browser: p.same_browser,
                requester: p.requester.as_ref().map(merge::words),
                this_browser: p.this_browser.as_ref().map(merge::words),
                unproven_password: p.unproven_password,
            }),
            address::LinkCheck::Used => LinkCheck::Used,
            address::LinkCheck::Expired => LinkCheck::Expired,
            address::LinkCheck::TriedOut => LinkCheck::TriedOut,
            address::LinkCheck::Unknown => LinkCheck::Unknown,
        },
    )
}

/// Confirms a sign-in link: signs this browser in, bringing the guests the
/// one rule and the person's choice bring.
pub async fn sign_in_with_link(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
) -> Result<Ended, LinkError> {
    Ok(address::sign_in_with_link(&ctx.identity, caller, token, choice).await?)
}

/// Signs in with the code from a sign-in mail, typed in the browser that
/// asked: the crate's flow (tries counted before the code is checked).
pub async fn sign_in_with_code(
    ctx: &Context,
    caller: &mut Caller,
    request: &str,
    code: &str,
    browser_key: Option<&str>,
) -> Result<Ended, LinkError> {
    Ok(address::sign_in_with_code(&ctx.identity, caller, request, code, browser_key).await?)
}

/// Confirms the address of a sign-up and finishes it (the identity crate's
/// [`address::confirm_sign_up`]). The password chosen at sign-up is kept in
/// the browser that signed up, or when the person types it here; otherwise
/// the account starts without one (someone else may have chosen it).
pub async fn confirm_address(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
    typed_password: &str,
) -> Result<Ended, LinkError> {
    Ok(address::confirm_sign_up(&ctx.identity, caller, token, choice, typed_password).await?)
}

/// Sets a new password from a reset link (the identity crate's
/// [`address::reset_password`]): proves the address, ends every session of
/// the account and signs this browser in. Like any link, it brings the guest
/// that asked for it only in the browser that asked, and any other guest
/// only when the person chose it on the page.
pub async fn reset_password(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
    new_password: String,
) -> Result<Ended, LinkError> {
    Ok(address::reset_password(&ctx.identity, caller, token, choice, new_password).await?)
}
