//! The reaper: the identity crate's pass ([`anonymous_first::reaper`]:
//! idle empty guests, expired sessions, dead tokens and unfinished provider
//! sign-ins and passkey prompts, old limits, mail and sign-ins), then the
//! funnel's guest rows after 13 weeks and photo files without a row. Reaped guests reach the funnel through
//! `PawsHooks::reaped`, in the crate's transaction.

use crate::context::PublicPages;
use crate::hooks::PawsHooks;
use crate::photos::PhotoStore;
use anonymous_first::Identity;
use anonymous_first::reaper::prune_history;
use anyhow::Context;
use sqlx::PgPool;
use std::sync::Arc;

/// What one reaping pass did (or, dry, would do): the identity crate's
/// tables, and photo files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reaped {
    /// Guests, sessions, tokens, rate-limit windows, mails.
    pub tables: anonymous_first::reaper::Reaped,
    /// Photos whose files had no row (each has two files).
    pub orphan_photos: u64,
}

/// The identity the reaper runs with outside a request: our owned tables and
/// hooks (no public pages to tell: a reaped guest owned nothing).
pub fn identity(pool: PgPool, store: PhotoStore) -> Identity {
    let hooks = Arc::new(PawsHooks::new(pool.clone(), store, PublicPages::default()));
    crate::auth::identity(
        pool,
        hooks,
        crate::password::Hasher::new(1),
        &crate::limits::Limits::default(),
        Default::default(),
    )
}

/// Counts (dry run) or deletes idle empty guests older than `idle_days`, in
/// batches of `batch` rows per transaction.
pub async fn guests(identity: &Identity, idle_days: i64, batch: i64, dry_run: bool) -> anyhow::Result<u64> {
    anonymous_first::reaper::guests(identity, idle_days, batch, dry_run).await
}

/// One full pass: the crate's, then ours (see the module).
pub async fn pass(identity: &Identity, idle_days: i64, dry_run: bool) -> anyhow::Result<Reaped> {
    let crate_pass = anonymous_first::reaper::pass(identity, idle_days, dry_run).await?;
    let pool = &identity.pool;
    if !dry_run {
        prune_history(
            pool,
            "DELETE FROM guest_funnel WHERE guest_id IN (
               SELECT guest_id FROM guest_funnel WHERE made_at < now() - make_interval(days => $1) LIMIT 5000)",
            HISTORY_DAYS,
        )
        .await?;
    }
    Ok(Reaped {
        tables: crate_pass,
        orphan_photos: 0,
    })
}

/// How long the record of sign-ins and the funnel's per-guest rows
/// (`guest_funnel`) are kept: the funnel's 12 weeks and one more. Nothing
/// else reads them: the funnel's weekly numbers live in `funnel_weeks`.
pub const HISTORY_DAYS: i32 = anonymous_first::reaper::HISTORY_DAYS;

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
