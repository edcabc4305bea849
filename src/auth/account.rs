//! The account page's flows: who you are, your signed-in devices, signing out
//! (here, elsewhere, everywhere) and deleting everything. The identity crate
//! does each ([`anonymous_first::account`]); here they get our words, and
//! the page its dates.

use super::Caller;
use super::errors::AccountError;
use super::preview::GuestData;
use super::user::User;
use crate::context::Context;
use crate::contributions::Deletion;
use anonymous_first::account::{self as flows, AccountError as Refused};
use anyhow::Context as _;
use uuid::Uuid;

pub use anonymous_first::account::{end_other_sessions, handle_of};

/// The account page's view of a member.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    /// `users.id`.
    pub id: Uuid,
    /// Address (`None`: a member who came in through a provider only).
    pub email: Option<String>,
    /// Whether the address was proven.
    pub verified: bool,
    /// Whether a password is set.
    pub has_password: bool,
    /// The name shown when the member's suggestions are credited.
    pub display_name: Option<String>,
}

/// A session as the account page lists it; `handle` names it without being
/// the session id (which is the cookie's secret).
#[derive(Clone, Debug)]
pub struct SessionRow {
    /// Stable public name of the session.
    pub handle: String,
    /// Browser's User-Agent at sign-in.
    pub user_agent: String,
    /// The day this browser signed in ("6 Dec 2026").
    pub created_at: String,
    /// The day of its last activity (kept to the day: sessions are saved daily).
    pub last_seen_at: String,
    /// This is the session making the request.
    pub current: bool,
}

/// What the account page shows.
#[derive(Clone, Debug)]
pub enum Overview {
    /// No session.
    Visitor,
    /// A guest and what it made.
    Guest(GuestData),
    /// A member, with live sessions.
    Member(Account, Vec<SessionRow>),
}

/// The member and this session's id, or "sign in".
fn member(caller: &Caller) -> Result<(Uuid, String), AccountError> {
    match (caller.user(), caller.session.id()) {
        (Some(User::Member { id, .. }), Some(session)) => Ok((*id, session)),
        _ => Err(AccountError::NotFound("Sign in to manage your account.")),
    }
}

