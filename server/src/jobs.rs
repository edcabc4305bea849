//! Background work, started by `run_until` on every instance: the reaper (one
//! instance at a time), the daily verdict pass (one instance at a time), the
//! mail worker (every instance; each mail is taken by one), the saved places'
//! weekly digests (queued hourly when due; a member's week is taken by one
//! instance) and what instances tell each other (`crate::notify`).

use crate::notify::{self, Signals};
use paws_inside::auth::funnel::MadeCounts;
use paws_inside::db::reaper;
use paws_inside::mail::outbox::{self, Sender};
use paws_inside::photos::PhotoStore;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// The advisory lock that lets one instance reap at a time.
pub const REAPER_LOCK: i64 = 0x7061_7773_7265_6170; // "pawsreap"

/// The advisory lock that lets one instance recompute verdicts at a time.
pub const VERDICT_LOCK: i64 = 0x7061_7773_7665_7264; // "pawsverd"

/// How often venues' verdicts are recomputed as their answers age.
const VERDICT_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// The longest a worker sleeps without looking, should a notification be missed.
const MAIL_POLL: Duration = Duration::from_secs(30);
/// How often due digests are looked for (each member gets one a week at most).
const DIGEST_EVERY: Duration = Duration::from_secs(3600);
/// How often the guests made here reach the funnel's rollup.
const FUNNEL_EVERY: Duration = Duration::from_secs(10);

/// The shortest: after finding nothing it could take.
const MAIL_RECHECK: Duration = Duration::from_millis(250);

/// What an instance runs beside serving.
pub struct Background {
    /// The pool.
    pub pool: PgPool,
    /// For the notification connection (its own, not the pool's).
    pub database_url: String,
    /// Photo files, for the reaper.
    pub store: PhotoStore,
    /// Time between reaper passes; `None` = no reaper.
    pub reaper_every: Option<Duration>,
    /// How long an empty guest may idle.
    pub guest_idle_days: i64,
    /// Where mail goes, how it is retried and what its links point at.
    pub mail: Sender,
    /// The page cache and the mail worker's wake-up.
    pub signals: Signals,
    /// Guests made here, for the funnel's rollup.
    pub funnel: MadeCounts,
}

/// The running jobs; [`Running::stop`] ends them.
pub struct Running {
    aborted: Vec<JoinHandle<()>>,
    /// The last counts are written at the stop.
    funnel: (PgPool, MadeCounts),
    mail: JoinHandle<()>,
    stop_mail: watch::Sender<bool>,
}

impl Background {
    /// Starts every job.
    pub fn start(self) -> Running {
        let mut aborted = vec![notify::spawn_listener(self.database_url, self.signals.clone())];
        if self.signals.cache.enabled() {
            aborted.push(notify::spawn_announcer(self.pool.clone(), self.signals.clone()));
        }
        if let Some(every) = self.reaper_every {
            aborted.push(spawn_reaper(
                self.pool.clone(),
                self.store,
                every,
                self.guest_idle_days,
            ));
        }
        aborted.push(spawn_digests(self.pool.clone()));
        aborted.push(spawn_verdicts(self.pool.clone(), self.signals.clone()));
        aborted.push(spawn_funnel(self.pool.clone(), self.funnel.clone()));
        let funnel = (self.pool.clone(), self.funnel);
        let (stop_mail, stopped) = watch::channel(false);
        let mail = spawn_mail_worker(self.pool, self.mail, self.signals.mail, stopped);
        Running {
            aborted,
            funnel,
            mail,
            stop_mail,
        }
    }
}

impl Running {
    /// Stops every job; a mail being handed to the mail server is finished first.
    pub async fn stop(self) {
        for job in self.aborted {
            job.abort();
        }
        if let Err(err) = self.funnel.1.flush(&self.funnel.0).await {
            tracing::warn!(error = ?err, "the last guests made were not counted");
        }
        let _ = self.stop_mail.send(true);
        if tokio::time::timeout(Duration::from_secs(20), self.mail)
            .await
            .is_err()
        {
            tracing::warn!("the mail worker did not stop in time; its mail stays queued");
        }
    }
}

/// Runs one reaper pass (also `server reap`); `dry_run` only counts.
pub async fn reap_once(
    pool: &PgPool,
    store: &PhotoStore,
    idle_days: i64,
    dry_run: bool,
) -> anyhow::Result<reaper::Reaped> {
    let identity = reaper::identity(pool.clone(), store.clone());
    let mut reaped = reaper::pass(&identity, idle_days, dry_run).await?;
    reaped.orphan_photos = reaper::orphan_files(pool, store, dry_run).await?;
    if !dry_run {
        let m = paws_inside::metrics::global();
        for (what, n) in [
            ("guests", reaped.tables.guests),
            ("sessions", reaped.tables.sessions),
            ("tokens", reaped.tables.tokens),
            ("mails", reaped.tables.mails),
            ("orphan_photos", reaped.orphan_photos),
        ] {
            m.reaped.add(what, n);
        }
    }
    tracing::info!(
        dry_run,
        guests = reaped.tables.guests,
        sessions = reaped.tables.sessions,
        tokens = reaped.tables.tokens,
        rate_limits = reaped.tables.rate_limits,
        mails = reaped.tables.mails,
        orphan_photos = reaped.orphan_photos,
        "reaper pass"
    );
    Ok(reaped)
}

