//! The ending's steps on rows: this browser's session as it is now, settling
//! an existing member, promoting a guest in place, a new member, and the
//! record of the sign-in. Called only by [`super::end`].

use super::{Ended, Method, Refusal};
use crate::guests::Caller;
use crate::merge::Outcome;
use crate::sessions::{ProfileRow, farewell};
use crate::user::User;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// This browser's session row as it is now, locked.
#[derive(Clone, Copy, Debug)]
pub(super) struct SessionNow {
    user: Uuid,
    guest: bool,
    age_ms: i64,
    /// An admin acts as its user.
    pub(super) acting: bool,
}

impl SessionNow {
    /// Whether its user proved who they are here within `minutes`.
    pub(super) fn recent(&self, minutes: i64) -> bool {
        super::recent_enough(minutes, self.age_ms)
    }
}

/// Locks and re-reads the session the request began with (`None` when it
/// began without one, or the row is gone or expired).
pub(super) async fn lock_session<P: ProfileRow>(
    conn: &mut PgConnection,
    caller: &Caller<P>,
) -> anyhow::Result<Option<SessionNow>> {
    let Some(id) = caller.session.id() else {
        return Ok(None);
    };
    let row: Option<(Uuid, bool, i64, bool)> = sqlx::query_as(
        "SELECT s.user_id, u.is_anonymous, floor(extract(epoch FROM now() - s.authenticated_at) * 1000)::int8,
                s.acting_admin IS NOT NULL
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = $1 AND s.expiry_date > now() AND (s.acting_until IS NULL OR s.acting_until > now())
         FOR UPDATE OF s",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
    .context("failed to lock the session")?;
    Ok(row.map(|(user, guest, age_ms, acting)| SessionNow {
        user,
        guest,
        age_ms,
        acting,
    }))
}

/// Refuses unless the session is still the one the request began with: the
/// same user, still a guest or still a member.
pub(super) fn unchanged<P: ProfileRow>(
    started: Option<&User<P>>,
    now: Option<&SessionNow>,
) -> Result<(), Refusal> {
    match (started, now) {
        (None, _) => Ok(()),
        (Some(user), Some(now)) if now.user == user.id() && now.guest == user.is_guest() => Ok(()),
        _ => Err(Refusal::Changed),
    }
}

/// An existing member: a first proof of its address ends every session
/// opened before it and drops a password nobody proved; a new password ends
/// the sessions that came in with the old one.
pub(super) async fn settle_member(
    conn: &mut PgConnection,
    id: Uuid,
    first_proof: bool,
    password: Option<&str>,
) -> anyhow::Result<()> {
    if !first_proof && password.is_none() {
        return Ok(());
    }
    if first_proof {
        tracing::warn!(user = %id, "address proven for the first time: ending earlier sessions");
        // Two-step sign-in set up before anyone proved the address goes too.
        sqlx::query(
            "WITH b AS (DELETE FROM backup_codes WHERE user_id = $1)
             DELETE FROM two_factor WHERE user_id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("failed to drop an unproven two-step setup")?;
    }
    farewell::end_sessions(conn, farewell::Ending::all(id)).await?;
    sqlx::query(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), password_hash = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(password)
    .execute(conn)
    .await
    .context("failed to settle the account")?;
    Ok(())
}

/// The guest becomes a member in place: only this browser stays signed in
/// (its other sessions end), and its mint keys can no longer name it.
pub(super) async fn promote(
    conn: &mut PgConnection,
    guest: Uuid,
    email: Option<&str>,
    password: Option<&str>,
) -> anyhow::Result<()> {
    let moved = farewell::Ending {
        moved_to: Some(guest),
        ..farewell::Ending::all(guest)
    };
    farewell::end_sessions(conn, moved).await?;
    sqlx::query("DELETE FROM guest_mint_keys WHERE user_id = $1")
        .bind(guest)
        .execute(&mut *conn)
        .await
        .context("failed to retire the guest's mint keys")?;
    sqlx::query(
        "UPDATE users SET is_anonymous = false, email = $2, password_hash = $3,
                email_verified_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END
         WHERE id = $1 AND is_anonymous",
    )
    .bind(guest)
    .bind(email)
    .bind(password)
    .execute(conn)
    .await
    .context("failed to promote the guest")?;
    Ok(())
}

/// A new member (nobody came along). The address lock the proof took keeps
/// a second one with the same address from racing it.
pub(super) async fn create(
    conn: &mut PgConnection,
    email: Option<&str>,
    password: Option<&str>,
) -> anyhow::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO users (email, is_anonymous, password_hash, email_verified_at)
         VALUES ($1, false, $2, CASE WHEN $1::text IS NULL THEN NULL ELSE now() END) RETURNING id",
    )
    .bind(email)
    .bind(password)
    .fetch_one(conn)
    .await
    .context("failed to create the account")
}

/// The member as the new session will show it.
pub(super) async fn member<P: ProfileRow>(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<User<P>> {
    crate::sessions::member(conn, id)
        .await?
        .context("the account to sign in to is gone")
}

/// Records the sign-in (the operator's reports and the account's history).
pub(super) async fn record(conn: &mut PgConnection, ended: &Ended, method: Method) -> anyhow::Result<()> {
    let count = |f: fn(&Outcome) -> bool| ended.outcomes.iter().filter(|o| f(o)).count() as i16;
    sqlx::query(
        "INSERT INTO sign_ins (user_id, method, promoted, merged, merge_failed, created)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ended.user)
    .bind(method.as_str())
    .bind(count(|o| *o == Outcome::Promoted) > 0)
    .bind(count(|o| matches!(o, Outcome::Merged(_))))
    .bind(count(|o| *o == Outcome::MergeFailed))
    .bind(ended.created)
    .execute(conn)
    .await
    .context("failed to record the sign-in")?;
    Ok(())
}

/// The suspension an admin put on `user` ([`crate::admin::ban`]), in force now, read on the caller's connection (the
/// ending's, which has locked the row).
pub(super) async fn ban_of(conn: &mut PgConnection, user: Uuid) -> anyhow::Result<Option<Suspended>> {
    let row: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT extract(epoch FROM banned_until)::int8 FROM users
         WHERE id = $1 AND banned_at IS NOT NULL AND (banned_until IS NULL OR banned_until > now())",
    )
    .bind(user)
    .fetch_optional(conn)
    .await
    .context("failed to read a suspension")?;
    Ok(row.map(|until| Suspended { until }))
}

/// A suspension as the ending sees it.
pub(super) struct Suspended {
    pub(super) until: Option<i64>,
}
