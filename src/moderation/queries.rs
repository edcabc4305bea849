//! Moderation data: roles (granted only from the command line), the audit log,
//! user statistics and search. Suggestions, reports and claim failures have
//! their own modules.

use crate::moderation::UserStats;
use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Whether `user` is an admin (checked on every admin request, so a revoke
/// takes effect at once).
pub async fn is_admin(pool: &PgPool, user: Uuid) -> anyhow::Result<bool> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM users WHERE id = $1 AND NOT is_anonymous")
            .bind(user)
            .fetch_optional(pool)
            .await
            .context("failed to load role")?;
    Ok(role.as_deref() == Some("admin"))
}

/// Sets the role of the member with `email`; false when there is none.
pub async fn set_role(pool: &PgPool, email: &str, admin: bool) -> anyhow::Result<bool> {
    let role = if admin { "admin" } else { "user" };
    let done = sqlx::query("UPDATE users SET role = $2 WHERE email = $1 AND NOT is_anonymous")
        .bind(email)
        .bind(role)
        .execute(pool)
        .await
        .context("failed to set role")?;
    if done.rows_affected() > 0 {
        let mut conn = pool.acquire().await.context("no connection")?;
        if !admin {
            // Whoever loses the role stops acting as anyone at once.
            sqlx::query(
                "DELETE FROM sessions WHERE acting_admin = (SELECT id FROM users WHERE email = $1 AND NOT is_anonymous)",
            )
            .bind(email)
            .execute(&mut *conn)
            .await
            .context("failed to end the sessions acted in")?;
        }
        audit(
            &mut conn,
            None,
            &format!("role_{role}"),
            email,
            serde_json::json!({"via": "cli"}),
        )
        .await?;
    }
    Ok(done.rows_affected() > 0)
}

/// Emails of all admins.
pub async fn admins(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    sqlx::query_scalar("SELECT email FROM users WHERE role = 'admin' ORDER BY email")
        .fetch_all(pool)
        .await
        .context("failed to list admins")
}

/// Writes an audit row: who did what to which subject.
pub async fn audit(
    conn: &mut PgConnection,
    admin: Option<Uuid>,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO admin_audit (admin_id, action, subject, details) VALUES ($1, $2, $3, $4)")
        .bind(admin)
        .bind(action)
        .bind(subject)
        .bind(sqlx::types::Json(details))
        .execute(conn)
        .await
        .context("failed to write audit row")?;
    Ok(())
}

/// Guests and members, and guests created per day over two weeks.
pub async fn user_stats(pool: &PgPool) -> anyhow::Result<UserStats> {
    let (guests, members): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE is_anonymous), count(*) FILTER (WHERE NOT is_anonymous) FROM users",
    )
    .fetch_one(pool)
    .await
    .context("failed to count users")?;
    let guests_per_day = sqlx::query_as(
        "SELECT to_char(d, 'FMDD Mon YYYY'), count(u.id)
         FROM generate_series(current_date - 13, current_date, interval '1 day') d
         LEFT JOIN users u ON u.is_anonymous IS NOT NULL AND u.created_at >= d AND u.created_at < d + interval '1 day'
              AND u.is_anonymous
         GROUP BY d ORDER BY d DESC",
    )
    .fetch_all(pool)
    .await
    .context("failed to count guests per day")?;
    Ok(UserStats {
        guests,
        members,
        guests_per_day,
    })
}
