//! Processing and storing an upload so that database rows and files agree.

use super::Photo;
use super::clients::{ClientSlot, Clients, Refused};
use super::process::{self, PhotoError, PhotoLimits};
use super::queries::{self as rows, Subject};
use super::store::PhotoStore;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// Why storing an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file was refused; the message is safe to show.
    #[error(transparent)]
    Rejected(#[from] PhotoError),
    /// The photo store (a bucket across the network) did not take the files;
    /// nothing was kept.
    #[error(transparent)]
    Unavailable(anyhow::Error),
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
    /// Places for uploads in progress, from reading the body to storing it:
    /// as many as decoders plus as many again waiting.
    places: Arc<Semaphore>,
    /// Uploads in flight per client (at most two each).
    clients: Arc<Clients>,
}

/// One upload's place, held from before its body is read until it is stored
/// (or the request ends): what bounds the memory bodies and decodes hold.
/// With it, the client's slot, so one client holds at most two places.
#[derive(Debug)]
pub struct Admission {
    _place: OwnedSemaphorePermit,
    _client: Option<ClientSlot>,
}

impl PhotoService {
    /// A service decoding at most `concurrency` images at once, with as many
    /// again (at least 2) read and waiting: a burst is smoothed, a flood
    /// turned away before it holds memory.
    pub fn new(store: PhotoStore, limits: PhotoLimits, concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            store,
            limits,
            permits: Arc::new(Semaphore::new(concurrency)),
            places: Arc::new(Semaphore::new(concurrency + concurrency.max(2))),
            clients: Arc::default(),
        }
    }

    /// One of `client`'s upload slots (`client`: a `limits::client_subject`),
    /// taken before anything else about the upload is looked at.
    pub fn client_slot(&self, client: &str) -> Result<ClientSlot, Refused> {
        self.clients.take(client)
    }

    /// A place for one upload, taken before its body is read; `None` when all
    /// are taken (the upload is turned away).
    pub fn admit(&self) -> Option<Admission> {
        self.admit_with(None)
    }

    /// A place for an upload of the client holding `slot` (kept with it).
    pub fn admit_with(&self, slot: Option<ClientSlot>) -> Option<Admission> {
        let place = self.places.clone().try_acquire_owned().ok()?;
        Some(Admission {
            _place: place,
            _client: slot,
        })
    }

    /// Places free now.
    pub fn free_places(&self) -> usize {
        self.places.available_permits()
    }

    /// Clients with an upload in flight.
    pub fn uploading_clients(&self) -> usize {
        self.clients.len()
    }

    /// Whether an upload arriving now would be turned away.
    pub fn busy(&self) -> bool {
        self.places.available_permits() == 0
    }

    /// Processes `bytes` off the async runtime, writes the files, then the row.
    /// Any failure leaves neither files nor row behind.
    pub async fn upload(
        &self,
        _place: &Admission,
        pool: &PgPool,
        owner: Uuid,
        subject: Subject,
        bytes: Vec<u8>,
    ) -> Result<Photo, StoreError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(anyhow::Error::from)?;
        let limits = self.limits;
        let processed = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            process::process(&bytes, &limits)
        })
        .await
        .map_err(anyhow::Error::from)??;
        let key = PhotoStore::new_key();
        self.store
            .put(&key, &processed)
            .await
            .map_err(StoreError::Unavailable)?;
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
