//! Adding an address to an account that has none (a member who came in with
//! a passkey or a provider that vouched for no address): a link to the
//! address proves it, and is used in the browser signed in to that account —
//! a link someone sends you can never put your address on their account.

use super::Caller;
use super::ending::{self, Asker, Method, Proof, Way, Whom};
use super::errors::{LinkError, RequestError};
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
    let client = caller.client();
    let checks = [
        (LimitedAction::AccountMailPerClient, client.clone()),
        (
            LimitedAction::AccountMailPerEmail,
            format!("{} {client}", email.as_str()),
        ),
        (LimitedAction::MailPerAddress, email.as_str().to_owned()),
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
            // Names the account, and retires only this member's older links.
            user_id: Some(member),
        },
    )
    .await?;
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

/// An address link opened in the browser signed in to its member, for the ending.
struct AddAddress<'a> {
    digest: Vec<u8>,
    token: &'a str,
    member: Uuid,
    email: Option<String>,
}

impl Way<crate::auth::Profile> for AddAddress<'_> {
    type Error = LinkError;

    async fn redeem(&mut self, _: &Caller, conn: &mut PgConnection) -> Result<Proof, LinkError> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE auth_tokens SET used_at = now()
             WHERE token_hash = $1 AND purpose = 'email_add' AND user_id = $2 AND used_at IS NULL AND expires_at > now()
             RETURNING email",
        )
        .bind(&self.digest)
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to use the link")?;
        let Some((email,)) = row else {
            return Err(anonymous_first::address::dead_link(
                tokens::peek(&mut *conn, Purpose::EmailAdd, self.token).await?,
            )
            .into());
        };
        merge::lock_address(conn, &email).await?;
        let member: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM users WHERE id = $1 AND NOT is_anonymous AND email IS NULL FOR UPDATE",
        )
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to lock the account")?;
        member.ok_or(LinkError::Used)?;
        self.email = Some(email);
        Ok(Proof {
            method: Method::AddressAdded,
            whom: Whom::ThisMember { recent: false },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: "/account?email=added".to_owned(),
        })
    }

    async fn attach(&mut self, conn: &mut PgConnection, account: Uuid) -> Result<(), LinkError> {
        let email = self.email.as_deref().ok_or(LinkError::Used)?;
        let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
            .bind(email)
            .fetch_one(&mut *conn)
            .await
            .context("failed to look up the address")?;
        if taken {
            // The link is used up either way ([`Way::spent`]); the page says why.
            return Err(LinkError::AddressTaken);
        }
        sqlx::query("UPDATE users SET email = $2, email_verified_at = now() WHERE id = $1")
            .bind(account)
            .bind(email)
            .execute(conn)
            .await
            .context("failed to add the address")?;
        Ok(())
    }

    fn spent(err: &LinkError) -> bool {
        matches!(err, LinkError::AddressTaken)
    }
}

/// Puts the link's address on its account, in the browser signed in to it
/// (a member adding a way in: a recent sign-in there, decided under lock).
pub async fn confirm(ctx: &Context, caller: &mut Caller, token: &str) -> Result<(), LinkError> {
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
    let way = AddAddress {
        digest,
        token,
        member: owner,
        email: None,
    };
    ending::end(ctx, caller, way).await?;
    tracing::info!(user = %owner, "address added to an account");
    Ok(())
}
