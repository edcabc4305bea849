//! Two-step sign-in: an authenticator app's codes (RFC 6238 through
//! `totp-rs`: SHA-1, six digits, 30-second steps, one step either side), ten
//! single-use backup codes, and browsers trusted to skip the step for
//! [`TRUST_DAYS`] days. A guest has none of it.
//!
//! **Where it sits.** Not beside the ways in but inside the one ending: when a
//! proof signs in a member who has it on ([`crate::ending`]), the ending uses
//! the proof up, keeps what it proved in `second_factor_pending` under a
//! random key for this browser's cookie, and refuses with
//! [`Refusal::SecondFactor`](crate::ending::Refusal) — nothing else changes,
//! no guest moves, nobody is signed in. The code then is a way in of its own
//! ([`finish`]) that hands the ending that same proof back: the guest rule,
//! the ban, the session's re-read and the rotation all happen there, once.
//! A passkey is two factors already ([`crate::ending::Way::two_factors`]).
//!
//! **A code is good once.** `totp-rs` does not remember used steps; the
//! member's `last_step` is compared and set in the statement that accepts a
//! code, so a step at or before the last one is refused, also under two
//! requests at once. A backup code is one row, taken by
//! `UPDATE … WHERE used_at IS NULL`. Codes count against per-account limits
//! ([`crate::limits::AddressLimits::second_factor_per_account`]), and a
//! waiting sign-in is dropped after [`MAX_FAILURES`] wrong codes.

mod codes;
mod second;
mod setup;
mod trusted;

pub use codes::{BACKUP_CODES, Checked};
pub use second::{Finished, finish};
pub use setup::{Setup, begin, disable, enable, setup_of, status};
pub use trusted::{
    TRUST_DAYS, TRUSTED_COOKIE, TrustedBrowser, forget, trusted_browsers, trusted_cookie, trusted_key,
};

pub use crate::ending::deferred::PENDING_MINUTES;

use crate::limits::TooMany;

/// Wrong codes a waiting sign-in takes before it is dropped (the first step
/// is then needed again).
pub const MAX_FAILURES: i32 = 5;

/// Why a two-step action did not happen. Nothing was changed, except a wrong
/// code's count.
#[derive(Debug, thiserror::Error)]
pub enum TwoFactorError {
    /// No member is signed in here (or this session ended meanwhile).
    #[error("Sign in to manage two-step sign-in.")]
    NotSignedIn,
    /// The sign-in here is older than these minutes.
    #[error("For your safety, sign in again (within the last {0} minutes), then try once more.")]
    NotRecent(i64),
    /// An admin acting as this member cannot change how it signs in.
    #[error("While you act as someone, how they sign in stays as it is.")]
    Acting,
    /// Two-step sign-in is on already.
    #[error("Two-step sign-in is on already.")]
    AlreadyOn,
    /// Two-step sign-in is not on (or its setup was not started).
    #[error("Two-step sign-in is not on. Start again from your account page.")]
    NotOn,
    /// The code is wrong, or was used already.
    #[error(
        "That code is not right, or it was used already. Type the newest code from your app, or a backup code."
    )]
    WrongCode,
    /// The sign-in waiting for its second step is gone (too old, too many
    /// wrong codes, or finished in another tab).
    #[error("That sign-in has expired. Please sign in again.")]
    Expired,
    /// This browser's session changed while the request was under way.
    #[error("Your sign-in changed while this was under way. Nothing was changed; please try again.")]
    Changed,
    /// This browser's guest holds things and was not chosen to come along.
    #[error("This browser holds things added as a guest: choose to bring them, or use another browser.")]
    LeftBehind,
    /// An admin suspended the account, until these Unix seconds.
    #[error("{}", crate::admin::suspended(*.0))]
    Banned(Option<i64>),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// The database failed; nothing was changed.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

impl From<crate::ending::Refusal> for TwoFactorError {
    fn from(refusal: crate::ending::Refusal) -> Self {
        use crate::ending::Refusal;
        match refusal {
            Refusal::NotRecent(minutes) => Self::NotRecent(minutes),
            Refusal::LeftBehind => Self::LeftBehind,
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::Acting => Self::Acting,
            // A code is a second factor: the ending never asks for another.
            Refusal::Changed | Refusal::SecondFactor(_) => Self::Changed,
        }
    }
}

/// Counts one code try against the account's limits.
async fn hit_limits(id: &crate::Identity, user: uuid::Uuid) -> Result<(), TwoFactorError> {
    let limits = &id.config.address_limits;
    let subject = user.to_string();
    let checks = [
        (limits.second_factor_per_account, subject.as_str()),
        (limits.second_factor_per_account_daily, subject.as_str()),
    ];
    crate::limits::hit_all(&id.pool, &checks)
        .await?
        .map_err(TwoFactorError::TooMany)
}

/// Locks the member's row: the order every flow locks in (the account,
/// then what hangs off it).
async fn lock_account(conn: &mut sqlx::PgConnection, user: uuid::Uuid) -> anyhow::Result<()> {
    use anyhow::Context as _;
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(user)
        .execute(conn)
        .await
        .context("failed to lock the account")?;
    Ok(())
}
