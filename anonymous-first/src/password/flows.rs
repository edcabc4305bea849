//! The way in by password, and changing one. Only a password whose address
//! was proven signs in; unknown addresses verify against a dummy hash (the
//! same work and time as a known one). Tries are limited per client and per
//! address *and* client, so nobody elsewhere can lock the owner out.

use crate::claim::ClaimChoice;
use crate::email::EmailAddress;
use crate::ending::{self, Asker, Ended, Method, Proof, Refusal, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::limits::{TooMany, hit_all};
use crate::sessions::ProfileRow;
use crate::user::User;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// Why a password did not sign in. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown address, wrong password, no password, or one nobody proved.
    #[error("That email and password do not match an account.")]
    Mismatch,
    /// This browser's session changed while the request was under way.
    #[error("Your sign-in changed while this was under way. Nothing was changed; please try again.")]
    Changed,
    /// An admin suspended the account, until these Unix seconds (`None`:
    /// until lifted).
    #[error("{}", crate::admin::suspended(*.0))]
    Banned(Option<i64>),
    /// The account asks for its second step: the proof is used up and the
    /// sign-in waits under this key ([`crate::two_factor::finish`]).
    #[error("Type the code from your authenticator app to finish signing in.")]
    SecondFactor(uuid::Uuid),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

impl From<Refusal> for SignInError {
    fn from(refusal: Refusal) -> Self {
        // A password is typed here: this browser's guest always comes, and
        // nothing is added to a member; a suspended account or a change
        // under way can refuse.
        match refusal {
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::SecondFactor(key) => Self::SecondFactor(key),
            _ => Self::Changed,
        }
    }
}

/// Why a password was not set. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// No member is signed in here (or this session ended meanwhile).
    #[error("Sign in to manage your account.")]
    NotSignedIn,
    /// The account has no address to sign in with a password.
    #[error("Add an email address to your account before setting a password.")]
    NoAddress,
    /// The new password breaks the policy.
    #[error("{0}")]
    Weak(#[from] super::PasswordError),
    /// The current password typed is not the account's.
    #[error("Your current password is not right.")]
    WrongCurrent,
    /// The password changed between the check and the write.
    #[error("Your password was changed elsewhere just now. Please try again.")]
    ChangedElsewhere,
    /// A first password needs a sign-in here within these minutes.
    #[error("For your safety, sign in again (within the last {0} minutes) to set a password.")]
    NotRecent(i64),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

/// A password checked against the account it signs in to, for the ending.
struct ByPassword {
    email: EmailAddress,
    id: Uuid,
    hash: String,
}

impl<P: ProfileRow> Way<P> for ByPassword {
    type Error = SignInError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, SignInError> {
        crate::merge::lock_address(conn, self.email.as_str()).await?;
        // Decide on the account as it is now: a password changed (or an
        // address moved) since it was checked does not sign in.
        let current: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM users
             WHERE id = $1 AND password_hash = $2 AND email = $3 AND email_verified_at IS NOT NULL
             FOR UPDATE",
        )
        .bind(self.id)
        .bind(&self.hash)
        .bind(self.email.as_str())
        .fetch_optional(conn)
        .await
        .context("failed to lock the account")?;
        let id = current.ok_or(SignInError::Mismatch)?;
        Ok(Proof {
            method: Method::Password,
            whom: Whom::Member {
                id,
                first_proof: false,
                password: None,
            },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: "/".to_owned(),
        })
    }
}

/// Signs in with an address and password, bringing this browser's guest
/// into the account (the ending's merge).
pub async fn sign_in<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    email: &str,
    password: String,
) -> Result<Ended, SignInError> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Err(SignInError::Mismatch);
    };
    let client = caller.client();
    let account = format!("{} {client}", email.as_str());
    let limits = &id.config.address_limits;
    let checks = [
        (limits.password_per_client, client.as_str()),
        (limits.password_per_account, account.as_str()),
    ];
    hit_all(&id.pool, &checks).await?.map_err(SignInError::TooMany)?;
    let found: Option<(Uuid, Option<String>)> = sqlx::query_as(
        "SELECT id, password_hash FROM users
         WHERE email = $1 AND NOT is_anonymous AND email_verified_at IS NOT NULL",
    )
    .bind(email.as_str())
    .fetch_optional(&id.pool)
    .await
    .context("failed to load credentials")?;
    let stored = found.as_ref().and_then(|(_, hash)| hash.clone());
    let ok = id.hasher.verify(password, stored).await?;
    let Some((user, Some(hash))) = found.filter(|_| ok) else {
        return Err(SignInError::Mismatch);
    };
    ending::end(
        id,
        caller,
        ByPassword {
            email,
            id: user,
            hash,
        },
    )
    .await
}

/// Sets a new password for the signed-in member: needs the current one when
/// there is one, or a recent sign-in here when there is none (a session
/// alone must not give an account a new way in). Decided under a lock on the
/// account and on this session's row, as they are at the write: a session
/// ended meanwhile sets nothing, and a password changed meanwhile is not
/// overwritten. `sign_out_others` ends every other session in the same
/// transaction.
pub async fn change<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    current: String,
    new_password: String,
    sign_out_others: bool,
) -> Result<(), ChangeError> {
    let (Some(User::Member { id: user, email, .. }), Some(session)) = (caller.user(), caller.session.id())
    else {
        return Err(ChangeError::NotSignedIn);
    };
    // An admin acting as the member never sets their password.
    if caller.session.acting_until().is_some() {
        return Err(ChangeError::NotSignedIn);
    }
    let Some(email) = email else {
        return Err(ChangeError::NoAddress);
    };
    super::check(&new_password, email)?;
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&id.pool)
        .await
        .context("failed to load password")?
        .flatten();
    let minutes = id.config.reauth_minutes.max(0);
    match &stored {
        Some(stored) => {
            let subject = format!("{email} {}", caller.client());
            let checks = [(id.config.address_limits.password_per_account, subject.as_str())];
            hit_all(&id.pool, &checks).await?.map_err(ChangeError::TooMany)?;
            if !id.hasher.verify(current, Some(stored.clone())).await? {
                return Err(ChangeError::WrongCurrent);
            }
        }
        None if !crate::account::recent(&id.config, caller) => return Err(ChangeError::NotRecent(minutes)),
        None => {}
    }
    let hash = id.hasher.hash(new_password).await?;
    let mut tx = id.pool.begin().await.context("failed to begin password change")?;
    let now: Option<Option<String>> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND NOT is_anonymous FOR UPDATE")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await
            .context("failed to lock the account")?;
    let age_ms: Option<i64> = sqlx::query_scalar(
        "SELECT floor(extract(epoch FROM now() - authenticated_at) * 1000)::int8 FROM sessions
         WHERE id = $1 AND user_id = $2 AND expiry_date > now() FOR UPDATE",
    )
    .bind(&session)
    .bind(user)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock the session")?;
    let (Some(now), Some(age_ms)) = (now, age_ms) else {
        return Err(ChangeError::NotSignedIn);
    };
    // Compare and set: the password checked above must still be the one there.
    if now != stored {
        return Err(ChangeError::ChangedElsewhere);
    }
    if stored.is_none() && !ending::recent_enough(minutes, age_ms) {
        return Err(ChangeError::NotRecent(minutes));
    }
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .context("failed to set password")?;
    if sign_out_others {
        crate::account::end_other_sessions(&mut tx, *user, &session).await?;
    }
    tx.commit().await.context("failed to commit password change")?;
    Ok(())
}
