//! Processing and storing an upload so that database rows and files agree.

use super::Photo;
use super::process::{self, PhotoError, PhotoLimits};
use super::queries::{self as rows, Subject};
use super::store::PhotoStore;
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;
use uuid::Uuid;

/// Why storing an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file was refused; the message is safe to show.
    #[error(transparent)]
    Rejected(#[from] PhotoError),
    /// Every decoder is busy and the queue for them is full.
    #[error("busy")]
    Busy,
    /// Something failed on our side.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Everything the upload flow needs, shared by all requests.
#[derive(Clone)]
pub struct PhotoService {
    /// Where files go.
    pub store: PhotoStore,
    /// Size and pixel limits.
    pub limits: PhotoLimits,
    /// Bounds concurrent decodes: each takes a core and tens of MB.
    pub permits: Arc<Semaphore>,
    /// Uploads waiting for a permit; past [`Self::max_waiting`] they are turned away.
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// Gives the queue place back however the wait ends (a dropped request too).
struct InQueue(Arc<AtomicUsize>);

impl Drop for InQueue {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PhotoService {
    /// A service decoding at most `concurrency` images at once, with as many
    /// again (at least 2) waiting: a burst is smoothed, a flood turned away
    /// before it holds memory.
    pub fn new(store: PhotoStore, limits: PhotoLimits, concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            store,
            limits,
            permits: Arc::new(Semaphore::new(concurrency)),
            waiting: Arc::default(),
            max_waiting: concurrency.max(2),
        }
    }

    /// Whether an upload arriving now would be turned away: every decoder
    /// busy and the queue full. Checked before a body is read.
    pub fn busy(&self) -> bool {
        self.permits.available_permits() == 0 && self.waiting.load(Ordering::SeqCst) >= self.max_waiting
    }

    /// Processes `bytes` off the async runtime, writes the files, then the row.
    /// Any failure leaves neither files nor row behind.
    pub async fn upload(
        &self,
        pool: &PgPool,
        owner: Uuid,
        subject: Subject,
        bytes: Vec<u8>,
    ) -> Result<Photo, StoreError> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(StoreError::Busy);
                }
                let _queued = InQueue(self.waiting.clone());
                self.permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(anyhow::Error::from)?
            }
        };
        let limits = self.limits;
        let processed = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            process::process(&bytes, &limits)
        })
        .await
        .map_err(anyhow::Error::from)??;
        let key = PhotoStore::new_key();
        self.store.put(&key, &processed).await?;
        let size = (
            processed.width,
            processed.height,
            processed.display.len() + processed.thumb.len(),
        );
        match rows::insert(pool, owner, subject, &key, size).await {
            Ok(photo) => Ok(photo),
            Err(err) => {
                self.store.remove(&key).await;
                Err(err.into())
            }
        }
    }
}
