//! Every proof of an address as a way in: a mailed sign-in link, or the
//! mail's code typed in the browser that asked for it. Asking sends the same
//! answer whether or not the address has an account; the mail and its token
//! commit together (the [`outbox`](crate::outbox)); the code is checked
//! against a stored hash, a few tries per mail, each try counted before it is
//! checked; using either hands the proof to the one [`ending`](crate::ending).
//!
//! The account mails use the same way: a sign-up and its confirmation
//! ([`sign_up`], [`confirm_sign_up`]), a forgotten password
//! ([`request_reset`], [`reset_password`]), an address for a member
//! that has none ([`request_add`], [`confirm_add`]), and a new address for
//! one that has one ([`request_change`], [`confirm_change`], with the old
//! address's [`undo_change`]). A link's page looks first ([`preview`]),
//! never using it up.

mod add;
mod change;
mod flows;
mod preview;
mod reset;
mod sign_up;
mod way;

pub use add::{AddRequestError, confirm_add, request_add};
pub use change::{ChangeRequestError, UNDO_DAYS, confirm_change, request_change, undo_change};
pub use flows::{Requested, request_link, sign_in_with_code, sign_in_with_link};
pub use preview::{LinkCheck, LinkPreview, preview};
pub use reset::{RESET_MINUTES, request_reset, reset_password};
pub use sign_up::{CONFIRM_MINUTES, SignUpError, confirm_sign_up, sign_up};
pub use way::{ByAddress, Secret, dead_link};

use crate::email::EmailAddress;
use crate::guests::Caller;
use crate::identity::Identity;
pub use crate::limits::{AddressAction, AddressLimits};
use crate::limits::{Limit, TooMany, hit_all};

/// Why an address proof could not sign in. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    /// Used already, or replaced by a newer link.
    #[error("This link has already been used.")]
    Used,
    /// Expired.
    #[error("This link has expired.")]
    Expired,
    /// Not a link we sent.
    #[error("This link is not valid.")]
    Unknown,
    /// A code that is not this mail's; this many tries are left.
    #[error("That code is not right ({0} tries left).")]
    WrongCode(i32),
    /// Not [`crate::tokens::CODE_DIGITS`] digits.
    #[error("The code is the eight digits in the email.")]
    MalformedCode,
    /// Every try of this mail's code was used up: its code and link are dead.
    #[error("Too many tries: ask for a new email.")]
    TriedOut,
    /// A code typed in another browser than the one that asked for the mail.
    #[error("This code works only in the browser where you asked for it; open the link instead.")]
    OtherBrowser,
    /// This browser's session changed while the request was under way.
    #[error("Your sign-in changed while this was under way. Nothing was changed; please try again.")]
    Changed,
    /// This browser's guest holds things and was not chosen to come along.
    #[error("This browser holds things added as a guest: choose to bring them, or use another browser.")]
    LeftBehind,
    /// Adding a way in to a member needs a sign-in here within these minutes.
    #[error("Sign in again (within the last {0} minutes), then try once more.")]
    NotRecent(i64),
    /// The password typed to keep a sign-up's password is not that password.
    #[error("That is not the password chosen at sign-up; leave it empty to go on without it.")]
    WrongPassword,
    /// A reset's new password is refused by the policy.
    #[error("{0}")]
    Weak(crate::password::PasswordError),
    /// An address link opened where its member is not signed in.
    #[error("Open this link in the browser signed in to the account it is for.")]
    NotYours,
    /// The address of an address link belongs to another account by now
    /// (the link is used up).
    #[error("That address has an account already; sign in with it instead.")]
    AddressTaken,
    /// An admin suspended the account, until these Unix seconds (`None`:
    /// until lifted).
    #[error("{}", crate::admin::suspended(*.0))]
    Banned(Option<i64>),
    /// An admin acting as this member cannot add a way in to it.
    #[error("While you act as someone, their ways in stay as they are.")]
    Acting,
    /// The account asks for its second step: the proof is used up and the
    /// sign-in waits under this key ([`crate::two_factor::finish`]).
    #[error("Type the code from your authenticator app to finish signing in.")]
    SecondFactor(uuid::Uuid),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// The database or the hasher failed; nothing was changed.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

impl From<crate::ending::Refusal> for AddressError {
    fn from(refusal: crate::ending::Refusal) -> Self {
        use crate::ending::Refusal;
        match refusal {
            Refusal::Changed => Self::Changed,
            Refusal::LeftBehind => Self::LeftBehind,
            Refusal::NotRecent(minutes) => Self::NotRecent(minutes),
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::Acting => Self::Acting,
            Refusal::SecondFactor(key) => Self::SecondFactor(key),
        }
    }
}

/// Why asking for a sign-in mail failed.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The address does not parse.
    #[error("{0}")]
    Invalid(String),
    /// Several mails went out lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// The database failed; nothing was sent.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

/// Counts one mail to `email` asked for by this browser's client: per client
/// (`per_client`), per address and client (`per_email`, so nobody else uses
/// up the owner's), and per address alone (an inbox's flood guard).
async fn hit_mail<P: crate::user::Profile>(
    id: &Identity,
    caller: &Caller<P>,
    email: &EmailAddress,
    per_client: Limit,
    per_email: Limit,
) -> anyhow::Result<Result<(), TooMany>> {
    let client = caller.client();
    let asker = format!("{} {client}", email.as_str());
    let checks = [
        (per_client, client.as_str()),
        (per_email, asker.as_str()),
        (id.config.address_limits.mail_per_address, email.as_str()),
    ];
    hit_all(&id.pool, &checks).await
}

/// A link for the member `member` to `email` (adding or changing its
/// address): the account-mail limits counted first, then its token and its
/// mail in one transaction; a newer link retires only this member's older ones.
async fn mail_member_link<P: crate::user::Profile>(
    id: &Identity,
    caller: &Caller<P>,
    email: &EmailAddress,
    member: uuid::Uuid,
    purpose: crate::tokens::Purpose,
    letter: crate::outbox::Letter,
    next: &str,
) -> anyhow::Result<Result<(), TooMany>> {
    use anyhow::Context as _;
    let limits = &id.config.address_limits;
    let (per_client, per_email) = (limits.account_mail_per_client, limits.account_mail_per_email);
    if let Err(over) = hit_mail(id, caller, email, per_client, per_email).await? {
        return Ok(Err(over));
    }
    let minutes = id.config.link_minutes.max(30);
    let mut tx = id.pool.begin().await.context("no database connection")?;
    let new = crate::tokens::NewToken {
        purpose,
        email: email.as_str(),
        guest_id: None,
        next_path: next,
        ttl_minutes: minutes,
        password_hash: None,
        browser_hash: None,
        user_id: Some(member),
    };
    let issued = crate::tokens::issue(&mut tx, new).await?;
    let mail = crate::outbox::Queued {
        letter,
        to: email,
        token: issued.id,
        minutes,
    };
    crate::outbox::queue(&mut tx, mail).await?;
    tx.commit().await.context("failed to commit the address link")?;
    Ok(Ok(()))
}
