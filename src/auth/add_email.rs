//! Adding an address to an account that has none (a member who came in with
//! a passkey or a provider that vouched for no address): a link to the
//! address proves it, and is used in the browser signed in to that account —
//! a link someone sends you can never put your address on their account.

use super::context::Caller;
use super::errors::{LinkError, RequestError};
use super::merge;
use super::tokens::{self, NewToken, Purpose};
use super::user::User;
use crate::context::Context;
use crate::email::EmailAddress;
use crate::limits::LimitedAction;
use crate::mail::outbox::{Letter, Queued};
use anyhow::Context as _;
use uuid::Uuid;

/// Mails a confirmation link to `email` for the caller's account. Whether the
/// address has an account elsewhere is not said here (the link's page says
/// it to whoever can read the mail).
pub async fn request(ctx: &Context, caller: &Caller, email: &str) -> Result<(), RequestError> {
    let member = match caller.user() {
        Some(User::Member { id, email: None, .. }) => *id,
        Some(User::Member { .. }) => {
            return Err(RequestError::Invalid(
                "Your account has an address already.".into(),
            ));
        }
        _ => {
            return Err(RequestError::Invalid(
                "Sign in to add an address to your account.".into(),
            ));
        }
    };
    super::account::require_recent_sign_in(ctx, caller, "add an address")
        .map_err(|e| RequestError::Invalid(e.to_string()))?;
    let email = EmailAddress::parse(email).map_err(|e| RequestError::Invalid(e.to_string()))?;
    let checks = [
        (LimitedAction::AccountMailPerClient, caller.client()),
        (LimitedAction::AccountMailPerEmail, email.as_str().to_owned()),
    ];
    let checks: Vec<_> = checks.iter().map(|(l, s)| (*l, s.as_str())).collect();
    ctx.limit(&checks).await?.map_err(RequestError::TooMany)?;
    let mut tx = ctx.pool.begin().await.context("no database connection")?;
    let issued = tokens::issue(
        &mut tx,
        NewToken {
            purpose: Purpose::EmailAdd,
            email: email.as_str(),
            guest_id: None,
            next_path: "/account",
            ttl_minutes: ctx.config.link_minutes.max(30),
            password_hash: None,
            browser_hash: None,
        },
    )
    .await?;
    sqlx::query("UPDATE auth_tokens SET user_id = $2 WHERE id = $1")
        .bind(issued.id)
        .bind(member)
        .execute(&mut *tx)
        .await
        .context("failed to name the token's account")?;
    let mail = Queued {
        letter: Letter::AddEmail,
        to: &email,
        token: issued.id,
        minutes: ctx.config.link_minutes.max(30),
    };
    ctx.send(&mut tx, mail).await?;
    tx.commit().await.context("failed to commit the address link")?;
    Ok(())
}

/// Puts the link's address on its account, in the browser signed in to it.
pub async fn confirm(ctx: &Context, caller: &Caller, token: &str) -> Result<(), LinkError> {
    let Some(digest) = tokens::hash(token) else {
        return Err(LinkError::Unknown);
    };
    // Whose link it is, looked at first: opened anywhere else it stays usable.
    let owner: Option<Option<Uuid>> =
        sqlx::query_scalar("SELECT user_id FROM auth_tokens WHERE token_hash = $1 AND purpose = 'email_add'")
            .bind(&digest)
            .fetch_optional(&ctx.pool)
            .await
            .context("failed to look up the link")?;
    let Some(owner) = owner.flatten() else {
        return Err(LinkError::Unknown);
    };
    if caller.user().is_none_or(|u| u.is_guest() || u.id() != owner) {
        return Err(LinkError::NotYours);
    }
    let mut tx = ctx
        .pool
        .begin()
        .await
        .context("failed to begin adding the address")?;
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE auth_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = 'email_add' AND used_at IS NULL AND expires_at > now()
         RETURNING email",
    )
    .bind(&digest)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to use the link")?;
    let Some((email,)) = row else {
        drop(tx);
        return Err(super::claim::dead_link(
            tokens::peek(&ctx.pool, Purpose::EmailAdd, token).await?,
        ));
    };
    merge::lock_address(&mut tx, &email).await?;
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(&email)
        .fetch_one(&mut *tx)
        .await
        .context("failed to look up the address")?;
    if taken {
        // The link is used up either way; the page says why.
        tx.commit().await.context("failed to commit the used link")?;
        return Err(LinkError::AddressTaken);
    }
    let set = sqlx::query(
        "UPDATE users SET email = $2, email_verified_at = now() WHERE id = $1 AND email IS NULL AND NOT is_anonymous",
    )
    .bind(owner)
    .bind(&email)
    .execute(&mut *tx)
    .await
    .context("failed to add the address")?
    .rows_affected();
    if set == 0 {
        return Err(LinkError::Used);
    }
    tx.commit().await.context("failed to commit the address")?;
    tracing::info!(user = %owner, "address added to an account");
    Ok(())
}
