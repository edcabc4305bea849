//! Who a verified provider identity signs in as, decided in one transaction
//! with the same rules as a sign-in link: a known identity signs in to its
//! account and this browser's guests are merged into it; a new one promotes
//! the browser's guest in place (or makes an account). Either way the session
//! rotates and its row records whose it is.

use super::Finished;
use crate::auth::context::Caller;
use crate::auth::errors::OidcError;
use crate::auth::merge::{self, Outcome};
use crate::auth::user::User;
use crate::context::Context;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// An identity the provider vouched for.
#[derive(Clone, Debug)]
pub(super) struct Verified {
    /// Our provider id.
    pub provider: String,
    /// The provider's `sub`.
    pub subject: String,
    /// The address it gave (lower-case), verified or not: shown only.
    pub email: Option<String>,
    /// The address, only if the provider says it is verified.
    pub verified_email: Option<String>,
}

/// What to do with a new identity whose verified address has an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Ask the person first (the confirm page).
    Ask,
    /// They said: link it to that account.
    LinkExisting,
    /// They said: an account of its own.
    Separate,
}

/// Signs this browser in as the identity's account (see the module).
pub(super) async fn sign_in(
    ctx: &Context,
    caller: &mut Caller,
    who: &Verified,
    flow_guest: Option<Uuid>,
    next: &str,
    mode: Mode,
    browser: &[u8],
) -> Result<Finished, OidcError> {
    let mut tx = ctx.pool.begin().await.context("failed to begin sign-in")?;
    if let Some(email) = &who.verified_email {
        merge::lock_address(&mut tx, email).await?;
    }
    let known = owner(&mut tx, who).await?;
    let mut wanted: Vec<Uuid> = caller.session.guest().into_iter().collect();
    wanted.extend(flow_guest.filter(|g| !wanted.contains(g)));
    let guests = merge::lock_guests(&mut tx, &wanted).await?;
    let holder = match (&who.verified_email, known) {
        (Some(email), None) if mode != Mode::Separate => account_with(&mut tx, email).await?,
        _ => None,
    };
    let mut outcomes = Vec::new();
    let mut created = false;
    let (id, to_merge) = match (known, holder) {
        (Some(id), _) => (id, guests.as_slice()),
        (None, Some((id, unproven))) => {
            if mode == Mode::Ask {
                ask(&mut tx, browser, who, flow_guest.or(caller.session.guest()), next).await?;
                tx.commit()
                    .await
                    .context("failed to commit the pending sign-in")?;
                return Ok(Finished::Confirm);
            }
            // The provider proved the address: like a first link, it ends
            // sessions opened before anyone had, and a password nobody proved
            // goes (whoever chose it may not own the address).
            if unproven {
                merge::end_sessions(&mut tx, id).await?;
            }
            sqlx::query(
                "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()),
                        password_hash = CASE WHEN $2 THEN NULL ELSE password_hash END
                 WHERE id = $1",
            )
            .bind(id)
            .bind(unproven)
            .execute(&mut *tx)
            .await
            .context("failed to settle the account")?;
            add_identity(&mut tx, id, who).await?;
            (id, guests.as_slice())
        }
        (None, None) => {
            // An address goes on the new account only if verified and free.
            let email = match &who.verified_email {
                Some(e) if mode != Mode::Separate && account_with(&mut tx, e).await?.is_none() => {
                    Some(e.as_str())
                }
                _ => None,
            };
            let (id, rest) = match guests.split_first() {
                Some((first, rest)) => {
                    promote(&mut tx, *first, email).await?;
                    outcomes.push(Outcome::Promoted);
                    (*first, rest)
                }
                None => {
                    created = true;
                    let id: Uuid = sqlx::query_scalar(
                        "INSERT INTO users (email, is_anonymous, email_verified_at)
                         VALUES ($1, false, CASE WHEN $1::text IS NULL THEN NULL ELSE now() END) RETURNING id",
                    )
                    .bind(email)
                    .fetch_one(&mut *tx)
                    .await
                    .context("failed to create the account")?;
                    (id, &[][..])
                }
            };
            add_identity(&mut tx, id, who).await?;
            (id, rest)
        }
    };
    for guest in to_merge {
        outcomes.push(merge::merge_or_record(&mut tx, *guest, id).await?);
    }
    sqlx::query(
        "UPDATE oidc_identities SET last_used_at = now(), email = $3 WHERE provider = $1 AND subject = $2",
    )
    .bind(&who.provider)
    .bind(&who.subject)
    .bind(who.email.as_deref())
    .execute(&mut *tx)
    .await
    .context("failed to record the identity's use")?;
    let user = member(&mut tx, id).await?;
    let notice = merge::notice(&outcomes, created);
    let rotation = caller
        .session
        .open(&mut tx, user, &caller.user_agent, Some(notice))
        .await?;
    tx.commit().await.context("failed to commit the sign-in")?;
    caller.session.adopt(rotation).await?;
    merge::count_outcomes(&outcomes);
    tracing::info!(user = %id, provider = %who.provider, outcomes = ?outcomes, "signed in with OpenID Connect");
    Ok(Finished::SignedIn {
        next: next.to_owned(),
    })
}

