//! Signing up with email and password. Nothing about who the browser is
//! changes until the address is proven: the form's answer, cookies, state and
//! work are the same whether the address is new or taken, so sign-up cannot
//! be used to find out who has an account.
//!
//! - New address: the password's hash waits in a confirmation token
//!   ([`super::links::confirm_address`] finishes the sign-up, promoting this
//!   browser's guest in place).
//! - Taken address: its owner gets "someone tried to sign up" with a sign-in
//!   link (which brings this browser's guest along, if it was them).
//!
//! Neither retires a link or code the address already has pending
//! (`tokens::issue` retires only the same asker's), so the owner's own
//! sign-in in progress cannot tell, or be cancelled by, a sign-up.

use super::Caller;
use super::errors::SignUpError;
use super::tokens::{self, NewToken, Purpose};
use super::user::User;
use crate::context::Context;
use crate::email::EmailAddress;
use crate::limits::LimitedAction;
use crate::mail::outbox::{Letter, Queued};
use anyhow::Context as _;

/// How long a sign-up waits for its address to be confirmed.
const CONFIRM_MINUTES: i64 = 24 * 60;

/// Starts a sign-up; the address's inbox decides what happens next.
pub async fn sign_up(
    ctx: &Context,
    caller: &Caller,
    email: &str,
    password: String,
) -> Result<(), SignUpError> {
    if matches!(caller.user(), Some(User::Member { .. })) {
        return Err(SignUpError::SignedIn);
    }
    let email = EmailAddress::parse(email).map_err(|e| SignUpError::Invalid(e.to_string()))?;
    crate::password::check(&password, email.as_str()).map_err(|e| SignUpError::Invalid(e.to_string()))?;
    let client = caller.client();
    let asker = format!("{} {client}", email.as_str());
    ctx.limit(&[
        (LimitedAction::AccountMailPerClient, client.as_str()),
        (LimitedAction::AccountMailPerEmail, asker.as_str()),
        (LimitedAction::MailPerAddress, email.as_str()),
    ])
    .await?
    .map_err(SignUpError::TooMany)?;
    // Hash before knowing whether the address exists: both paths cost the same.
    let hash = ctx.hasher.hash(password).await?;
    let mut tx = ctx.pool.begin().await.context("no database connection")?;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(email.as_str())
        .fetch_one(&mut *tx)
        .await
        .context("failed to look up address")?;
    let guest_id = caller.session.guest();
    let new = if taken {
        NewToken {
            purpose: Purpose::MagicLink,
            email: email.as_str(),
            guest_id,
            next_path: "/account",
            ttl_minutes: ctx.config.link_minutes,
            password_hash: None,
            browser_hash: None,
            user_id: None,
        }
    } else {
        NewToken {
            purpose: Purpose::EmailVerify,
            email: email.as_str(),
            guest_id,
            next_path: "/account",
            ttl_minutes: CONFIRM_MINUTES,
            password_hash: Some(&hash),
            browser_hash: None,
            user_id: None,
        }
    };
    let minutes = new.ttl_minutes;
    let issued = tokens::issue(&mut tx, new).await?;
    let mail = Queued {
        letter: if taken {
            Letter::SignUpAttempt
        } else {
            Letter::VerifyEmail
        },
        to: &email,
        token: issued.id,
        minutes,
    };
    ctx.send(&mut tx, mail).await?;
    tx.commit().await.context("failed to commit the sign-up")?;
    Ok(())
}