/// The account page's data for this browser.
pub async fn overview(ctx: &Context, caller: &Caller) -> anyhow::Result<Overview> {
    let mut conn = ctx.pool.acquire().await.context("no database connection")?;
    let id = match caller.user() {
        None => return Ok(Overview::Visitor),
        Some(User::Guest { id }) => {
            return Ok(Overview::Guest(super::merge::guest_data(&mut conn, *id).await?));
        }
        Some(User::Member { id, .. }) => *id,
    };
    let account: Account = sqlx::query_as(
        "SELECT id, email, email_verified_at IS NOT NULL AS verified, password_hash IS NOT NULL AS has_password,
                display_name
         FROM users WHERE id = $1 AND NOT is_anonymous",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await
    .context("failed to load account")?;
    drop(conn);
    let sessions = flows::sessions(&ctx.identity, caller)
        .await
        .map_err(|e| match e {
            Refused::Unexpected(err) => err.context("failed to list sessions"),
            other => anyhow::anyhow!("failed to list sessions: {other}"),
        })?
        .into_iter()
        .map(|row| SessionRow {
            handle: row.handle,
            current: row.current,
            user_agent: row.user_agent,
            created_at: crate::time::date(row.created_at),
            last_seen_at: crate::time::date(row.last_seen_at),
        })
        .collect();
    Ok(Overview::Member(account, sessions))
}

/// The crate's refusal in our words; `to` finishes "sign in again … to …".
fn words(refused: Refused, to: &str) -> AccountError {
    match refused {
        Refused::NotSignedIn => AccountError::NotFound("Sign in to manage your account."),
        Refused::NoGuest => AccountError::NotFound("There is no guest data in this browser."),
        Refused::NotRecent(minutes) => AccountError::Invalid(format!(
            "For your safety, sign in again (within the last {minutes} minutes) to {to}."
        )),
        // Only deleting asks; its wrapper words this one before it gets here.
        Refused::NotConfirmed => AccountError::Invalid("Type what is asked exactly to confirm.".into()),
        Refused::SessionGone => AccountError::NotFound("That session has already ended."),
        Refused::Changed => AccountError::NotFound("That account has changed; please reload the page."),
        Refused::Unexpected(err) => AccountError::Unexpected(err),
    }
}

/// The name a member's suggestions are credited to.
pub const DISPLAY_NAME: crate::text::Field = crate::text::Field::line("Your name", 60);

/// Sets (or, empty, clears) the member's display name: what a venue they
/// suggested is credited to ("Suggested by …") — never part of the address.
pub async fn set_display_name(
    ctx: &Context,
    caller: &Caller,
    name: &str,
) -> Result<Option<String>, AccountError> {
    let (id, _) = member(caller)?;
    let typed = !name.trim().is_empty();
    let name = DISPLAY_NAME
        .read_optional(name)
        .map_err(|e| AccountError::Invalid(e.to_string()))?;
    // Something typed that reads as nothing (only invisible marks) is not a
    // wish to clear the name.
    let letters = name
        .as_ref()
        .map(|n| n.as_str().chars().any(char::is_alphanumeric));
    if letters == Some(false) || (typed && name.is_none()) {
        return Err(AccountError::Invalid(
            "Your name needs at least one letter or digit.".into(),
        ));
    }
    let name = name.map(String::from);
    sqlx::query("UPDATE users SET display_name = $2 WHERE id = $1 AND NOT is_anonymous")
        .bind(id)
        .bind(&name)
        .execute(&ctx.pool)
        .await
        .context("failed to set the display name")?;
    Ok(name)
}

/// Signs this browser out: its session row is deleted, its cookie removed.
pub async fn sign_out(caller: &mut Caller) -> Result<(), AccountError> {
    flows::sign_out(caller).await.map_err(|e| words(e, ""))
}

/// Signs every other device of the member out.
pub async fn revoke_other_sessions(ctx: &Context, caller: &Caller) -> Result<u64, AccountError> {
    flows::sign_out_others(&ctx.identity, caller)
        .await
        .map_err(|e| words(e, ""))
}

/// Signs one device out by its handle from the session list.
pub async fn revoke_session(ctx: &Context, caller: &Caller, handle: &str) -> Result<(), AccountError> {
    flows::revoke(&ctx.identity, caller, handle)
        .await
        .map_err(|e| words(e, ""))
}

/// Deletes the member's account with everything it owns (rows in one
/// transaction, then photo files, by `PawsHooks::erasing`). Needs a recent
/// sign-in and the address typed.
pub async fn delete_account(
    ctx: &Context,
    caller: &mut Caller,
    typed_email: &str,
) -> Result<(), AccountError> {
    let has_email = matches!(caller.user(), Some(User::Member { email: Some(_), .. }));
    match flows::delete_account(&ctx.identity, caller, typed_email).await {
        Err(Refused::NotConfirmed) => Err(AccountError::Invalid(format!(
            "Type {} exactly to confirm.",
            if has_email {
                "your email address"
            } else {
                "the word delete"
            }
        ))),
        done => done.map_err(|e| words(e, "delete your account")),
    }
}

/// What deleting the caller's account would take and leave, and whether
/// (and how) they must prove it is them first.
pub async fn deletion(ctx: &Context, caller: &Caller) -> Result<Deletion, AccountError> {
    let (id, _) = member(caller)?;
    let minutes = ctx.config.reauth_minutes.max(0);
    let recent = caller
        .session
        .millis_since_sign_in()
        .is_some_and(|ms| anonymous_first::ending::recent_enough(minutes, ms));
    type Row = (
        Option<String>,
        bool,
        bool,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let row: Row = sqlx::query_as(
        "SELECT u.email, u.password_hash IS NOT NULL AND u.email_verified_at IS NOT NULL,
                u.email IS NOT NULL AND u.email_verified_at IS NOT NULL,
                (SELECT count(*) FROM passkeys WHERE user_id = u.id),
                (SELECT count(*) FROM dogs WHERE user_id = u.id),
                (SELECT count(*) FROM photos WHERE user_id = u.id),
                (SELECT count(*) FROM photos WHERE user_id = u.id AND venue_id IS NOT NULL),
                (SELECT count(*) FROM venue_suggestions WHERE user_id = u.id AND status = 'pending'),
                (SELECT count(*) FROM venue_suggestions WHERE user_id = u.id AND status <> 'pending'),
                (SELECT count(*) FROM venue_suggestions WHERE user_id = u.id AND status = 'approved'),
                (SELECT count(*) FROM photo_reports WHERE reporter_id = u.id),
                (SELECT count(*) FROM venue_checks WHERE user_id = u.id)
         FROM users u WHERE u.id = $1 AND NOT u.is_anonymous",
    )
    .bind(id)
    .fetch_optional(&ctx.pool)
    .await
    .context("failed to count what the account holds")?
    .ok_or(AccountError::NotFound("Sign in to manage your account."))?;
    let (
        email,
        password,
        code,
        passkeys,
        dogs,
        photos,
        venue_photos,
        pending,
        reviewed,
        listed,
        reports,
        answers,
    ) = row;
    Ok(Deletion {
        email,
        recent,
        minutes,
        password,
        code,
        passkeys,
        dogs,
        photos,
        venue_photos,
        pending,
        reviewed,
        listed,
        reports,
        answers,
    })
}

/// Deletes this browser's guest and everything it made, after confirmation.
pub async fn discard_guest(ctx: &Context, caller: &mut Caller, confirmed: bool) -> Result<(), AccountError> {
    if caller.session.guest().is_none() {
        return Err(words(Refused::NoGuest, ""));
    }
    if !confirmed {
        return Err(AccountError::Invalid("Tick the box to confirm.".into()));
    }
    flows::discard_guest(&ctx.identity, caller)
        .await
        .map_err(|e| words(e, ""))
}
