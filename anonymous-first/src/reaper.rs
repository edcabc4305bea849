//! Keeping the guest pattern cheap forever: guests that own nothing and have
//! not been seen for a while, expired sessions and their old farewells, used
//! or expired tokens (and unfinished provider sign-ins and passkey prompts),
//! old rate-limit windows, mails finished a week ago and
//! sign-ins older than [`HISTORY_DAYS`] are deleted, guests in small batches
//! (`SKIP LOCKED`, so a batch never waits on, or blocks, live traffic).
//!
//! "Owns nothing" is derived from the app's owned tables ([`crate::owned`]),
//! so a guest with anything in any of them is never reaped; the app hears of
//! each batch inside its transaction ([`crate::Hooks::reaped`]). Run one pass
//! at a time across instances (an advisory lock is the app's choice).

use crate::Identity;
use anyhow::Context;
use sqlx::PgPool;

/// What one pass did (or, dry, would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reaped {
    /// Guest users deleted.
    pub guests: u64,
    /// Expired sessions deleted.
    pub sessions: u64,
    /// Used or expired tokens, and unfinished provider sign-ins and passkey
    /// prompts, deleted.
    pub tokens: u64,
    /// Old rate-limit windows deleted.
    pub rate_limits: u64,
    /// Mails sent or given up more than a week ago.
    pub mails: u64,
}

/// How long the record of sign-ins is kept (13 weeks): long enough to answer
/// a support question about a recent sign-in.
pub const HISTORY_DAYS: i32 = 91;

/// Counts (dry) or deletes guests idle for `idle_days` that own nothing, in
/// transactions of at most `batch` guests.
pub async fn guests(identity: &Identity, idle_days: i64, batch: i64, dry_run: bool) -> anyhow::Result<u64> {
    let pool = &identity.pool;
    let condition = format!(
        "u.is_anonymous AND u.last_seen_at < now() - make_interval(days => $1) AND {}",
        identity.owned.owns_nothing("u.id")
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
    // fresh snapshot sees a row committed between the look and the lock (a
    // single statement would judge by its older snapshot and take the row
    // with the guest), and a contribution on its way waits for the lock, then
    // finds its guest gone and makes a new one (`guests::owner_after_vanished`).
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
        if done.rows_affected() > 0
            && let Err(err) = identity.hooks.reaped(&mut tx, done.rows_affected()).await
        {
            // Roll back now: a dropped transaction's rollback waits for its
            // connection's next use, and until then its row locks make the
            // next pass skip these guests (`SKIP LOCKED`).
            tx.rollback()
                .await
                .context("failed to roll back reaping guests")?;
            return Err(err);
        }
        tx.commit().await.context("failed to commit reaping guests")?;
        total += done.rows_affected();
        if (picked.len() as i64) < batch {
            return Ok(total);
        }
    }
}

/// One full pass over the crate's tables (see the module); `dry_run` only
/// counts, and leaves farewells and sign-ins alone.
pub async fn pass(identity: &Identity, idle_days: i64, dry_run: bool) -> anyhow::Result<Reaped> {
    let pool = &identity.pool;
    let sessions = count_or_delete(
        pool,
        dry_run,
        "sessions",
        "expiry_date < now() OR acting_until < now()",
    )
    .await?;
    if !dry_run {
        crate::sessions::farewell::prune(pool).await?;
    }
    // A used token stays a day so its page can still say "already used".
    let mut tokens = count_or_delete(
        pool,
        dry_run,
        "auth_tokens",
        "expires_at < now() - interval '1 day'",
    )
    .await?;
    // Provider sign-ins and passkey prompts left unfinished (the tab closed).
    // Sign-ins that waited for a second step in vain, and trust run out.
    for table in [
        "oidc_logins",
        "oidc_pending",
        "passkey_ceremonies",
        "second_factor_pending",
        "trusted_browsers",
    ] {
        tokens += count_or_delete(pool, dry_run, table, "expires_at < now()").await?;
    }
    let rate_limits = count_or_delete(
        pool,
        dry_run,
        "rate_limits",
        "window_start < now() - interval '2 days'",
    )
    .await?;
    // Finished mails stay a week: what was sent when, for support questions.
    let mails = count_or_delete(
        pool,
        dry_run,
        "mail_outbox",
        "(sent_at IS NOT NULL OR gave_up_at IS NOT NULL) AND created_at < now() - interval '7 days'",
    )
    .await?;
    let guests = guests(identity, idle_days, 1000, dry_run).await?;
    if !dry_run {
        prune_history(
            pool,
            "DELETE FROM sign_ins WHERE id IN (
               SELECT id FROM sign_ins WHERE at < now() - make_interval(days => $1) LIMIT 5000)",
            HISTORY_DAYS,
        )
        .await?;
    }
    Ok(Reaped {
        guests,
        sessions,
        tokens,
        rate_limits,
        mails,
    })
}

/// Counts (dry) or deletes the rows of `table` where `condition` holds (an
/// app's own expiring tables use it too). Both are SQL text: constants of
/// the app's, never anything a request brought.
pub async fn count_or_delete(
    pool: &PgPool,
    dry_run: bool,
    table: &str,
    condition: &str,
) -> anyhow::Result<u64> {
    if dry_run {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE {condition}"))
            .fetch_one(pool)
            .await
            .with_context(|| format!("failed to count in {table}"))?;
        Ok(n as u64)
    } else {
        Ok(sqlx::query(&format!("DELETE FROM {table} WHERE {condition}"))
            .execute(pool)
            .await
            .with_context(|| format!("failed to delete from {table}"))?
            .rows_affected())
    }
}

/// Runs `delete` (which binds `$1` = `days` and deletes at most 5 000 rows)
/// until it deletes fewer: a first pass after a long time stays short.
/// `delete` is SQL text: a constant of the app's.
pub async fn prune_history(pool: &PgPool, delete: &str, days: i32) -> anyhow::Result<()> {
    loop {
        let done = sqlx::query(delete)
            .bind(days)
            .execute(pool)
            .await
            .context("failed to prune history")?;
        if done.rows_affected() < 5000 {
            return Ok(());
        }
    }
}
