//! The weekly digest of "what changed near your saved places", for members
//! with a proven address who ticked it. A job ([`queue_due`], every hour on
//! any instance) queues one outbox row per member whose week is up — only
//! when something changed — and moves their week on in the same transaction
//! (a compare-and-set: two instances never queue the same week). The row
//! holds no link: the mail worker renders the changes and mints the mail's
//! one-click unsubscribe token as it sends ([`render`]); only the token's
//! SHA-256 is kept, and any of them turns the digest off without signing in.

use crate::auth::{Caller, tokens};
use crate::context::Context;
use crate::email::EmailAddress;
use crate::errors::{Kind, failure};
use crate::mail::Email;
use anyhow::Context as _;
use sqlx::PgPool;
use uuid::Uuid;

/// Days between two digests.
pub const WEEK_DAYS: i32 = 7;
/// Members looked at per run of the job (the rest wait for the next hour).
const BATCH: i64 = 500;
/// How long an unsubscribe link works.
const LINK_DAYS: i32 = 180;

/// Why the digest choice was not stored.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// A guest, or a member without a proven address.
    #[error("Only an account with a confirmed email address can get the weekly email.")]
    NoAddress,
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(no_limit DigestError {
    NoAddress => Kind::Forbidden,
});

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

/// Turns the caller's weekly email on or off. Turning it on starts the week
/// now: the first digest covers the days from here.
pub async fn set(ctx: &Context, caller: &Caller, on: bool) -> Result<(), DigestError> {
    let user = caller.user().ok_or(DigestError::NoAddress)?;
    if choice(&ctx.pool, user.id()).await?.is_none() {
        return Err(DigestError::NoAddress);
    }
    sqlx::query(
        "INSERT INTO saved_watch AS w (user_id, digest, digest_sent_at) VALUES ($1, $2, now())
         ON CONFLICT (user_id) DO UPDATE SET digest = $2,
           digest_sent_at = CASE WHEN $2 AND NOT w.digest THEN now() ELSE w.digest_sent_at END",
    )
    .bind(user.id())
    .bind(on)
    .execute(&ctx.pool)
    .await
    .context("failed to store the digest choice")?;
    Ok(())
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
        sqlx::query(
            "WITH queued AS (
               INSERT INTO mail_outbox (kind, recipient, user_id, since, send_before)
               VALUES ('saved_digest', $1, $2, to_timestamp($3), now() + interval '1 day'))
             SELECT pg_notify($4, '')",
        )
        .bind(&email)
        .bind(user)
        .bind(since)
        .bind(crate::mail::outbox::CHANNEL)
        .execute(&mut *tx)
        .await
        .context("failed to queue the digest")?;
        tx.commit().await.context("failed to queue the digest")?;
        crate::metrics::global().mail.inc("queued");
        queued += 1;
    }
    Ok(queued)
}

/// The digest for `user` from `since` (seconds since 1970), with a fresh
/// unsubscribe link (committed before the mail leaves). `None`: not to be
/// sent any more (turned off, the address changed or unproven, or nothing
/// left to tell).
pub async fn render(
    pool: &PgPool,
    public_url: &str,
    user: Uuid,
    since: f64,
    to: &EmailAddress,
) -> anyhow::Result<Option<Email>> {
    let still: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users u JOIN saved_watch w ON w.user_id = u.id
           WHERE u.id = $1 AND w.digest AND NOT u.is_anonymous
             AND u.email = $2 AND u.email_verified_at IS NOT NULL)",
    )
    .bind(user)
    .bind(to.as_str())
    .fetch_one(pool)
    .await
    .context("failed to check the digest choice")?;
    if !still {
        return Ok(None);
    }
    let changes = super::changes::since(pool, user, since).await?;
    if changes.is_empty() {
        return Ok(None);
    }
    let token = tokens::generate()?;
    let digest = tokens::hash(&token).context("generated token is malformed")?;
    sqlx::query("INSERT INTO saved_digest_links (token_hash, user_id) VALUES ($1, $2)")
        .bind(digest)
        .bind(user)
        .execute(pool)
        .await
        .context("failed to store the unsubscribe link")?;
    let unsubscribe = format!("{public_url}/saved/unsubscribe?token={token}");
    Ok(Some(crate::mail::saved_digest(to, public_url, &changes, &unsubscribe)))
}

/// Turns the digest off for whoever `token` was sent to; `false` for a
/// token that is not one of ours (or too old).
pub async fn unsubscribe(pool: &PgPool, token: &str) -> anyhow::Result<bool> {
    let Some(digest) = tokens::hash(token) else {
        return Ok(false);
    };
    let user: Option<Uuid> = sqlx::query_scalar("SELECT user_id FROM saved_digest_links WHERE token_hash = $1")
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