/// Writes the guests made here into the funnel every [`FUNNEL_EVERY`].
fn spawn_funnel(pool: PgPool, funnel: MadeCounts) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(FUNNEL_EVERY);
        loop {
            ticker.tick().await;
            if let Err(err) = funnel.flush(&pool).await {
                tracing::warn!(error = ?err, "the funnel's guests made wait for the next try");
            }
        }
    })
}

/// Reaps every `interval` until aborted; failures are logged and retried next time.
fn spawn_reaper(pool: PgPool, store: PhotoStore, interval: Duration, idle_days: i64) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = reap_if_first(&pool, &store, idle_days).await.map(drop) {
                tracing::error!(error = ?err, "reaper pass failed");
            }
        }
    })
}

/// A pass, unless another instance is reaping right now (`None`). The lock is
/// held by an open transaction, so it ends with the pass even if the task is
/// aborted.
pub async fn reap_if_first(
    pool: &PgPool,
    store: &PhotoStore,
    idle_days: i64,
) -> anyhow::Result<Option<reaper::Reaped>> {
    let mut lock = pool.begin().await?;
    // The lock's transaction idles while the pass works on other connections.
    sqlx::query("SET LOCAL idle_in_transaction_session_timeout = 0")
        .execute(&mut *lock)
        .await?;
    let first: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(REAPER_LOCK)
        .fetch_one(&mut *lock)
        .await?;
    let reaped = if first {
        Some(reap_once(pool, store, idle_days, false).await?)
    } else {
        tracing::debug!("another instance is reaping");
        None
    };
    lock.rollback().await?;
    Ok(reaped)
}

/// Queues the weekly digests that are due, every [`DIGEST_EVERY`] until
/// aborted; failures are logged and retried next time.
fn spawn_digests(pool: PgPool) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(DIGEST_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match paws_inside::saved::digest::queue_due(&pool).await {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "weekly digests queued"),
                Err(err) => tracing::error!(error = ?err, "queueing digests failed"),
            }
        }
    })
}

/// Recomputes every venue's verdict at start and then daily (answers lose
/// weight as they age, guests' answers gain it at a week, answers older than
/// a year drop out): `venues::verdicts::refresh_all`, by one instance at a
/// time; the page cache is dropped when a verdict changed.
fn spawn_verdicts(pool: PgPool, signals: Signals) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(VERDICT_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match verdicts_if_first(&pool).await {
                Ok(Some(n)) if n > 0 => {
                    tracing::info!(changed = n, "verdicts recomputed");
                    signals.cache.changed();
                }
                Ok(_) => {}
                Err(err) => tracing::error!(error = ?err, "verdict pass failed"),
            }
        }
    })
}

/// A verdict pass, unless another instance is running one (`None`).
pub async fn verdicts_if_first(pool: &PgPool) -> anyhow::Result<Option<u64>> {
    let mut lock = pool.begin().await?;
    sqlx::query("SET LOCAL idle_in_transaction_session_timeout = 0")
        .execute(&mut *lock)
        .await?;
    let first: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(VERDICT_LOCK)
        .fetch_one(&mut *lock)
        .await?;
    let changed = if first {
        Some(paws_inside::venues::verdicts::refresh_all(pool).await?)
    } else {
        None
    };
    lock.rollback().await?;
    Ok(changed)
}

/// Sends queued mail until `stop` turns true: woken by `wake` (the outbox's
/// NOTIFY, from any instance, when a flow queues one), by a timer when a
/// retry falls due, and every 30 s regardless (a lost notification delays a
/// mail, never loses it). A mail being sent when the stop comes is finished
/// first.
fn spawn_mail_worker(
    pool: PgPool,
    sender: Sender,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let mut trouble = false;
            while !*stop.borrow() {
                match outbox::send_next(&pool, &sender).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(err) => {
                        tracing::error!(error = ?err, "mail worker");
                        trouble = true;
                        break;
                    }
                }
            }
            if *stop.borrow() {
                return;
            }
            // Nothing was due and free: a mail due now is another worker's
            // (being sent), so look again shortly rather than at once.
            let wait = match outbox::next_due(&pool).await {
                _ if trouble => Duration::from_secs(1),
                Ok(Some(due)) => due.clamp(MAIL_RECHECK, MAIL_POLL),
                Ok(None) => MAIL_POLL,
                Err(_) => Duration::from_secs(1),
            };
            tokio::select! {
                _ = stop.changed() => return,
                () = tokio::time::sleep(wait) => {}
                () = wake.notified() => {}
            }
        }
    })
}
