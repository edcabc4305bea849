//! Why a session ended when another device ended it — the one way the server
//! learns, on a browser's next request, what happened to its session.
//!
//! Every flow that ends someone else's session (a guest promoted or merged
//! into an account in another browser, "sign out other devices", one device
//! signed out, a first proof of the address, a new password) ends it through
//! [`end_sessions`]: one statement deletes the rows and leaves a farewell per
//! row, keyed by the SHA-256 of the session id (the ended browser's cookie
//! value). The store finds the farewell when that cookie comes back
//! (`store::PgSessionStore::load`, only when the session row is missing), the
//! next page shows it once ([`crate::auth::TypedSession::take_notice`]: the
//! response removes the cookie; the row waits [`KEEP_DAYS`] for the reaper). A
//! contribution on its way when its guest moved follows the guest by the same
//! farewell ([`moved_to`]), even after the browser signed in anew.
//!
//! Notices are per browser and only ever rendered for a request carrying a
//! cookie, which the page cache never serves nor keeps.

use crate::email::EmailAddress;
use anyhow::Context as _;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// How long a farewell waits for its browser to come back.
pub const KEEP_DAYS: i32 = 30;

/// Which sessions end, and why.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ending<'a> {
    /// Whose sessions.
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
}

impl<'a> Ending<'a> {
    /// Every session of `user` (a guest moving, an address proven, a new password).
    pub(crate) fn all(user: Uuid) -> Self {
        Self {
            user,
            only: None,
            keep: None,
            while_signed_in: None,
            moved_to: None,
        }
    }
}

/// Ends the sessions `ending` names, leaving each browser a farewell; returns
/// how many ended. One statement, on the caller's transaction.
pub(crate) async fn end_sessions(conn: &mut PgConnection, ending: Ending<'_>) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "WITH gone AS (
           DELETE FROM sessions
           WHERE user_id = $1 AND ($2::text IS NULL OR id = $2) AND id IS DISTINCT FROM $3
             AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM sessions WHERE id = $4 AND user_id = $1))
           RETURNING id)
         INSERT INTO session_farewells (id_hash, moved_to)
         SELECT sha256(convert_to(id, 'UTF8')), $5 FROM gone
         ON CONFLICT (id_hash) DO UPDATE SET moved_to = EXCLUDED.moved_to, created_at = now()",
    )
    .bind(ending.user)
    .bind(ending.only)
    .bind(ending.keep)
    .bind(ending.while_signed_in)
    .bind(ending.moved_to)
    .execute(conn)
    .await
    .context("failed to end sessions")?;
    Ok(done.rows_affected())
}

/// The farewell left for session `id`, as the next page words it; `None`
/// when the session simply expired or was never ours.
pub(crate) async fn find(pool: &PgPool, id: &str) -> anyhow::Result<Option<String>> {
    let row: Option<(bool, Option<String>)> = sqlx::query_as(
        "SELECT f.moved_to IS NOT NULL, u.email
         FROM session_farewells f LEFT JOIN users u ON u.id = f.moved_to
         WHERE f.id_hash = sha256(convert_to($1, 'UTF8'))
           AND f.created_at > now() - make_interval(days => $2)",
    )
    .bind(id)
    .bind(KEEP_DAYS)
    .fetch_optional(pool)
    .await
    .context("failed to look up a session's farewell")?;
    Ok(row.map(|(moved, email)| words(moved, email.as_deref())))
}

/// The account the guest of session `id` moved into, if it did.
pub(crate) async fn moved_to(pool: &PgPool, id: &str) -> anyhow::Result<Option<Uuid>> {
    let to: Option<Option<Uuid>> = sqlx::query_scalar(
        "SELECT moved_to FROM session_farewells WHERE id_hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("failed to look up where a guest went")?;
    Ok(to.flatten())
}

/// What the browser is told: where its guest's things went (the address
/// partly hidden, as on a link's page), or that it was signed out.
fn words(moved: bool, email: Option<&str>) -> String {
    match (moved, email.and_then(|e| EmailAddress::parse(e).ok())) {
        (true, Some(email)) => format!(
            "Your dogs moved into an account ({}) — sign in here with the code or the link.",
            email.masked()
        ),
        (true, None) => {
            "Your dogs moved into an account — sign in here the way you did on the other device.".to_owned()
        }
        (false, _) => "You were signed out from another device.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn farewells_say_where_and_hide_the_address() {
        let moved = words(true, Some("bella@example.com"));
        assert_eq!(
            moved,
            "Your dogs moved into an account (b…@example.com) — sign in here with the code or the link."
        );
        assert!(!moved.contains("bella"));
        assert!(words(true, None).starts_with("Your dogs moved into an account —"));
        assert_eq!(
            words(false, Some("x@example.com")),
            "You were signed out from another device."
        );
    }
}
