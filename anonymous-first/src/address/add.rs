//! Adding an address to a member that has none (one who came in with a
//! passkey, or a provider that vouched for no address): a link to the
//! address proves it, and is used in the browser signed in to that member,
//! so a link someone sends you can never put your address on their account.

use super::{AddressError, dead_link};
use crate::claim::ClaimChoice;
use crate::email::EmailAddress;
use crate::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::limits::TooMany;
use crate::outbox::Letter;
use crate::sessions::ProfileRow;
use crate::tokens::{self, Purpose};
use crate::user::User;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// Why no address link was sent.
#[derive(Debug, thiserror::Error)]
pub enum AddRequestError {
    /// No member is signed in here.
    #[error("Sign in to add an address to your account.")]
    NotSignedIn,
    /// The member has an address already.
    #[error("Your account has an address already.")]
    HasAddress,
    /// The sign-in here is older than these minutes.
    #[error("For your safety, sign in again (within the last {0} minutes) to add an address.")]
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

/// Mails a link to `email` that puts it on the caller's account. Whether the
/// address has an account elsewhere is not said here (the link's page says
/// it to whoever can read the mail). `next`: where the browser goes after.
pub async fn request_add<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    email: &str,
    next: &str,
) -> Result<(), AddRequestError> {
    let member = match caller.user() {
        Some(User::Member { id, email: None, .. }) => *id,
        Some(User::Member { .. }) => return Err(AddRequestError::HasAddress),
        _ => return Err(AddRequestError::NotSignedIn),
    };
    // Asked here, when the link is made: the link outlives the window (at
    // least 30 minutes), and only this member's signed-in browser can use it.
    if !crate::account::recent(&id.config, caller) {
        return Err(AddRequestError::NotRecent(id.config.reauth_minutes.max(0)));
    }
    let email = EmailAddress::parse(email).map_err(|e| AddRequestError::Invalid(e.to_string()))?;
    let next = crate::redirect::safe_next(Some(next));
    let sent = super::mail_member_link(
        id,
        caller,
        &email,
        member,
        Purpose::EmailAdd,
        Letter::AddEmail,
        &next,
    );
    sent.await?.map_err(AddRequestError::TooMany)
}

/// An address link opened in the browser signed in to its member, for the ending.
struct AddAddress<'a> {
    digest: Vec<u8>,
    token: &'a str,
    member: Uuid,
    email: Option<String>,
}

impl<P: Send + Sync> Way<P> for AddAddress<'_> {
    type Error = AddressError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, AddressError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "UPDATE auth_tokens SET used_at = now()
             WHERE token_hash = $1 AND purpose = 'email_add' AND user_id = $2 AND used_at IS NULL AND expires_at > now()
             RETURNING email, next_path",
        )
        .bind(&self.digest)
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to use the link")?;
        let Some((email, next)) = row else {
            return Err(dead_link(
                tokens::peek(&mut *conn, Purpose::EmailAdd, self.token).await?,
            ));
        };
        crate::merge::lock_address(conn, &email).await?;
        let member: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM users WHERE id = $1 AND NOT is_anonymous AND email IS NULL FOR UPDATE",
        )
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to lock the account")?;
        member.ok_or(AddressError::Used)?;
        self.email = Some(email);
        Ok(Proof {
            method: Method::AddressAdded,
            whom: Whom::ThisMember { recent: false },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next,
        })
    }

    async fn attach(&mut self, conn: &mut PgConnection, account: Uuid) -> Result<(), AddressError> {
        let email = self.email.as_deref().ok_or(AddressError::Used)?;
        // The ending attaches to the session's member: only the link's own.
        if account != self.member {
            return Err(AddressError::NotYours);
        }
        let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
            .bind(email)
            .fetch_one(&mut *conn)
            .await
            .context("failed to look up the address")?;
        if taken {
            // The link is used up either way ([`Way::spent`]); the page says why.
            return Err(AddressError::AddressTaken);
        }
        sqlx::query("UPDATE users SET email = $2, email_verified_at = now() WHERE id = $1")
            .bind(account)
            .bind(email)
            .execute(conn)
            .await
            .context("failed to add the address")?;
        Ok(())
    }

    fn spent(err: &AddressError) -> bool {
        matches!(err, AddressError::AddressTaken)
    }
}

/// Puts the link's address on its member, in the browser signed in to it:
/// the ending locks and re-reads that session, so a browser signed out or
/// switched meanwhile adds nothing. The recent sign-in was asked for when
/// the link was made ([`request_add`]). Opened anywhere else, the link
/// stays usable.
pub async fn confirm_add<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    token: &str,
) -> Result<Ended, AddressError> {
    let digest = tokens::hash(token).ok_or(AddressError::Unknown)?;
    // Whose link it is, looked at first.
    let owner: Option<Option<Uuid>> =
        sqlx::query_scalar("SELECT user_id FROM auth_tokens WHERE token_hash = $1 AND purpose = 'email_add'")
            .bind(&digest)
            .fetch_optional(&id.pool)
            .await
            .context("failed to look up the link")?;
    let Some(owner) = owner.flatten() else {
        return Err(AddressError::Unknown);
    };
    if caller.user().is_none_or(|u| u.is_guest() || u.id() != owner) {
        return Err(AddressError::NotYours);
    }
    let way = AddAddress {
        digest,
        token,
        member: owner,
        email: None,
    };
    let ended = ending::end(id, caller, way).await?;
    tracing::info!(user = %owner, "address added to an account");
    Ok(ended)
}
