//! What instances tell each other, through Postgres `LISTEN/NOTIFY` on one
//! connection per instance (its own, not the pool's): a public page changed
//! (empty the page cache) and mail was queued (wake the mail worker). The
//! operator commands that change venues run as processes of their own and
//! announce their change with [`announce`]. Nothing here is needed for
//! correctness: the page cache's lifetime bounds staleness and the mail worker
//! polls, so a lost notification only delays.

use crate::page_cache::PageCache;
use paws_inside::mail::outbox;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The channel public changes are announced on; the payload is the id of the
/// instance that made them (or the command's name).
pub const PAGE_CACHE: &str = "page_cache";

/// Announcements of local changes are sent at most this often (changes in
/// between are one announcement), so a burst costs a few statements, not one each.
const ANNOUNCE_EVERY: Duration = Duration::from_millis(20);

/// What a notification wakes.
#[derive(Clone)]
pub struct Signals {
    /// This process, in payloads (its own announcements come back to it).
    pub instance: Arc<str>,
    /// The page cache to empty.
    pub cache: PageCache,
    /// The mail worker's wake-up.
    pub mail: Arc<Notify>,
}

impl Signals {
    /// Signals for a new process.
    pub fn new(cache: PageCache) -> Self {
        Self {
            instance: uuid::Uuid::new_v4().simple().to_string().into(),
            cache,
            mail: Arc::new(Notify::new()),
        }
    }
}

/// Listens until aborted. When the connection drops, everything missed is
/// assumed: the cache is emptied and the mail worker looks.
pub fn spawn_listener(database_url: String, signals: Signals) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let mut listener = match connect(&database_url).await {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for other instances; retrying");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            // Until now nothing was heard: what was announced meanwhile is
            // unknown. That includes the start, where a mail queued between the
            // worker's first look and this LISTEN would otherwise wait for the
            // worker's 30 s poll (seen as a flaky test under load).
            if !std::mem::take(&mut first) {
                signals.cache.invalidate();
            }
            signals.mail.notify_one();
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) if n.channel() == outbox::CHANNEL => signals.mail.notify_one(),
                    Ok(Some(n)) if n.channel() == PAGE_CACHE => {
                        if n.payload() != &*signals.instance {
                            signals.cache.invalidate();
                        }
                    }
                    Ok(Some(_)) => {}
                    // The connection was lost; the listener reconnects on the next call.
                    Ok(None) => {
                        signals.cache.invalidate();
                        signals.mail.notify_one();
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "lost the notification connection");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    })
}

async fn connect(database_url: &str) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen_all([outbox::CHANNEL, PAGE_CACHE]).await?;
    Ok(listener)
}

/// Tells every instance that public pages changed; `from` names the sender
/// (an instance ignores its own id).
pub async fn announce(pool: &PgPool, from: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(PAGE_CACHE)
        .bind(from)
        .execute(pool)
        .await
        .map(drop)
}

/// Announces this instance's public changes to the others until aborted.
pub fn spawn_announcer(pool: PgPool, signals: Signals) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            signals.cache.written().await;
            if let Err(err) = announce(&pool, &signals.instance).await {
                tracing::warn!(error = %err, "could not announce a change to other instances");
            }
            tokio::time::sleep(ANNOUNCE_EVERY).await;
        }
    })
}
