//! The state every handler gets: one `Arc`, because axum clones the router's
//! state for every handler call (before `FromRef` picks a part), so a clone
//! must cost one reference count, not a copy of Leptos' options.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use paws_inside::context::Context;
use paws_inside::photos::PhotoService;
use sqlx::PgPool;

/// Shared state of every request, behind one reference count.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl AppState {
    /// Wraps what every request shares.
    pub fn new(shared: Shared) -> Self {
        Self(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    /// Leptos' options (asset paths, output name).
    pub leptos: LeptosOptions,
    /// The database pool.
    pub pool: PgPool,
    /// Photo processing and storage.
    pub photos: PhotoService,
    /// How long an upload's body has to arrive once it holds a place.
    pub upload_body: std::time::Duration,
    /// The services every flow uses.
    pub ctx: Context,
    /// Whether this instance takes new requests (false once shutting down).
    pub ready: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Handlers that only query take just the pool.
impl FromRef<AppState> for sqlx::PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}
