//! Signing up with an address and a password, and confirming it. Nothing
//! about who the browser is changes until the address is proven: the answer,
//! cookies, state and work are the same whether the address is new or
//! taken, so sign-up cannot be used to find out who has an account.
//!
//! - A new address: the password's hash waits in a confirmation token;
//!   [`confirm_sign_up`] finishes the sign-up, promoting this browser's
//!   guest in place.
//! - A taken address: its owner gets "someone tried to sign up" with a
//!   sign-in link (which brings this browser's guest along, if it was them).
//!
//! Neither retires a link or code the address already has pending
//! (`tokens::issue` retires only the same asker's), so the owner's own
//! sign-in in progress cannot tell, or be cancelled by, a sign-up.

use super::{AddressError, ByAddress, Secret, dead_link};
use crate::claim::ClaimChoice;
use crate::email::EmailAddress;
use crate::ending::{self, Ended};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::limits::TooMany;
use crate::outbox::{self, Letter, Queued};
use crate::sessions::ProfileRow;
use crate::tokens::{self, NewToken, Peek, Purpose};
use crate::user::User;
use anyhow::Context as _;
use sqlx::PgPool;

/// How long a sign-up waits for its address to be confirmed (minutes).
pub const CONFIRM_MINUTES: i64 = 24 * 60;

/// Why a sign-up sent nothing.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    /// A member is signed in here: sign out to make another account.
    #[error("You are signed in already. Sign out first to make another account.")]
    SignedIn,
    /// The address does not parse, or the password is refused (the reason).
    #[error("{0}")]
    Invalid(String),
    /// Several account mails went out lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// The database or the hasher failed; nothing was sent.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

/// Starts a sign-up; the address's inbox decides what happens next. `next`:
/// where the confirmed browser goes, made a path of the site.
pub async fn sign_up<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    email: &str,
    password: String,
    next: &str,
) -> Result<(), SignUpError> {
    if matches!(caller.user(), Some(User::Member { .. })) {
        return Err(SignUpError::SignedIn);
    }
    let email = EmailAddress::parse(email).map_err(|e| SignUpError::Invalid(e.to_string()))?;
    crate::password::check(&password, email.as_str()).map_err(|e| SignUpError::Invalid(e.to_string()))?;
    let next = crate::redirect::safe_next(Some(next));
    let limits = &id.config.address_limits;
    let (per_client, per_email) = (limits.account_mail_per_client, limits.account_mail_per_email);
    let counted = super::hit_mail(id, caller, &email, per_client, per_email).await?;
    counted.map_err(SignUpError::TooMany)?;
    // Hash before knowing whether the address exists: both paths cost the same.
    let hash = id.hasher.hash(password).await?;
    let mut tx = id.pool.begin().await.context("no database connection")?;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(email.as_str())
        .fetch_one(&mut *tx)
        .await
        .context("failed to look up address")?;
    let (purpose, letter, minutes, password_hash) = match taken {
        true => (
            Purpose::MagicLink,
            Letter::SignUpAttempt,
            id.config.link_minutes,
            None,
        ),
        false => (
            Purpose::EmailVerify,
            Letter::VerifyEmail,
            CONFIRM_MINUTES,
            Some(hash.as_str()),
        ),
    };
    let new = NewToken {
        purpose,
        email: email.as_str(),
        guest_id: caller.session.guest(),
        next_path: &next,
        ttl_minutes: minutes,
        password_hash,
        browser_hash: None,
        user_id: None,
    };
    let issued = tokens::issue(&mut tx, new).await?;
    let mail = Queued {
        letter,
        to: &email,
        token: issued.id,
        minutes,
    };
    outbox::queue(&mut tx, mail).await?;
    tx.commit().await.context("failed to commit the sign-up")?;
    Ok(())
}

/// The password of an account nobody has proved the address of (made by a
/// sign-up that kept it on the row), if there is one.
pub(super) async fn unproven_password(pool: &PgPool, email: &str) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT password_hash FROM users
         WHERE email = $1 AND email_verified_at IS NULL AND password_hash IS NOT NULL",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .context("failed to look up the account's password")
}

/// Confirms the address of a sign-up and finishes it, through the one
/// ending. The password chosen at sign-up is kept in the browser that signed
/// up, or when the person types it here (`typed_password`, tries limited per
/// address and client); otherwise the account starts without one: someone
/// else may have chosen it.
pub async fn confirm_sign_up<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    token: &str,
    choice: ClaimChoice,
    typed_password: &str,
) -> Result<Ended, AddressError> {
    let row = match tokens::peek(&id.pool, Purpose::EmailVerify, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead)),
    };
    let pending = match row.password_hash.clone() {
        Some(hash) => Some(hash),
        None => unproven_password(&id.pool, &row.email).await?,
    };
    let browser = caller.session.guest();
    let keep = match pending {
        Some(hash) if browser.is_some() && browser == row.guest_id => Some(hash),
        Some(hash) if !typed_password.is_empty() => {
            let subject = format!("{} {}", row.email, caller.client());
            let limit = id.config.address_limits.password_per_account;
            limit
                .hit(&id.pool, &subject)
                .await?
                .map_err(AddressError::TooMany)?;
            if !id
                .hasher
                .verify(typed_password.to_owned(), Some(hash.clone()))
                .await?
            {
                return Err(AddressError::WrongPassword);
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
    ending::end(id, caller, way).await
}
