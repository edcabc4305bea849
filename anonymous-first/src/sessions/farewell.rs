//! Why a session ended when another device ended it — the one way the server
//! learns, on a browser's next request, what happened to its session.
//!
//! Every flow that ends someone else's session (a guest promoted or merged
//! into an account in another browser, "sign out other devices", one device
//! signed out, a first proof of the address, a new password, a ban) ends it through
//! [`end_sessions`]: one statement deletes the rows and leaves a farewell per
//! row, keyed by the SHA-256 of the session id (the ended browser's cookie
//! value), so the table never holds a live credential. The store finds the
//! farewell when that cookie comes back, only when the session row is
//! missing ([`super::keys::FAREWELL`]); the app words it and shows it once.
//! The row waits [`KEEP_DAYS`] for the reaper. A contribution on its way when
//! its guest moved follows the guest by the same farewell ([`moved_to`]).

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// How long a farewell waits for its browser to come back.
pub const KEEP_DAYS: i32 = 30;

/// Which sessions end, and why.
#[derive(Clone, Copy, Debug)]
pub struct Ending<'a> {
    /// Whose sessions: the user's own, and those the user, an admin, acts
    /// in as someone else (an admin signed out everywhere stops acting too).
    pub user: Uuid,
    /// Only this one session (`None`: all of them).
    pub only: Option<&'a str>,
    /// This session stays (the browser acting, whose row the flow replaces or keeps).
    pub keep: Option<&'a str>,
    /// End nothing unless this session is still `user`'s: a request whose own
    /// session was ended meanwhile cannot sign the others out.
    pub while_signed_in: Option<&'a str>,
    /// The account the sessions' guest moved into; `None`: signed out elsewhere.
    pub moved_to: Option<Uuid>,
    /// An admin suspended the user ([`crate::admin::ban`]).
    pub banned: bool,
}

impl Ending<'_> {
    /// Every session of `user` (a guest moving, an address proven, a new password).
    pub fn all(user: Uuid) -> Self {
        Self {
            user,
            only: None,
            keep: None,
            while_signed_in: None,
            moved_to: None,
            banned: false,
        }
    }
}

/// What an ended browser learns on its next request: its guest moved into an
/// account (whose address, when it has one), or it was signed out elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Farewell {
    /// The guest of the session moved into another account.
    pub moved: bool,
    /// That account's address (for the app to show partly hidden).
    pub email: Option<String>,
    /// The user was suspended by an admin.
    #[serde(default)]
    pub banned: bool,
}

/// Ends the sessions `ending` names, leaving each browser a farewell; returns
/// how many ended. On the caller's transaction. Signing a user out of every
/// (other) browser also forgets the browsers trusted to skip two-step
/// sign-in and the sign-ins waiting for their code: "sign out everywhere"
/// means the next sign-in anywhere proves both steps.
pub async fn end_sessions(conn: &mut PgConnection, ending: Ending<'_>) -> anyhow::Result<u64> {
    if ending.only.is_none() && ending.moved_to.is_none() {
        sqlx::query(
            "WITH t AS (DELETE FROM trusted_browsers WHERE user_id = $1)
             DELETE FROM second_factor_pending WHERE user_id = $1",
        )
        .bind(ending.user)
        .execute(&mut *conn)
        .await
        .context("failed to forget the trusted browsers")?;
    }
    let done = sqlx::query(
        "WITH gone AS (
           DELETE FROM sessions
           WHERE (user_id = $1 OR acting_admin = $1) AND ($2::text IS NULL OR id = $2) AND id IS DISTINCT FROM $3
             AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM sessions WHERE id = $4 AND user_id = $1))
           RETURNING id)
         INSERT INTO session_farewells (id_hash, moved_to, banned)
         SELECT sha256(convert_to(id, 'UTF8')), $5, $6 FROM gone
         ON CONFLICT (id_hash) DO UPDATE
         SET moved_to = EXCLUDED.moved_to, banned = EXCLUDED.banned, created_at = now()",
    )
    .bind(ending.user)
    .bind(ending.only)
    .bind(ending.keep)
    .bind(ending.while_signed_in)
    .bind(ending.moved_to)
    .bind(ending.banned)
    .execute(conn)
    .await
    .context("failed to end sessions")?;
    Ok(done.rows_affected())
}

/// The farewell left for session `id`; `None` when the session simply
/// expired or was never ours.
pub async fn find(pool: &PgPool, id: &str) -> anyhow::Result<Option<Farewell>> {
    let row: Option<(bool, Option<String>, bool)> = sqlx::query_as(
        "SELECT f.moved_to IS NOT NULL, u.email, f.banned
         FROM session_farewells f LEFT JOIN users u ON u.id = f.moved_to
         WHERE f.id_hash = sha256(convert_to($1, 'UTF8'))
           AND f.created_at > now() - make_interval(days => $2)",
    )
    .bind(id)
    .bind(KEEP_DAYS)
    .fetch_optional(pool)
    .await
    .context("failed to look up a session's farewell")?;
    Ok(row.map(|(moved, email, banned)| Farewell { moved, email, banned }))
}

/// The account the guest of session `id` moved into, if it did.
pub async fn moved_to(pool: &PgPool, id: &str) -> anyhow::Result<Option<Uuid>> {
    let to: Option<Option<Uuid>> = sqlx::query_scalar(
        "SELECT moved_to FROM session_farewells WHERE id_hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("failed to look up where a guest went")?;
    Ok(to.flatten())
}

/// Deletes farewells older than [`KEEP_DAYS`] (the reaper's pass).
pub async fn prune(pool: &PgPool) -> anyhow::Result<u64> {
    let done =
        sqlx::query("DELETE FROM session_farewells WHERE created_at < now() - make_interval(days => $1)")
            .bind(KEEP_DAYS)
            .execute(pool)
            .await
            .context("failed to delete old farewells")?;
    Ok(done.rows_affected())
}
