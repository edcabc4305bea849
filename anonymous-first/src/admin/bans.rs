//! Suspending a user and lifting it. One transaction each, locking in the
//! order every flow takes: the acting admin's users row (the app's role
//! read, `FOR SHARE`), the user's row, then the admin's own session. A
//! sign-in racing a ban either commits first — and its new session is ended
//! with the others — or waits and is refused.

use super::{AdminError, MAX_DAYS, REASON_MAX, is_admin, member};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::farewell::{self, Ending};
use crate::user::Profile;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// Suspends `target` for `for_days` days (`None`: until lifted), with a
/// reason other admins read. Every session of the user ends at once, each
/// browser told why on its next request; every way in refuses until then.
/// Returns how many sessions ended.
pub async fn ban<P: Profile>(
    id: &Identity,
    caller: &Caller<P>,
    target: Uuid,
    reason: &str,
    for_days: Option<u32>,
) -> Result<u64, AdminError> {
    let reason = valid_reason(reason)?;
    if for_days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
        return Err(AdminError::Invalid(format!(
            "A suspension with an end lasts 1 to {MAX_DAYS} days."
        )));
    }
    let mut tx = id.pool.begin().await.context("failed to begin a ban")?;
    let admin = acting(id, caller, &mut tx, target).await?;
    let until: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET banned_at = now(), ban_reason = $2, banned_by = $3,
                banned_until = now() + make_interval(days => $4::int)
         WHERE id = $1 RETURNING extract(epoch FROM banned_until)::int8",
    )
    .bind(target)
    .bind(&reason)
    .bind(admin)
    .bind(for_days.map(|d| d as i32))
    .fetch_one(&mut *tx)
    .await
    .context("failed to suspend the user")?;
    // A guest's browser key no longer names it: a resubmitted first
    // contribution makes a new guest instead of reopening this one.
    sqlx::query("DELETE FROM guest_mint_keys WHERE user_id = $1")
        .bind(target)
        .execute(&mut *tx)
        .await
        .context("failed to retire the user's mint keys")?;
    let banned = Ending {
        banned: true,
        ..Ending::all(target)
    };
    let ended = farewell::end_sessions(&mut tx, banned).await?;
    record(&mut tx, admin, target, "ban", Some(&reason), until).await?;
    tx.commit().await.context("failed to commit a ban")?;
    tracing::warn!(%admin, user = %target, sessions = ended, "user suspended");
    Ok(ended)
}

/// Lifts `target`'s suspension.
pub async fn unban<P: Profile>(id: &Identity, caller: &Caller<P>, target: Uuid) -> Result<(), AdminError> {
    let mut tx = id.pool.begin().await.context("failed to begin an unban")?;
    let admin = acting(id, caller, &mut tx, target).await?;
    let lifted = sqlx::query(
        "UPDATE users SET banned_at = NULL, banned_until = NULL, ban_reason = NULL, banned_by = NULL
         WHERE id = $1 AND banned_at IS NOT NULL AND (banned_until IS NULL OR banned_until > now())",
    )
    .bind(target)
    .execute(&mut *tx)
    .await
    .context("failed to lift a suspension")?;
    if lifted.rows_affected() == 0 {
        return Err(AdminError::NotBanned);
    }
    record(&mut tx, admin, target, "unban", None, None).await?;
    tx.commit().await.context("failed to commit an unban")?;
    tracing::warn!(%admin, user = %target, "suspension lifted");
    Ok(())
}

/// The acting admin, re-read and locked in this transaction, and `target`
/// locked: refuses a caller who is no admin now, a session that changed, an
/// unknown user, oneself and another admin.
async fn acting<P: Profile>(
    id: &Identity,
    caller: &Caller<P>,
    conn: &mut PgConnection,
    target: Uuid,
) -> Result<Uuid, AdminError> {
    let (admin, session) = member(caller)?;
    if !is_admin(id, conn, admin).await? {
        return Err(AdminError::NotAdmin);
    }
    let found: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1 FOR UPDATE")
        .bind(target)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to lock the user")?;
    found.ok_or(AdminError::NotFound)?;
    let now: Option<Uuid> =
        sqlx::query_scalar("SELECT user_id FROM sessions WHERE id = $1 AND expiry_date > now() FOR SHARE")
            .bind(&session)
            .fetch_optional(&mut *conn)
            .await
            .context("failed to re-read the session")?;
    if now != Some(admin) {
        return Err(AdminError::Changed);
    }
    if target == admin {
        return Err(AdminError::Yourself);
    }
    if is_admin(id, conn, target).await? {
        return Err(AdminError::TargetIsAdmin);
    }
    Ok(admin)
}

/// The reason, trimmed: 1 to [`REASON_MAX`] characters, nothing hidden.
fn valid_reason(reason: &str) -> Result<String, AdminError> {
    let reason = reason.trim();
    let hidden = reason
        .chars()
        .any(|c| crate::text::invisible(c) && !matches!(c, '\n' | '\r' | '\t'));
    match reason.chars().count() {
        0 => Err(AdminError::Invalid("Say why, for the other admins.".into())),
        n if n > REASON_MAX => Err(AdminError::Invalid(format!(
            "A reason is at most {REASON_MAX} characters."
        ))),
        _ if hidden => Err(AdminError::Invalid("The reason holds hidden characters.".into())),
        _ => Ok(reason.to_owned()),
    }
}

/// Writes what an admin did to a user (`user_audit`).
pub(crate) async fn record(
    conn: &mut PgConnection,
    admin: Uuid,
    target: Uuid,
    action: &str,
    reason: Option<&str>,
    until: Option<i64>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO user_audit (actor_id, subject_id, action, reason, until)
         VALUES ($1, $2, $3, $4, to_timestamp($5::int8))",
    )
    .bind(admin)
    .bind(target)
    .bind(action)
    .bind(reason)
    .bind(until)
    .execute(conn)
    .await
    .context("failed to write the audit")?;
    Ok(())
}
