//! Keeping the guest pattern cheap forever: guests that own nothing and have
//! not been seen for a while, expired sessions, used or expired tokens, old
//! rate-limit windows, mails sent a week ago, and sign-ins and the funnel's
//! guest rows after 13 weeks are deleted in small batches (`SKIP LOCKED`, so a batch
//! never waits on, or blocks, live traffic).

use super::ownership::owned;
use anyhow::Context;
use sqlx::PgPool;

/// What one reaping pass did (or, dry, would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reaped {
    /// Guest users deleted.
    pub guests: u64,
    /// Expired sessions deleted.
    pub sessions: u64,
    /// Used or expired tokens (and unfinished provider sign-ins) deleted.
    pub tokens: u64,
    /// Old rate-limit windows deleted.
    pub rate_limits: u64,
    /// Emails sent or given up more than a week ago.
    pub mails: u64,
    /// Photos whose files had no row (each has two files).
    pub orphan_photos: u64,
}

/// Counts (dry run) or deletes idle empty guests older than `idle_days`, in
/// batches of `batch` rows per transaction.
pub async fn guests(pool: &PgPool, idle_days: i64, batch: i64, dry_run: bool) -> anyhow::Result<u64> {
    let condition = format!(
        "u.is_anonymous AND u.last_seen_at < now() - make_interval(days => $1) AND {}",
        owned().owns_nothing("u.id")
    );
    if dry_run {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM users u WHERE {condition}"))
            .bind(idle_days as i32)
            .fetch_one(pool)
            .await
            .context("failed to count idle guests")?;
        return Ok(n as u64);
    }
    // Lock first, then check again and delete in a statement of its own: its
    // fresh snapshot sees a dog committed between the look and the lock (a
    // single statement would judge by its older snapshot and take the dog
    // with the guest), and a dog on its way waits for the lock, then finds
    // its guest gone and makes a new one (`auth::guest::owner_after_vanished`).
    let pick = format!("SELECT u.id FROM users u WHERE {condition} LIMIT $2 FOR UPDATE SKIP LOCKED");
    let delete = format!("DELETE FROM users u WHERE u.id = ANY($2) AND {condition}");
    let mut total = 0;
    loop {
        let mut tx = pool.begin().await.context("failed to begin reaping guests")?;
        let picked: Vec<uuid::Uuid> = sqlx::query_scalar(&pick)
            .bind(idle_days as i32)
            .bind(batch)
            .fetch_all(&mut *tx)
            .await
            .context("failed to pick idle guests")?;
        let done = sqlx::query(&delete)
            .bind(idle_days as i32)
            .bind(&picked)
            .execute(&mut *tx)
            .await
            .context("failed to delete idle guests")?;
        if done.rows_affected() > 0 {
            // The funnel's "reaped", in the same transaction as the deletes.
            crate::auth::funnel::note(&mut *tx, crate::auth::funnel::Note::Reaped(done.rows_affected()))
                .await?;
        }
        tx.commit().await.context("failed to commit reaping guests")?;
        total += done.rows_affected();
        if (picked.len() as i64) < batch {
            return Ok(total);
        }
    }
}

