//! Changing a member's address: a link to the new address puts it on, in the
//! browser signed in to the member (the one ending locks and re-reads that
//! session, like adding an address), signs the other browsers out and tells
//! the old address with a one-click undo that works for [`UNDO_DAYS`] days,
//! in any browser: the old address comes back, every session ends, and the
//! password and any passkey, provider or two-step setup added since the
//! change go, with every trusted browser, so
//! whoever changed it is out.

use super::{AddressError, dead_link};
use crate::claim::ClaimChoice;
use crate::email::EmailAddress;
use crate::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::limits::TooMany;
use crate::outbox::{self, Letter, Queued};
use crate::sessions::{ProfileRow, farewell};
use crate::tokens::{self, NewToken, Purpose};
use crate::user::User;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// How long the old address's undo link works.
pub const UNDO_DAYS: i64 = 7;

/// Why no link to a new address was sent.
#[derive(Debug, thiserror::Error)]
pub enum ChangeRequestError {
    /// No member with an address is signed in here (or an admin acts as one).
    #[error("Sign in to change your address.")]
    NotSignedIn,
    /// The new address is the one the account has.
    #[error("That is the address your account has already.")]
    Same,
    /// The sign-in here is older than these minutes.
    #[error("For your safety, sign in again (within the last {0} minutes) to change your address.")]
    NotRecent(i64),
    /// The address does not parse.
    #[error("{0}")]
    Invalid(String),
    /// Several account mails went out lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// The database failed; nothing was sent.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

/// Mails a link to `email` that makes it the caller's address. Whether the
/// address has an account elsewhere is not said here (the link's page says
/// it to whoever can read the mail). `next`: where the browser goes after.
pub async fn request_change<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    email: &str,
    next: &str,
) -> Result<(), ChangeRequestError> {
    let (member, current) = match caller.user() {
        Some(User::Member {
            id,
            email: Some(current),
            ..
        }) if caller.session.acting_until().is_none() => (*id, current.clone()),
        _ => return Err(ChangeRequestError::NotSignedIn),
    };
    if !crate::account::recent(&id.config, caller) {
        return Err(ChangeRequestError::NotRecent(id.config.reauth_minutes.max(0)));
    }
    let email = EmailAddress::parse(email).map_err(|e| ChangeRequestError::Invalid(e.to_string()))?;
    if email.as_str() == current {
        return Err(ChangeRequestError::Same);
    }
    let next = crate::redirect::safe_next(Some(next));
    let letter = Letter::ChangeEmail;
    let sent = super::mail_member_link(id, caller, &email, member, Purpose::EmailChange, letter, &next);
    sent.await?.map_err(ChangeRequestError::TooMany)
}

/// A change link opened in the browser signed in to its member, for the ending.
struct ChangeAddress<'a> {
    digest: Vec<u8>,
    token: &'a str,
    member: Uuid,
    session: String,
    new: Option<String>,
    old: Option<String>,
}

impl<P: Send + Sync> Way<P> for ChangeAddress<'_> {
    type Error = AddressError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, AddressError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "UPDATE auth_tokens SET used_at = now()
             WHERE token_hash = $1 AND purpose = 'email_change' AND user_id = $2 AND used_at IS NULL
               AND expires_at > now()
             RETURNING email, next_path",
        )
        .bind(&self.digest)
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to use the link")?;
        let Some((email, next)) = row else {
            return Err(dead_link(
                tokens::peek(&mut *conn, Purpose::EmailChange, self.token).await?,
            ));
        };
        crate::merge::lock_address(conn, &email).await?;
        let old: Option<String> = sqlx::query_scalar(
            "SELECT email FROM users WHERE id = $1 AND NOT is_anonymous AND email IS NOT NULL FOR UPDATE",
        )
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to lock the account")?;
        self.old = Some(old.ok_or(AddressError::Used)?);
        self.new = Some(email);
        Ok(Proof {
            method: Method::AddressChanged,
            whom: Whom::ThisMember { recent: false },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next,
        })
    }

    async fn attach(&mut self, conn: &mut PgConnection, account: Uuid) -> Result<(), AddressError> {
        let (Some(new), Some(old)) = (self.new.as_deref(), self.old.as_deref()) else {
            return Err(AddressError::Used);
        };
        if account != self.member {
            return Err(AddressError::NotYours);
        }
        let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
            .bind(new)
            .fetch_one(&mut *conn)
            .await
            .context("failed to look up the address")?;
        if taken {
            return Err(AddressError::AddressTaken);
        }
        sqlx::query("UPDATE users SET email = $2, email_verified_at = now() WHERE id = $1")
            .bind(account)
            .bind(new)
            .execute(&mut *conn)
            .await
            .context("failed to change the address")?;
        crate::account::end_other_sessions(conn, account, &self.session).await?;
        // The old address hears of it, with the way back.
        let old = EmailAddress::parse(old).context("a stored address does not parse")?;
        let minutes = UNDO_DAYS * 24 * 60;
        let undo = NewToken {
            purpose: Purpose::EmailUndo,
            email: old.as_str(),
            guest_id: None,
            next_path: "/",
            ttl_minutes: minutes,
            password_hash: None,
            browser_hash: None,
            user_id: Some(account),
        };
        let issued = tokens::issue(conn, undo).await?;
        let mail = Queued {
            letter: Letter::EmailChanged,
            to: &old,
            token: issued.id,
            minutes,
        };
        outbox::queue(conn, mail).await?;
        Ok(())
    }

    fn spent(err: &AddressError) -> bool {
        matches!(err, AddressError::AddressTaken)
    }
}

