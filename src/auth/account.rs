//! The account page's flows: who you are, your signed-in devices, signing out
//! (here, elsewhere, everywhere) and deleting everything. Each decides on the
//! user as the session's one lookup loaded it from the users table, and the
//! SQL re-checks what matters (a guest is still a guest when discarded).

use super::Caller;
use super::errors::AccountError;
use super::preview::GuestData;
use super::user::User;
use crate::context::Context;
use crate::contributions::Deletion;
use anyhow::Context as _;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

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

/// The public name of a session id.
pub fn handle_of(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes())[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, user_agent, extract(epoch FROM created_at)::int8, extract(epoch FROM last_seen_at)::int8
         FROM sessions WHERE user_id = $1 AND expiry_date > now()
         ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context("failed to list sessions")?;
    let current = caller.session.id();
    let sessions = rows
        .into_iter()
        .map(|(sid, user_agent, created_at, last_seen_at)| SessionRow {
            handle: handle_of(&sid),
            current: current.as_deref() == Some(sid.as_str()),
            user_agent,
            created_at: crate::time::date(created_at),
            last_seen_at: crate::time::date(last_seen_at),
        })
        .collect();
    Ok(Overview::Member(account, sessions))
}

/// Ends every session of `user` but `keep`, only while `keep` is still one of
/// the user's sessions: a request whose own session was ended meanwhile
/// cannot sign the others out.
pub(super) async fn end_other_sessions(
    conn: &mut PgConnection,
    user: Uuid,
    keep: &str,
) -> anyhow::Result<u64> {
    let ending = super::farewell::Ending {
        keep: Some(keep),
        while_signed_in: Some(keep),
        ..super::farewell::Ending::all(user)
    };
    super::farewell::end_sessions(conn, ending).await
}

/// Refuses unless this session's user proved who they are here within
/// `REAUTH_MINUTES` (from the session row, not from anything the browser
/// says). An early answer for the page; flows that add a way in decide again
/// on the row they lock.
pub(super) fn require_recent_sign_in(ctx: &Context, caller: &Caller, to: &str) -> Result<(), AccountError> {
    let minutes = ctx.config.reauth_minutes.max(0);
    if caller
        .session
        .millis_since_sign_in()
        .is_none_or(|ms| !anonymous_first::ending::recent_enough(minutes, ms))
    {
        return Err(AccountError::Invalid(format!(
            "For your safety, sign in again (within the last {minutes} minutes) to {to}."
        )));
    }
    Ok(())
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
    caller.session.forget().await?;
    Ok(())
}

/// Signs every other device of the member out.
pub async fn revoke_other_sessions(ctx: &Context, caller: &Caller) -> Result<u64, AccountError> {
    let (id, session) = member(caller)?;
    let mut conn = ctx.pool.acquire().await.context("no database connection")?;
    Ok(end_other_sessions(&mut conn, id, &session).await?)
}

/// Signs one device out by its handle from the session list.
pub async fn revoke_session(ctx: &Context, caller: &Caller, handle: &str) -> Result<(), AccountError> {
    let (id, session) = member(caller)?;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
        .bind(id)
        .fetch_all(&ctx.pool)
        .await
        .context("failed to list sessions")?;
    let Some(sid) = ids.into_iter().find(|sid| handle_of(sid) == handle) else {
        return Err(AccountError::NotFound("That session has already ended."));
    };
    let ending = super::farewell::Ending {
        only: Some(&sid),
        while_signed_in: Some(&session),
        ..super::farewell::Ending::all(id)
    };
    let mut conn = ctx.pool.acquire().await.context("no database connection")?;
    let done = super::farewell::end_sessions(&mut conn, ending).await?;
    if done == 0 {
        return Err(AccountError::NotFound("That session has already ended."));
    }
    Ok(())
}

/// Deletes the member's account with everything it owns (rows in one
/// transaction, then photo files). Needs a sign-in within `REAUTH_MINUTES`
/// and the address typed.
pub async fn delete_account(
    ctx: &Context,
    caller: &mut Caller,
    typed_email: &str,
) -> Result<(), AccountError> {
    let Some(User::Member { id, email, .. }) = caller.user().cloned() else {
        return Err(AccountError::NotFound("Sign in to manage your account."));
    };
    require_recent_sign_in(ctx, caller, "delete your account")?;
    // A member without an address types the word instead.
    let expected = email.as_deref().unwrap_or("delete");
    if !typed_email.trim().eq_ignore_ascii_case(expected) {
        let what = if email.is_some() {
            "your email address"
        } else {
            "the word delete"
        };
        return Err(AccountError::Invalid(format!("Type {what} exactly to confirm.")));
    }
    erase(ctx, caller, id, false).await
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
    let Some(id) = caller.session.guest() else {
        return Err(AccountError::NotFound("There is no guest data in this browser."));
    };
    if !confirmed {
        return Err(AccountError::Invalid("Tick the box to confirm.".into()));
    }
    erase(ctx, caller, id, true).await
}

/// Deletes `user` if it is still what the caller decided on (a guest or a
/// member) and this session is still its own, rows first in one transaction
/// (sessions and owned rows go by cascade), then what the erase hook removes
/// outside the database (photo files), then this browser's session.
async fn erase(ctx: &Context, caller: &mut Caller, user: Uuid, guest: bool) -> Result<(), AccountError> {
    let session = caller.session.id().unwrap_or_default();
    let mut tx = ctx.pool.begin().await.context("failed to begin deletion")?;
    // What must go outside the database (the app's erase hook), read before
    // the rows go; done only once the deletion has committed.
    let after = ctx.identity.hooks.erasing(&mut tx, user).await?;
    // What outlives its owner (the "dogs still welcome?" answers) stays,
    // without a name, so the venues' counts do not change (ARCHITECTURE.md,
    // "dogs still welcome?"). If the delete below decides nothing, the
    // transaction rolls back and this with it.
    crate::db::ownership::owned().release(&mut tx, user).await?;
    let gone = sqlx::query(
        "DELETE FROM users WHERE id = $1 AND is_anonymous = $2
           AND EXISTS (SELECT 1 FROM sessions WHERE id = $3 AND user_id = $1)",
    )
    .bind(user)
    .bind(guest)
    .bind(&session)
    .execute(&mut *tx)
    .await
    .context("failed to delete user")?;
    if gone.rows_affected() == 0 {
        return Err(AccountError::NotFound(
            "That account has changed; please reload the page.",
        ));
    }
    tx.commit().await.context("failed to commit deletion")?;
    if let Some(after) = after {
        after.await;
    }
    caller.session.forget().await?;
    tracing::info!(%user, "user deleted");
    Ok(())
}
