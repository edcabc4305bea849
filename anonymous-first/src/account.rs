//! The account's own flows: the signed-in browsers (listed by a handle that
//! is not the session's secret), signing out here, elsewhere or one browser
//! at a time, deleting an account and discarding a guest. Each decides on
//! the user the session's one lookup loaded, and the SQL re-checks what
//! matters where it writes: a session ended meanwhile ends nothing and
//! deletes nothing, and a guest is still a guest when discarded.

use crate::Identity;
use crate::guests::Caller;
use crate::identity::Config;
use crate::sessions::farewell::{self, Ending};
use crate::user::{Profile, User};
use anyhow::Context as _;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// Why an account flow did nothing. The messages are plain; an app may word
/// each variant its own way.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// No member is signed in here.
    #[error("Sign in to manage your account.")]
    NotSignedIn,
    /// No guest in this browser (to discard).
    #[error("There is no guest data in this browser.")]
    NoGuest,
    /// The sign-in here is older than [`Config::reauth_minutes`].
    #[error("For your safety, sign in again (within the last {0} minutes) first.")]
    NotRecent(i64),
    /// What was typed to confirm a deletion is not the account's address (or,
    /// for an account without one, the word "delete").
    #[error("Type what is asked exactly to confirm.")]
    NotConfirmed,
    /// The session to end has ended already.
    #[error("That session has already ended.")]
    SessionGone,
    /// The account or this session changed since the page was loaded.
    #[error("That account has changed; please reload the page.")]
    Changed,
    /// Ours.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

/// A signed-in browser as an account page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// A stable public name of the session ([`handle_of`]); its id is the
    /// cookie's secret and never leaves the server.
    pub handle: String,
    /// The browser's User-Agent at sign-in.
    pub user_agent: String,
    /// When it signed in (Unix seconds).
    pub created_at: i64,
    /// Its last activity (Unix seconds; sessions are saved about daily).
    pub last_seen_at: i64,
    /// This is the browser asking.
    pub current: bool,
}

