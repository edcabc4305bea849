//! Passwords: signing in with one, asking for a reset link, changing it.

use super::Caller;
use super::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use super::errors::{AccountError, RequestError, SignInError};
use super::merge;
use super::preview::ClaimChoice;
use super::tokens::{self, NewToken, Purpose};
use super::user::User;
use crate::context::Context;
use crate::email::EmailAddress;
use crate::limits::LimitedAction;
use crate::mail::outbox::{Letter, Queued};
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// How long a password-reset link works.
const RESET_MINUTES: i64 = 30;

/// A password checked against the account it signs in to, for the ending.
struct ByPassword {
    email: EmailAddress,
    id: Uuid,
    hash: String,
}

impl Way<crate::auth::Profile> for ByPassword {
    type Error = SignInError;

    async fn redeem(&mut self, _: &Caller, conn: &mut PgConnection) -> Result<Proof, SignInError> {
        merge::lock_address(conn, self.email.as_str()).await?;
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

/// Signs in with email and password, bringing this browser's guest into the
/// account (the ending's savepoint merge). Only a password whose address was
/// proven signs in. Limited per client and per account *and* client, so
/// nobody elsewhere can lock the owner out.
pub async fn sign_in(
    ctx: &Context,
    caller: &mut Caller,
    email: &str,
    password: String,
) -> Result<Ended, SignInError> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Err(SignInError::Mismatch);
    };
    let client = caller.client();
    let account = format!("{} {client}", email.as_str());
    ctx.limit(&[
        (LimitedAction::PasswordPerClient, client.as_str()),
        (LimitedAction::PasswordPerAccount, account.as_str()),
    ])
    .await?
    .map_err(SignInError::TooMany)?;
    let found: Option<(Uuid, Option<String>)> = sqlx::query_as(
        "SELECT id, password_hash FROM users
         WHERE email = $1 AND NOT is_anonymous AND email_verified_at IS NOT NULL",
    )
    .bind(email.as_str())
    .fetch_optional(&ctx.pool)
    .await
    .context("failed to load credentials")?;
    let stored = found.as_ref().and_then(|(_, hash)| hash.clone());
    // Unknown addresses verify against a dummy hash: same work, same time.
    let ok = ctx.hasher.verify(password, stored.clone()).await?;
    let Some((id, Some(hash))) = found.filter(|_| ok) else {
        return Err(SignInError::Mismatch);
    };
    ending::end(ctx, caller, ByPassword { email, id, hash }).await
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

/// Sets a new password for the signed-in member: needs the current one when
/// there is one, or a recent sign-in when there is none (a session alone must
/// not be enough to give an account a password). Decided under a lock on the
/// account, and only while this session still exists: a session revoked, or
/// ended by the first proof of the address, while the request was in flight
/// sets nothing. Optionally signs every other device out, in the same
/// transaction.
pub async fn change_password(
    ctx: &Context,
    caller: &Caller,
    current: String,
    new_password: String,
    sign_out_others: bool,
) -> Result<(), AccountError> {
    let (Some(User::Member { id, email, .. }), Some(session)) = (caller.user(), caller.session.id()) else {
        return Err(AccountError::NotFound("Sign in to manage your account."));
    };
    // A password signs in with an address: an account without one has none.
    let Some(email) = email else {
        return Err(AccountError::Invalid(
            "Add an email address to your account before setting a password.".into(),
        ));
    };
    crate::password::check(&new_password, email).map_err(|e| AccountError::Invalid(e.to_string()))?;
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&ctx.pool)
        .await
        .context("failed to load password")?
        .flatten();
    match &stored {
        Some(stored) => {
            let subject = format!("{email} {}", caller.client());
            ctx.limit(&[(LimitedAction::PasswordPerAccount, subject.as_str())])
                .await?
                .map_err(AccountError::TooMany)?;
            if !ctx.hasher.verify(current, Some(stored.clone())).await? {
                return Err(AccountError::Invalid(
                    "Your current password is not right.".into(),
                ));
            }
        }
        None => super::account::require_recent_sign_in(ctx, caller, "set a password")?,
    }
    let hash = ctx.hasher.hash(new_password).await?;
    let mut tx = ctx
        .pool
        .begin()
        .await
        .context("failed to begin password change")?;
    // The account, then this session's row, as they are now: a session
    // revoked meanwhile sets nothing, and a first password (a new way in)
    // needs the sign-in here to be recent *now*, not when the request began.
    let now: Option<Option<String>> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND NOT is_anonymous FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .context("failed to lock the account")?;
    let age_ms: Option<i64> = sqlx::query_scalar(
        "SELECT floor(extract(epoch FROM now() - authenticated_at) * 1000)::int8 FROM sessions
         WHERE id = $1 AND user_id = $2 AND expiry_date > now() FOR UPDATE",
    )
    .bind(&session)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock the session")?;
    let (Some(now), Some(age_ms)) = (now, age_ms) else {
        return Err(AccountError::NotFound("Sign in to manage your account."));
    };
    // Compare and set: the password checked above must still be the one there.
    if now != stored {
        return Err(AccountError::Invalid(
            "Your password was changed elsewhere just now. Please try again.".into(),
        ));
    }
    if stored.is_none() && !anonymous_first::ending::recent_enough(ctx.config.reauth_minutes, age_ms) {
        return Err(AccountError::Invalid(format!(
            "For your safety, sign in again (within the last {} minutes) to set a password.",
            ctx.config.reauth_minutes
        )));
    }
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .context("failed to set password")?;
    if sign_out_others {
        anonymous_first::account::end_other_sessions(&mut tx, *id, &session).await?;
    }
    tx.commit().await.context("failed to commit password change")?;
    Ok(())
}