/// Makes the link's address the member's, in the browser signed in to it;
/// the other browsers are signed out and the old address gets an undo link.
/// Opened anywhere else, the link stays usable.
pub async fn confirm_change<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    token: &str,
) -> Result<Ended, AddressError> {
    let digest = tokens::hash(token).ok_or(AddressError::Unknown)?;
    let owner: Option<Option<Uuid>> = sqlx::query_scalar(
        "SELECT user_id FROM auth_tokens WHERE token_hash = $1 AND purpose = 'email_change'",
    )
    .bind(&digest)
    .fetch_optional(&id.pool)
    .await
    .context("failed to look up the link")?;
    let Some(owner) = owner.flatten() else {
        return Err(AddressError::Unknown);
    };
    let session = match (caller.user(), caller.session.id()) {
        (Some(user), Some(session)) if !user.is_guest() && user.id() == owner => session,
        _ => return Err(AddressError::NotYours),
    };
    let way = ChangeAddress {
        digest,
        token,
        member: owner,
        session,
        new: None,
        old: None,
    };
    let ended = ending::end(id, caller, way).await?;
    tracing::warn!(user = %owner, "address changed");
    Ok(ended)
}

/// Puts the old address back (the link mailed to it), in any browser: every
/// session of the account ends, its password goes, and so do the passkeys
/// and providers added since the change. Any change link still open dies.
pub async fn undo_change(id: &Identity, token: &str) -> Result<(), AddressError> {
    let digest = tokens::hash(token).ok_or(AddressError::Unknown)?;
    let mut tx = id.pool.begin().await.context("failed to begin the undo")?;
    let row: Option<(String, Option<Uuid>, f64)> = sqlx::query_as(
        "UPDATE auth_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = 'email_undo' AND used_at IS NULL AND expires_at > now()
         RETURNING email, user_id, extract(epoch FROM created_at)::float8",
    )
    .bind(&digest)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to use the link")?;
    let Some((old, Some(member), since)) = row else {
        return Err(dead_link(
            tokens::peek(&mut *tx, Purpose::EmailUndo, token).await?,
        ));
    };
    crate::merge::lock_address(&mut tx, &old).await?;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND id <> $2)")
        .bind(&old)
        .bind(member)
        .fetch_one(&mut *tx)
        .await
        .context("failed to look up the address")?;
    if taken {
        // Used up: the page says why (someone else has the address now).
        tx.commit().await.context("failed to commit the used link")?;
        return Err(AddressError::AddressTaken);
    }
    let back = sqlx::query(
        "UPDATE users SET email = $2, email_verified_at = now(), password_hash = NULL
         WHERE id = $1 AND NOT is_anonymous",
    )
    .bind(member)
    .bind(&old)
    .execute(&mut *tx)
    .await
    .context("failed to put the address back")?;
    if back.rows_affected() == 0 {
        return Err(AddressError::Used);
    }
    // What came in since the change goes with whoever made it.
    for sql in [
        "DELETE FROM passkeys WHERE user_id = $1 AND created_at >= to_timestamp($2)",
        "DELETE FROM oidc_identities WHERE user_id = $1 AND created_at >= to_timestamp($2)",
        // A two-step setup made since (its codes in someone else's app), and
        // every trusted browser: whoever changed the address may own one.
        // (started or turned on since: a setup begun before the change may
        // have been turned on after it).
        "DELETE FROM backup_codes WHERE user_id = $1 AND EXISTS
             (SELECT 1 FROM two_factor WHERE user_id = $1
              AND (created_at >= to_timestamp($2) OR enabled_at >= to_timestamp($2)))",
        "DELETE FROM two_factor WHERE user_id = $1
         AND (created_at >= to_timestamp($2) OR enabled_at >= to_timestamp($2))",
        "DELETE FROM trusted_browsers WHERE user_id = $1 AND $2::float8 IS NOT NULL",
        "DELETE FROM second_factor_pending WHERE user_id = $1 AND $2::float8 IS NOT NULL",
    ] {
        sqlx::query(sql)
            .bind(member)
            .bind(since)
            .execute(&mut *tx)
            .await
            .context("failed to remove the ways in added since the change")?;
    }
    sqlx::query("UPDATE auth_tokens SET used_at = now() WHERE user_id = $1 AND purpose = 'email_change' AND used_at IS NULL")
        .bind(member)
        .execute(&mut *tx)
        .await
        .context("failed to retire the change links")?;
    farewell::end_sessions(&mut tx, farewell::Ending::all(member)).await?;
    tx.commit().await.context("failed to commit the undo")?;
    tracing::warn!(user = %member, "address change undone");
    Ok(())
}