/// The public name of a session id: 24 hex digits of its SHA-256.
pub fn handle_of(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes())[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The member and this session's id.
fn member<P: Profile>(caller: &Caller<P>) -> Result<(Uuid, Option<String>, String), AccountError> {
    match (caller.user(), caller.session.id()) {
        (Some(User::Member { id, email, .. }), Some(session)) => Ok((*id, email.clone(), session)),
        _ => Err(AccountError::NotSignedIn),
    }
}

/// The member and this session's id, for a flow that changes how the
/// account is protected: never while an admin acts as the member.
fn owner<P: Profile>(caller: &Caller<P>) -> Result<(Uuid, Option<String>, String), AccountError> {
    match caller.session.acting_until() {
        Some(_) => Err(AccountError::NotSignedIn),
        None => member(caller),
    }
}

/// Whether this browser's sign-in is recent enough for what asks for one
/// (from the session row, never from anything the browser says).
pub fn recent<P: Profile>(config: &Config, caller: &Caller<P>) -> bool {
    let minutes = config.reauth_minutes.max(0);
    caller
        .session
        .millis_since_sign_in()
        .is_some_and(|ms| crate::ending::recent_enough(minutes, ms))
}

/// The member's live sessions, the latest first.
pub async fn sessions<P: Profile>(
    identity: &Identity,
    caller: &Caller<P>,
) -> Result<Vec<SessionRow>, AccountError> {
    let (id, _, current) = member(caller)?;
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, user_agent, extract(epoch FROM created_at)::int8, extract(epoch FROM last_seen_at)::int8
         FROM sessions WHERE user_id = $1 AND expiry_date > now()
           AND (acting_until IS NULL OR acting_until > now())
         ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(id)
    .fetch_all(&identity.pool)
    .await
    .context("failed to list sessions")?;
    Ok(rows
        .into_iter()
        .map(|(sid, user_agent, created_at, last_seen_at)| SessionRow {
            handle: handle_of(&sid),
            current: sid == current,
            user_agent,
            created_at,
            last_seen_at,
        })
        .collect())
}

/// Ends every session of `user` but `keep`, only while `keep` is still one
/// of the user's sessions (in the caller's transaction, for flows that change
/// a way in and sign the others out with it).
pub async fn end_other_sessions(conn: &mut PgConnection, user: Uuid, keep: &str) -> anyhow::Result<u64> {
    let ending = Ending {
        keep: Some(keep),
        while_signed_in: Some(keep),
        ..Ending::all(user)
    };
    farewell::end_sessions(conn, ending).await
}

/// Signs this browser out: its session row is deleted, its cookie removed.
pub async fn sign_out<P: Profile>(caller: &mut Caller<P>) -> Result<(), AccountError> {
    Ok(caller.session.forget().await?)
}

/// Signs every other browser of the member out; how many were.
pub async fn sign_out_others<P: Profile>(
    identity: &Identity,
    caller: &Caller<P>,
) -> Result<u64, AccountError> {
    let (id, _, session) = owner(caller)?;
    let mut conn = identity.pool.acquire().await.context("no database connection")?;
    Ok(end_other_sessions(&mut conn, id, &session).await?)
}

/// Signs one browser of the member out by its [`handle_of`].
pub async fn revoke<P: Profile>(
    identity: &Identity,
    caller: &Caller<P>,
    handle: &str,
) -> Result<(), AccountError> {
    let (id, _, session) = owner(caller)?;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
        .bind(id)
        .fetch_all(&identity.pool)
        .await
        .context("failed to list sessions")?;
    let Some(sid) = ids.into_iter().find(|sid| handle_of(sid) == handle) else {
        return Err(AccountError::SessionGone);
    };
    let ending = Ending {
        only: Some(&sid),
        while_signed_in: Some(&session),
        ..Ending::all(id)
    };
    let mut conn = identity.pool.acquire().await.context("no database connection")?;
    match farewell::end_sessions(&mut conn, ending).await? {
        0 => Err(AccountError::SessionGone),
        _ => Ok(()),
    }
}

/// Deletes the member's account with everything it owns. Needs a recent
/// sign-in here and the account's address typed (the word "delete" for an
/// account without one), case aside.
pub async fn delete_account<P: Profile>(
    identity: &Identity,
    caller: &mut Caller<P>,
    typed: &str,
) -> Result<(), AccountError> {
    let (id, email, _) = owner(caller)?;
    if !recent(&identity.config, caller) {
        return Err(AccountError::NotRecent(identity.config.reauth_minutes.max(0)));
    }
    if !typed
        .trim()
        .eq_ignore_ascii_case(email.as_deref().unwrap_or("delete"))
    {
        return Err(AccountError::NotConfirmed);
    }
    erase(identity, caller, id, false).await
}

/// Deletes this browser's guest and everything it made (the app asks first).
pub async fn discard_guest<P: Profile>(
    identity: &Identity,
    caller: &mut Caller<P>,
) -> Result<(), AccountError> {
    let Some(id) = caller.session.guest() else {
        return Err(AccountError::NoGuest);
    };
    erase(identity, caller, id, true).await
}

/// Deletes `user` if it is still what the caller decided on (a guest or a
/// member) and this session is still its own: rows first, in one transaction
/// (sessions and owned rows by cascade, rows that outlive their owner
/// released), then what the erase hook removes outside the database, then
/// this browser's session.
async fn erase<P: Profile>(
    identity: &Identity,
    caller: &mut Caller<P>,
    user: Uuid,
    guest: bool,
) -> Result<(), AccountError> {
    let session = caller.session.id().unwrap_or_default();
    let mut tx = identity.pool.begin().await.context("failed to begin deletion")?;
    // Read before the rows go; done only once the deletion has committed.
    let after = identity.hooks.erasing(&mut tx, user).await?;
    // If the delete below decides nothing, this rolls back with it.
    identity.owned.release(&mut tx, user).await?;
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
        return Err(AccountError::Changed);
    }
    tx.commit().await.context("failed to commit deletion")?;
    if let Some(after) = after {
        after.await;
    }
    caller.session.forget().await?;
    tracing::info!(%user, guest, "user deleted");
    Ok(())
}
