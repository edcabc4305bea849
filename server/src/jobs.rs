//! Background jobs: the reaper. Started by `run_until`, aborted on shutdown.

use paws_inside::db::reaper;
use paws_inside::photos::PhotoStore;
use sqlx::PgPool;
use std::time::Duration;

/// Runs one reaper pass (also `server reap`); `dry_run` only counts.
pub async fn reap_once(
    pool: &PgPool,
    store: &PhotoStore,
    idle_days: i64,
    dry_run: bool,
) -> anyhow::Result<reaper::Reaped> {
    let mut reaped = reaper::pass(pool, idle_days, dry_run).await?;
    reaped.orphan_photos = reaper::orphan_files(pool, store, dry_run).await?;
    if !dry_run {
        let m = paws_inside::metrics::global();
        for (what, n) in [
            ("guests", reaped.guests),
            ("sessions", reaped.sessions),
            ("tokens", reaped.tokens),
            ("orphan_photos", reaped.orphan_photos),
        ] {
            m.reaped.add(what, n);
        }
    }
    tracing::info!(
        dry_run,
        guests = reaped.guests,
        sessions = reaped.sessions,
        tokens = reaped.tokens,
        rate_limits = reaped.rate_limits,
        orphan_photos = reaped.orphan_photos,
        "reaper pass"
    );
    Ok(reaped)
}

/// Reaps every `interval` until aborted; failures are logged and retried next time.
pub fn spawn_reaper(
    pool: PgPool,
    store: PhotoStore,
    interval: Duration,
    idle_days: i64,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = reap_once(&pool, &store, idle_days, false).await {
                tracing::error!(error = ?err, "reaper pass failed");
            }
        }
    })
}
