//! Admin over users: find them ([`users`], [`user`]), suspend one
//! ([`ban`]: every session ends at once, every way in refuses until the
//! end or an [`unban`]), act as a member for an hour at most ([`act_as`],
//! [`stop_acting`]) and read what admins did ([`audit`]). Who is an admin
//! is the app's ([`Hooks::admins`](crate::Hooks::admins)); the crate never
//! decides it. A write re-reads the acting admin's role and session in its
//! own transaction, never from the request's start, and leaves a row in
//! `user_audit` with it.

mod acting;
mod bans;
mod lists;

pub use acting::{act_as, stop_acting};
pub use bans::{ban, unban};
pub use lists::{audit, user, users};

use crate::guests::Caller;
use crate::identity::Identity;
use crate::owned::Counts;
use crate::user::{Profile, User};
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// The longest ban with an end, in days (about ten years); longer is "until lifted".
pub const MAX_DAYS: u32 = 3650;
/// The longest reason, in characters.
pub const REASON_MAX: usize = 500;
/// Rows per page of [`users`] and [`audit`].
pub const PAGE: usize = 25;

/// Why an admin flow did nothing. The messages are plain; an app may word
/// each variant its own way.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The caller is not an admin (any more).
    #[error("Only admins can do this.")]
    NotAdmin,
    /// No such user.
    #[error("There is no such user.")]
    NotFound,
    /// An admin cannot suspend themselves.
    #[error("You cannot suspend yourself.")]
    Yourself,
    /// Admins are not suspended here: take the role away first.
    #[error("This user is an admin: take the admin role away first.")]
    TargetIsAdmin,
    /// Unbanning a user who is not suspended.
    #[error("This user is not suspended.")]
    NotBanned,
    /// What was given is not acceptable; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// This browser is not acting as anyone.
    #[error("You are not acting as anyone.")]
    NotActing,
    /// The member is suspended.
    #[error("{}", suspended(*.0))]
    Suspended(Option<i64>),
    /// This browser's session changed since the request began.
    #[error("Your sign-in changed while this was under way. Nothing was changed; please try again.")]
    Changed,
    /// Ours; nothing was changed.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

impl From<crate::ending::Refusal> for AdminError {
    fn from(refusal: crate::ending::Refusal) -> Self {
        use crate::ending::Refusal;
        match refusal {
            Refusal::Banned(until) => Self::Suspended(until),
            Refusal::Changed
            | Refusal::LeftBehind
            | Refusal::NotRecent(_)
            | Refusal::Acting
            | Refusal::SecondFactor(_) => Self::Changed,
        }
    }
}

/// A suspension in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ban {
    /// When (Unix seconds).
    pub at: i64,
    /// Its end (Unix seconds); `None`: until an admin lifts it.
    pub until: Option<i64>,
    /// Why, as the admin wrote it (for admins; the user is not shown it).
    pub reason: String,
    /// The admin's address, while their account exists.
    pub by: Option<String>,
}

/// A user as an admin's list shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    /// `users.id`.
    pub id: Uuid,
    /// The address (a guest, or a member without one: `None`).
    pub email: Option<String>,
    /// A guest (no way in yet).
    pub guest: bool,
    /// Holds the app's admin role.
    pub admin: bool,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last seen (Unix seconds).
    pub last_seen_at: i64,
    /// What they own, per owned table.
    pub owns: Counts,
    /// The suspension in force, if any.
    pub ban: Option<Ban>,
}

/// Which users a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// Everyone.
    #[default]
    All,
    /// Members only.
    Members,
    /// Guests only.
    Guests,
    /// Suspended users only.
    Banned,
}

/// What a list of users asks for: the latest seen first, [`PAGE`] at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    /// Part of an address (case does not matter); empty: any.
    pub text: String,
    /// Which users.
    pub kind: Kind,
    /// Page, from 0.
    pub page: u32,
}

/// One page of a list, and whether another follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// A next page has more.
    pub more: bool,
}

/// What an admin did to a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// When (Unix seconds).
    pub at: i64,
    /// The admin.
    pub actor_id: Uuid,
    /// The admin's address, while their account exists.
    pub actor: Option<String>,
    /// The user.
    pub subject_id: Uuid,
    /// The user's address, while their account exists and has one.
    pub subject: Option<String>,
    /// `ban`, `unban`, `act_as` or `act_end`.
    pub action: String,
    /// The reason given.
    pub reason: Option<String>,
    /// A ban's or an acting's end (Unix seconds).
    pub until: Option<i64>,
}

/// The plain words of a refusal to a suspended account.
pub fn suspended(until: Option<i64>) -> String {
    match until {
        Some(_) => "This account is suspended for now, so it cannot be signed in to.".to_owned(),
        None => "This account is suspended, so it cannot be signed in to.".to_owned(),
    }
}

/// The member signed in here who must be an admin, as the request began.
fn member<P: Profile>(caller: &Caller<P>) -> Result<(Uuid, String), AdminError> {
    match (caller.user(), caller.session.id()) {
        (Some(user @ User::Member { .. }), Some(session)) => Ok((user.id(), session)),
        _ => Err(AdminError::NotAdmin),
    }
}

/// Whether the app says `user` is an admin, on `conn`.
async fn is_admin(id: &Identity, conn: &mut PgConnection, user: Uuid) -> Result<bool, AdminError> {
    Ok(id.hooks.admins(conn, &[user]).await?.contains(&user))
}

/// Refuses unless the caller is an admin now (reads: no lock).
async fn require<P: Profile>(id: &Identity, caller: &Caller<P>) -> Result<Uuid, AdminError> {
    let (admin, _) = member(caller)?;
    let mut conn = id.pool.acquire().await.context("no database connection")?;
    match is_admin(id, &mut conn, admin).await? {
        true => Ok(admin),
        false => Err(AdminError::NotAdmin),
    }
}
