//! A forgotten password: asking for a reset link answers the same whether
//! or not the address has an account, at the same cost; using it proves the
//! address, sets the new password, ends every other session of the account
//! and signs this browser in, through the one ending.

use super::{AddressError, ByAddress, RequestError, Secret, dead_link};
use crate::claim::ClaimChoice;
use crate::email::EmailAddress;
use crate::ending::{self, Ended};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::outbox::{self, Letter, Queued};
use crate::sessions::ProfileRow;
use crate::tokens::{self, NewToken, Peek, Purpose};
use anyhow::Context as _;

/// How long a reset link works (minutes).
pub const RESET_MINUTES: i64 = 30;

/// Mails a reset link if the address has a member; the answer is the same
/// either way. `next`: where the browser goes once the password is set.
pub async fn request_reset<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    email: &str,
    next: &str,
) -> Result<(), RequestError> {
    let email = EmailAddress::parse(email).map_err(|e| RequestError::Invalid(e.to_string()))?;
    let next = crate::redirect::safe_next(Some(next));
    let limits = &id.config.address_limits;
    let (per_client, per_email) = (limits.account_mail_per_client, limits.account_mail_per_email);
    let counted = super::hit_mail(id, caller, &email, per_client, per_email).await?;
    counted.map_err(RequestError::TooMany)?;
    let mut tx = id.pool.begin().await.context("no database connection")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND NOT is_anonymous)")
            .bind(email.as_str())
            .fetch_one(&mut *tx)
            .await
            .context("failed to look up address")?;
    // A token either way (one for an unknown address is never sent and
    // expires unused): both answers cost the same work.
    let new = NewToken {
        purpose: Purpose::PasswordReset,
        email: email.as_str(),
        guest_id: caller.session.guest(),
        next_path: &next,
        ttl_minutes: RESET_MINUTES,
        password_hash: None,
        browser_hash: None,
        user_id: None,
    };
    let issued = tokens::issue(&mut tx, new).await?;
    let mail = Queued {
        letter: Letter::PasswordReset,
        to: &email,
        token: issued.id,
        minutes: RESET_MINUTES,
    };
    match exists {
        true => outbox::queue(&mut tx, mail).await?,
        false => outbox::record_unsent(&mut tx, mail, "no account for this address").await?,
    }
    tx.commit().await.context("failed to commit the reset link")?;
    Ok(())
}

/// Sets a new password from a reset link: proves the address, ends every
/// session of the account and signs this browser in. Like any link, it
/// brings the guest that asked for it only in the browser that asked, and
/// any other guest only when the person chose it on the page.
pub async fn reset_password<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    token: &str,
    choice: ClaimChoice,
    new_password: String,
) -> Result<Ended, AddressError> {
    let row = match tokens::peek(&id.pool, Purpose::PasswordReset, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead)),
    };
    crate::password::check(&new_password, &row.email).map_err(AddressError::Weak)?;
    let hash = id.hasher.hash(new_password).await?;
    let way = ByAddress {
        purpose: Purpose::PasswordReset,
        secret: Secret::Link(token),
        choice,
        password: Some(hash),
    };
    ending::end(id, caller, way).await
}