/// Adds the identity to `member`, who must still be this browser's member.
pub(super) async fn link(
    ctx: &Context,
    caller: &Caller,
    member: Uuid,
    who: &Verified,
) -> Result<(), OidcError> {
    match caller.user() {
        Some(user) if user.id() == member && !user.is_guest() => {}
        _ => return Err(OidcError::SignedOut),
    }
    let mut tx = ctx.pool.begin().await.context("failed to begin linking")?;
    let known = owner(&mut tx, who).await?;
    match known {
        Some(owner) if owner != member => return Err(OidcError::Taken),
        Some(_) => {}
        None => add_identity(&mut tx, member, who).await?,
    }
    tx.commit().await.context("failed to commit the link")?;
    tracing::info!(user = %member, provider = %who.provider, "linked an OpenID Connect identity");
    Ok(())
}

/// The account the identity signs in to, locked, if it is linked. Two first
/// sign-ins of one identity at once take turns (the second finds the first's row).
async fn owner(conn: &mut PgConnection, who: &Verified) -> anyhow::Result<Option<Uuid>> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 7279))")
        .bind(&who.provider)
        .bind(&who.subject)
        .execute(&mut *conn)
        .await
        .context("failed to lock the identity")?;
    sqlx::query_scalar("SELECT user_id FROM oidc_identities WHERE provider = $1 AND subject = $2 FOR UPDATE")
        .bind(&who.provider)
        .bind(&who.subject)
        .fetch_optional(conn)
        .await
        .context("failed to look up the identity")
}

/// The member holding `email`, and whether the address was never proven.
async fn account_with(conn: &mut PgConnection, email: &str) -> anyhow::Result<Option<(Uuid, bool)>> {
    sqlx::query_as("SELECT id, email_verified_at IS NULL FROM users WHERE email = $1 FOR UPDATE")
        .bind(email)
        .fetch_optional(conn)
        .await
        .context("failed to look up the address")
}

/// Keeps the identity for the confirm page, bound to this browser's cookie.
async fn ask(
    conn: &mut PgConnection,
    browser: &[u8],
    who: &Verified,
    guest: Option<Uuid>,
    next: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO oidc_pending (browser_hash, provider, subject, email, guest_id, next_path, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(mins => $7))
         ON CONFLICT (browser_hash) DO UPDATE SET provider = $2, subject = $3, email = $4, guest_id = $5,
             next_path = $6, expires_at = excluded.expires_at",
    )
    .bind(browser)
    .bind(&who.provider)
    .bind(&who.subject)
    .bind(who.verified_email.as_deref())
    .bind(guest)
    .bind(next)
    .bind(super::FLOW_MINUTES as i32)
    .execute(conn)
    .await
    .context("failed to keep the pending sign-in")?;
    Ok(())
}

async fn add_identity(conn: &mut PgConnection, user: Uuid, who: &Verified) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO oidc_identities (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)")
        .bind(&who.provider)
        .bind(&who.subject)
        .bind(user)
        .bind(who.email.as_deref())
        .execute(conn)
        .await
        .context("failed to add the identity")?;
    Ok(())
}

/// The guest becomes a member in place: only this browser stays signed in,
/// and its mint keys can no longer name it.
async fn promote(conn: &mut PgConnection, guest: Uuid, email: Option<&str>) -> anyhow::Result<()> {
    merge::end_sessions(conn, guest).await?;
    sqlx::query("DELETE FROM guest_mint_keys WHERE user_id = $1")
        .bind(guest)
        .execute(&mut *conn)
        .await
        .context("failed to retire the guest's mint keys")?;
    sqlx::query(
        "UPDATE users SET is_anonymous = false, email = $2,
                email_verified_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END
         WHERE id = $1",
    )
    .bind(guest)
    .bind(email)
    .execute(conn)
    .await
    .context("failed to promote the guest")?;
    Ok(())
}

async fn member(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<User> {
    let (email, display_name, admin): (Option<String>, Option<String>, bool) =
        sqlx::query_as("SELECT email, display_name, role = 'admin' FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await
            .context("failed to read the account")?;
    Ok(User::Member {
        id,
        email,
        display_name,
        admin,
    })
}