/// One full pass: idle guests, expired sessions, dead tokens, old rate limits.
pub async fn pass(pool: &PgPool, idle_days: i64, dry_run: bool) -> anyhow::Result<Reaped> {
    let count_or_delete = async |count: &str, delete: &str| -> anyhow::Result<u64> {
        if dry_run {
            let n: i64 = sqlx::query_scalar(count)
                .fetch_one(pool)
                .await
                .context("failed to count")?;
            Ok(n as u64)
        } else {
            Ok(sqlx::query(delete)
                .execute(pool)
                .await
                .context("failed to delete")?
                .rows_affected())
        }
    };
    let sessions = count_or_delete(
        "SELECT count(*) FROM sessions WHERE expiry_date < now()",
        "DELETE FROM sessions WHERE expiry_date < now()",
    )
    .await?;
    // Farewells nobody came back for (`auth::farewell`): not counted, like
    // the sessions they were left for.
    if !dry_run {
        crate::auth::farewell::prune(pool).await?;
    }
    // A used token stays a day so its page can still say "already used".
    let tokens = count_or_delete(
        "SELECT count(*) FROM auth_tokens WHERE expires_at < now() - interval '1 day'",
        "DELETE FROM auth_tokens WHERE expires_at < now() - interval '1 day'",
    )
    .await?;
    // Provider sign-ins left unfinished (the person closed the tab there).
    let attempts = count_or_delete(
        "SELECT count(*) FROM oidc_logins WHERE expires_at < now()",
        "DELETE FROM oidc_logins WHERE expires_at < now()",
    )
    .await?
        + count_or_delete(
            "SELECT count(*) FROM oidc_pending WHERE expires_at < now()",
            "DELETE FROM oidc_pending WHERE expires_at < now()",
        )
        .await?
        + count_or_delete(
            "SELECT count(*) FROM passkey_ceremonies WHERE expires_at < now()",
            "DELETE FROM passkey_ceremonies WHERE expires_at < now()",
        )
        .await?;
    let tokens = tokens + attempts;
    let rate_limits = count_or_delete(
        "SELECT count(*) FROM rate_limits WHERE window_start < now() - interval '2 days'",
        "DELETE FROM rate_limits WHERE window_start < now() - interval '2 days'",
    )
    .await?;
    // Finished mails stay a week: what was sent when, for support questions.
    let mails = count_or_delete(
        "SELECT count(*) FROM mail_outbox
         WHERE (sent_at IS NOT NULL OR gave_up_at IS NOT NULL) AND created_at < now() - interval '7 days'",
        "DELETE FROM mail_outbox
         WHERE (sent_at IS NOT NULL OR gave_up_at IS NOT NULL) AND created_at < now() - interval '7 days'",
    )
    .await?;
    let guests = guests(pool, idle_days, 1000, dry_run).await?;
    if !dry_run {
        history(pool).await?;
    }
    Ok(Reaped {
        guests,
        sessions,
        tokens,
        rate_limits,
        mails,
        orphan_photos: 0,
    })
}

/// How long the record of sign-ins (`sign_ins`) and the funnel's per-guest
/// rows (`guest_funnel`) are kept: the funnel's 12 weeks and one more, so a
/// support question about a recent sign-in can still be answered. Nothing
/// else reads them: the funnel's weekly numbers live in `funnel_weeks`.
pub const HISTORY_DAYS: i32 = 91;

/// Deletes sign-ins and the funnel's guest rows older than [`HISTORY_DAYS`],
/// 5 000 rows per statement (a first pass after a long time stays short).
async fn history(pool: &PgPool) -> anyhow::Result<()> {
    for delete in [
        "DELETE FROM sign_ins WHERE id IN (
           SELECT id FROM sign_ins WHERE at < now() - make_interval(days => $1) LIMIT 5000)",
        "DELETE FROM guest_funnel WHERE guest_id IN (
           SELECT guest_id FROM guest_funnel WHERE made_at < now() - make_interval(days => $1) LIMIT 5000)",
    ] {
        loop {
            let done = sqlx::query(delete)
                .bind(HISTORY_DAYS)
                .execute(pool)
                .await
                .context("failed to prune the sign-in history")?;
            if done.rows_affected() < 5000 {
                break;
            }
        }
    }
    Ok(())
}

/// Removes files of photos that have no row (a crash between writing files and
/// inserting the row, or between deleting a row and its files). Only files
/// older than an hour count, so uploads in flight are safe.
pub async fn orphan_files(
    pool: &PgPool,
    store: &crate::photos::PhotoStore,
    dry_run: bool,
) -> anyhow::Result<u64> {
    let on_disk = store
        .keys_older_than(std::time::Duration::from_secs(3600))
        .await?;
    if on_disk.is_empty() {
        return Ok(0);
    }
    // A name that is no photo id has no row.
    let ids: Vec<uuid::Uuid> = on_disk
        .iter()
        .filter_map(|k| crate::photos::PhotoStore::photo_id(k))
        .collect();
    let known: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM photos WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(pool)
        .await
        .context("failed to look up photos keys")?;
    let orphans: Vec<&String> = on_disk.iter().filter(|k| !known.contains(k)).collect();
    if !dry_run {
        for key in &orphans {
            store.remove(key).await;
        }
    }
    Ok(orphans.len() as u64)
}
