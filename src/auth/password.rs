//! Passwords: signing in with one, asking for a reset link, changing it.

use super::Caller;
use super::ending::Ended;
use super::errors::{AccountError, RequestError, SignInError};
use super::tokens::{self, NewToken, Purpose};
use crate::context::Context;
use crate::email::EmailAddress;
use crate::limits::LimitedAction;
use crate::mail::outbox::{Letter, Queued};
use anyhow::Context as _;

/// How long a password-reset link works.
const RESET_MINUTES: i64 = 30;

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
        Err(E::TooMany(over)) => Err(SignInError::TooMany(over)),
        Err(E::Unexpected(err)) => Err(SignInError::Unexpected(err)),
    }
}

/// Emails a password-reset link if the address has an account; the answer is
/// the same either way.
pub async fn request_reset(ctx: &Context, caller: &Caller, email: &str) -> Result<(), RequestError> {
    let email = EmailAddress::parse(email).map_err(|e| RequestError::Invalid(e.to_string()))?;
    let client = caller.client();
    let asker = format!("{} {client}", email.as_str());
    ctx.limit(&[
        (LimitedAction::AccountMailPerClient, client.as_str()),
        (LimitedAction::AccountMailPerEmail, asker.as_str()),
        (LimitedAction::MailPerAddress, email.as_str()),
    ])
    .await?
    .map_err(RequestError::TooMany)?;
    let mut tx = ctx.pool.begin().await.context("no database connection")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND NOT is_anonymous)")
            .bind(email.as_str())
            .fetch_one(&mut *tx)
            .await
            .context("failed to look up address")?;
    // A token either way (one for an unknown address is never sent and
    // expires unused): both answers cost the same work.
    let issued = tokens::issue(
        &mut tx,
        NewToken {
            purpose: Purpose::PasswordReset,
            email: email.as_str(),
            guest_id: caller.session.guest(),
            next_path: "/account",
            ttl_minutes: RESET_MINUTES,
            password_hash: None,
            browser_hash: None,
            user_id: None,
        },
    )
    .await?;
    let mail = Queued {
        letter: Letter::PasswordReset,
        to: &email,
        token: issued.id,
        minutes: RESET_MINUTES,
    };
    if exists {
        ctx.send(&mut tx, mail).await?;
    } else {
        crate::mail::outbox::record_unsent(&mut tx, mail, "no account for this address").await?;
    }
    tx.commit().await.context("failed to commit the reset link")?;
    Ok(())
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
