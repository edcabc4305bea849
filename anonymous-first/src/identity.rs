//! What every identity flow is given besides the request: the database, the
//! app's owned tables, its hooks, the hasher and the settings the flows run
//! with ([`Config`], each default written once here). Built once by the
//! app, cheap to clone.

use crate::hooks::Hooks;
use crate::limits::AddressLimits;
use crate::owned::OwnedData;
use crate::password::Hasher;
use sqlx::PgPool;
use std::sync::Arc;

/// The identity flows' services (see the module).
#[derive(Clone)]
pub struct Identity {
    /// The database.
    pub pool: PgPool,
    /// The tables a user owns: what a merge moves and a claim counts.
    pub owned: Arc<OwnedData>,
    /// The app's side of identity's events.
    pub hooks: Arc<dyn Hooks>,
    /// Password and code hashing, a few at a time.
    pub hasher: Hasher,
    /// Settings.
    pub config: Config,
}

/// The identity flows' settings.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// How recent a sign-in here must be (minutes) to add a way in that
    /// asks for it.
    pub reauth_minutes: i64,
    /// How long a mailed link and its code work (minutes).
    pub link_minutes: i64,
    /// The address flows' rate limits.
    pub address_limits: AddressLimits,
    /// Cookies the crate sets get `Secure` (the site is served over https).
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            reauth_minutes: 10,
            link_minutes: 10,
            address_limits: AddressLimits::default(),
            secure_cookies: false,
        }
    }
}
