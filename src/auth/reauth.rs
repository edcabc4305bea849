//! Proving again who you are, on the page that needs it (deleting the
//! account): the signed-in member's own password, or the code from a mail
//! sent to their own address. Nothing here changes a session: each is the
//! ordinary way in ([`super::password::sign_in`], [`super::links`]) for the
//! caller's own account, so the one ending opens this browser's new session
//! with a fresh sign-in time (`Whom::Member`, the same member: no guest
//! moves, nothing else changes). A code from a mail for another address is
//! refused here, so this step never turns into signing in as someone else.

use super::Caller;
use super::errors::{LinkError, RequestError, SignInError};
use super::links::{self, Requested};
use super::user::User;
use crate::context::Context;
use crate::errors::{Failure, Kind};

/// Why proving it again did not work.
#[derive(Debug, thiserror::Error)]
pub enum ReauthError {
    /// Not a member signed in here, or one without a proven address.
    #[error("Sign in to manage your account.")]
    NotMember,
    /// The password is not this account's.
    #[error("That password is not right. Try again, or have a code emailed to you.")]
    WrongPassword,
    /// Signing in with the password said no otherwise.
    #[error(transparent)]
    SignIn(SignInError),
    /// Sending the mail said no.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The code said no.
    #[error(transparent)]
    Link(#[from] LinkError),
}

impl ReauthError {
    /// The account asks for its second step: the waiting sign-in's key.
    pub fn second_step(&self) -> Option<uuid::Uuid> {
        match self {
            Self::SignIn(SignInError::SecondFactor(key)) | Self::Link(LinkError::SecondFactor(key)) => {
                Some(*key)
            }
            _ => None,
        }
    }
}

impl From<SignInError> for ReauthError {
    fn from(err: SignInError) -> Self {
        match err {
            SignInError::Mismatch => Self::WrongPassword,
            other => Self::SignIn(other),
        }
    }
}

impl Failure for ReauthError {
    fn kind(&self) -> Kind {
        match self {
            Self::NotMember => Kind::NotFound,
            Self::WrongPassword => Kind::Unauthorized,
            Self::SignIn(e) => e.kind(),
            Self::Request(e) => e.kind(),
            Self::Link(e) => e.kind(),
        }
    }
    fn unexpected(&self) -> Option<&anyhow::Error> {
        match self {
            Self::NotMember | Self::WrongPassword => None,
            Self::SignIn(e) => e.unexpected(),
            Self::Request(e) => e.unexpected(),
            Self::Link(e) => e.unexpected(),
        }
    }
}

/// The member signed in here and their address.
fn own_address(caller: &Caller) -> Result<String, ReauthError> {
    match caller.user() {
        Some(User::Member {
            email: Some(email), ..
        }) => Ok(email.clone()),
        _ => Err(ReauthError::NotMember),
    }
}

/// Signs this browser in again with the member's own password.
pub async fn with_password(ctx: &Context, caller: &mut Caller, password: String) -> Result<(), ReauthError> {
    let email = own_address(caller)?;
    super::password::sign_in(ctx, caller, &email, password).await?;
    Ok(())
}

/// Mails a sign-in code (and link, back to `next`) to the member's own address.
pub async fn send_code(
    ctx: &Context,
    caller: &Caller,
    next: &str,
    browser_key: Option<&str>,
) -> Result<Requested, ReauthError> {
    let email = own_address(caller)?;
    Ok(links::request_link(ctx, caller, &email, next, browser_key).await?)
}

/// Signs this browser in again with the code of a mail [`send_code`] sent
/// (`request`: the mail's token id, `browser_key`: this browser's cookie).
pub async fn with_code(
    ctx: &Context,
    caller: &mut Caller,
    request: &str,
    code: &str,
    browser_key: Option<&str>,
) -> Result<(), ReauthError> {
    let email = own_address(caller)?;
    let request_id = uuid::Uuid::parse_str(request).map_err(|_| LinkError::Unknown)?;
    let sent_to = super::tokens::email_of(&ctx.pool, request_id)
        .await
        .map_err(LinkError::Unexpected)?;
    if sent_to.as_deref() != Some(email.as_str()) {
        return Err(LinkError::Unknown.into());
    }
    links::sign_in_with_code(ctx, caller, request, code, browser_key).await?;
    Ok(())
}
