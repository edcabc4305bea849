//! The weekly digest of "what changed near your saved places", for members
//! with a proven address who ticked it. A job ([`queue_due`], every hour on
//! any instance) queues one outbox row per member whose week is up — only
//! when something changed — and moves their week on in the same transaction
//! (a compare-and-set: two instances never queue the same week). The row
//! holds no link: the mail worker renders the changes and mints the mail's
//! one-click unsubscribe token as it sends (`mail::digest`); only the token's
//! SHA-256 is kept, and any of them turns the digest off without signing in.

use crate::auth::tokens;
use crate::email::EmailAddress;
use crate::mail::outbox::{SAVED_DIGEST, queue_own};
use anyhow::Context as _;
use sqlx::PgPool;
use uuid::Uuid;

/// Days between two digests.
pub const WEEK_DAYS: i32 = 7;
/// Members looked at per run of the job (the rest wait for the next hour).
const BATCH: i64 = 500;
/// How long an unsubscribe link works.
const LINK_DAYS: i32 = 180;

/// `Some(on)` for a member with a proven address, `None` otherwise.
pub async fn choice(pool: &PgPool, user: Uuid) -> anyhow::Result<Option<bool>> {
    let row: Option<Option<bool>> = sqlx::query_scalar(
        "SELECT w.digest FROM users u LEFT JOIN saved_watch w ON w.user_id = u.id
         WHERE u.id = $1 AND NOT u.is_anonymous AND u.email IS NOT NULL AND u.email_verified_at IS NOT NULL",
    )
    .bind(user)
    .fetch_optional(pool)
    .await
    .context("failed to read the digest choice")?;
    Ok(row.map(|on| on.unwrap_or(false)))
}

/// Queues the digests that are due; returns how many were queued. A member
/// whose week is up but with nothing changed gets none, and their week moves
/// on all the same.
pub async fn queue_due(pool: &PgPool) -> anyhow::Result<i64> {
    sqlx::query("DELETE FROM saved_digest_links WHERE created_at < now() - make_interval(days => $1)")
        .bind(LINK_DAYS)
        .execute(pool)
        .await
        .context("failed to drop old unsubscribe links")?;
    let due: Vec<Uuid> = sqlx::query_scalar(
        "SELECT w.user_id FROM saved_watch w JOIN users u ON u.id = w.user_id
         WHERE w.digest AND NOT u.is_anonymous AND u.email IS NOT NULL AND u.email_verified_at IS NOT NULL
           AND (w.digest_sent_at IS NULL OR w.digest_sent_at <= now() - make_interval(days => $1))
         ORDER BY w.digest_sent_at NULLS FIRST LIMIT $2",
    )
    .bind(WEEK_DAYS)
    .bind(BATCH)
    .fetch_all(pool)
    .await
    .context("failed to find due digests")?;
    let mut queued = 0;
    for user in due {
        let mut tx = pool.begin().await.context("no database connection")?;
        // The week moves on here; another instance's run finds it moved.
        let taken: Option<(f64, String)> = sqlx::query_as(
            "UPDATE saved_watch w SET digest_sent_at = now()
             FROM users u, (SELECT digest_sent_at AS before FROM saved_watch WHERE user_id = $1) o
             WHERE u.id = w.user_id AND w.user_id = $1 AND w.digest
               AND (w.digest_sent_at IS NULL OR w.digest_sent_at <= now() - make_interval(days => $2))
             RETURNING extract(epoch FROM coalesce(o.before, now() - make_interval(days => $2)))::float8, u.email",
        )
        .bind(user)
        .bind(WEEK_DAYS)
        .fetch_optional(&mut *tx)
        .await
        .context("failed to move the week on")?;
        let Some((since, email)) = taken else {
            continue;
        };
        if super::changes::since(pool, user, since).await?.is_empty() {
            tx.commit().await.context("failed to move the week on")?;
            continue;
        }
        let Ok(to) = EmailAddress::parse(&email) else {
            tx.commit().await.context("failed to move the week on")?;
            continue;
        };
        queue_own(&mut tx, SAVED_DIGEST, &to, user, since, 24 * 60).await?;
        tx.commit().await.context("failed to queue the digest")?;
        queued += 1;
    }
    Ok(queued)
}

/// Turns the digest off for whoever `token` was sent to; `false` for a
/// token that is not one of ours (or too old).
pub async fn unsubscribe(pool: &PgPool, token: &str) -> anyhow::Result<bool> {
    let Some(digest) = tokens::hash(token) else {
        return Ok(false);
    };
    let user: Option<Uuid> =
        sqlx::query_scalar("SELECT user_id FROM saved_digest_links WHERE token_hash = $1")
            .bind(digest)
            .fetch_optional(pool)
            .await
            .context("failed to read the unsubscribe link")?;
    let Some(user) = user else {
        return Ok(false);
    };
    sqlx::query("UPDATE saved_watch SET digest = false WHERE user_id = $1")
        .bind(user)
        .execute(pool)
        .await
        .context("failed to unsubscribe")?;
    Ok(true)
}
