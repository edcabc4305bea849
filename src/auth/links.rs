//! Every way in through a one-time email link: sign in (and claim the guest's
//! things), confirm the address of a sign-up, set a new password. Opening a
//! link only looks ([`preview`]); the page's POST hands the token to the one
//! ending through the identity crate's address way
//! ([`anonymous_first::address`]), which uses it up, promotes or merges the
//! guests, settles the password and opens this browser's new session. Asking
//! for a sign-in mail and signing in by its link or code are the crate's
//! flows; a sign-up's confirmation and a reset are ours, on the same way.

use super::Caller;
use super::ending::{self, Ended};
use super::errors::{LinkError, RequestError};
use super::merge;
use super::preview::{ClaimChoice, GuestData, LinkCheck, LinkPreview};
use super::tokens::{self, Peek, Purpose};
use crate::context::Context;
use crate::email::EmailAddress;
use crate::limits::LimitedAction;
pub use anonymous_first::address::Requested;
use anonymous_first::address::{self, ByAddress, Secret, dead_link};
use anyhow::Context as _;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

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

/// What a link's page shows. Never uses the link up.
pub async fn preview(
    ctx: &Context,
    caller: &Caller,
    purpose: Purpose,
    token: &str,
) -> anyhow::Result<LinkCheck> {
    let row = match tokens::peek(&ctx.pool, purpose, token).await? {
        Peek::Valid(row) => row,
        Peek::Used => return Ok(LinkCheck::Used),
        Peek::Expired => return Ok(LinkCheck::Expired),
        Peek::TriedOut => return Ok(LinkCheck::TriedOut),
        Peek::Unknown => return Ok(LinkCheck::Unknown),
    };
    let masked_email = EmailAddress::parse(&row.email)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "your address".to_owned());
    let browser = caller.session.guest();
    let same_browser = browser.is_some() && browser == row.guest_id;
    let mut conn = ctx.pool.acquire().await.context("no database connection")?;
    let requester = data_if_guest(&mut conn, row.guest_id).await?;
    let this_browser = data_if_guest(&mut conn, browser.filter(|_| !same_browser)).await?;
    let unproven_password = purpose == Purpose::EmailVerify
        && (row.password_hash.is_some() || unproven_password(&ctx.pool, &row.email).await?.is_some());
    Ok(LinkCheck::Valid(LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
        unproven_password,
    }))
}

/// The data of `id` when it is (still) a guest.
async fn data_if_guest(conn: &mut PgConnection, id: Option<Uuid>) -> anyhow::Result<Option<GuestData>> {
    let Some(id) = id else { return Ok(None) };
    let guest: Option<bool> = sqlx::query_scalar("SELECT is_anonymous FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to look up guest")?;
    match guest {
        Some(true) => Ok(Some(merge::guest_data(conn, id).await?)),
        _ => Ok(None),
    }
}

/// The password of an account nobody has proved the address of (made by the
/// sign-up of older versions), if there is one.
async fn unproven_password(pool: &PgPool, email: &str) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT password_hash FROM users
         WHERE email = $1 AND email_verified_at IS NULL AND password_hash IS NOT NULL",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .context("failed to look up the account's password")
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

/// Confirms the address of a sign-up and finishes it. The password chosen at
/// sign-up is kept in the browser that signed up, or when the person types it
/// here; otherwise the account starts without one (someone else may have
/// chosen it).
pub async fn confirm_address(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
    typed_password: &str,
) -> Result<Ended, LinkError> {
    let row = match tokens::peek(&ctx.pool, Purpose::EmailVerify, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead).into()),
    };
    let pending = match row.password_hash.clone() {
        Some(hash) => Some(hash),
        None => unproven_password(&ctx.pool, &row.email).await?,
    };
    let browser = caller.session.guest();
    let keep = match pending {
        Some(hash) if browser.is_some() && browser == row.guest_id => Some(hash),
        Some(hash) if !typed_password.is_empty() => {
            let subject = format!("{} {}", row.email, caller.client());
            ctx.limit(&[(LimitedAction::PasswordPerAccount, subject.as_str())])
                .await?
                .map_err(LinkError::TooMany)?;
            if !ctx
                .hasher
                .verify(typed_password.to_owned(), Some(hash.clone()))
                .await?
            {
                return Err(LinkError::WrongPassword);
            }
            Some(hash)
        }
        _ => None,
    };
    let way = ByAddress {
        purpose: Purpose::EmailVerify,
        secret: Secret::Link(token),
        choice,
        password: keep,
    };
    Ok(ending::end(ctx, caller, way).await?)
}

/// Sets a new password from a reset link: proves the address, ends every
/// session of the account and signs this browser in. Like any link, it brings
/// the guest that asked for it only in the browser that asked, and any other
/// guest only when the person chose it on the page.
pub async fn reset_password(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
    new_password: String,
) -> Result<Ended, LinkError> {
    let row = match tokens::peek(&ctx.pool, Purpose::PasswordReset, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead).into()),
    };
    crate::password::check(&new_password, &row.email).map_err(LinkError::Weak)?;
    let hash = ctx.hasher.hash(new_password).await?;
    let way = ByAddress {
        purpose: Purpose::PasswordReset,
        secret: Secret::Link(token),
        choice,
        password: Some(hash),
    };
    Ok(ending::end(ctx, caller, way).await?)
}
