//! What every flow is given besides the request: the services it uses and the
//! settings they run with. One small struct, cheap to clone, built once by the
//! server and handed to server functions and routes alike.

use crate::limits::{LimitedAction, Limits, TooMany};
use crate::password::Hasher;
use crate::photos::PhotoService;
use anonymous_first::limits::Limit;
use sqlx::PgPool;
use std::sync::Arc;

/// The settings flows need, from the server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL for links in emails, e.g. `https://pawsinside.example`.
    pub public_url: String,
    /// How long a sign-in link works.
    pub link_minutes: i64,
    /// How recent a sign-in must be to delete the account or set a first password.
    pub reauth_minutes: i64,
    /// Rate limits in force.
    pub limits: Limits,
}

impl Config {
    /// The identity crate's settings of the same names (its limits come
    /// from our catalogue: `auth::identity`).
    pub fn identity(&self) -> anonymous_first::identity::Config {
        anonymous_first::identity::Config {
            reauth_minutes: self.reauth_minutes,
            link_minutes: self.link_minutes,
            secure_cookies: self.https(),
            ..Default::default()
        }
    }

    /// Whether the site is served over https (cookies get `Secure`, flow
    /// cookies the `__Host-` prefix).
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The services every flow uses, shared: a clone is one reference count.
/// Leptos provides it to every request and axum's state clones it with
/// each, so what it holds must not be copied per request (it was: the
/// identity services, the providers and the photo service cost 3 % of a
/// session check). Reads its fields through [`Services`].
#[derive(Clone)]
pub struct Context(Arc<Services>);

impl Context {
    /// Shares `services`.
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for Context {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What a [`Context`] shares.
pub struct Services {
    /// The database.
    pub pool: PgPool,
    /// Password hashing (a few at a time).
    pub hasher: Hasher,
    /// Photo decoding and files.
    pub photos: PhotoService,
    /// Settings.
    pub config: Arc<Config>,
    /// The OpenID Connect providers (none: no "Sign in with …").
    pub oidc: crate::auth::oidc::Providers,
    /// The passkey relying party (off when the site is reached by IP address).
    pub passkeys: crate::auth::passkeys::Passkeys,
    /// Whoever keeps copies of the public pages (none: nobody).
    pub public_pages: PublicPages,
    /// Makes guests (the identity crate's mint with this app's limits and
    /// funnel row): `auth::guest::minter`.
    pub minter: Arc<anonymous_first::Minter>,
    /// Guests made here, not yet in the funnel's weekly rollup.
    pub funnel: crate::auth::funnel::MadeCounts,
    /// What the identity crate's flows run with: this database, our owned
    /// tables and `hooks::PawsHooks` (photo files go with a user, verdicts
    /// catch up after a claim, the sign-in's words and funnel note); built
    /// by [`crate::auth::identity`].
    pub identity: anonymous_first::Identity,
}

/// Tells whoever keeps copies of the public pages — `/` with its filters and
/// the venue pages, as a visitor without a session sees them — that what they
/// show changed. The server wires it to its page cache, which tells the other
/// instances. Cheap to clone and to call.
#[derive(Clone, Default)]
pub struct PublicPages(Option<Arc<dyn Fn() + Send + Sync>>);

impl PublicPages {
    /// Runs `on_change` on every change.
    pub fn new(on_change: impl Fn() + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(on_change)))
    }

    /// Says a public page changed.
    pub fn changed(&self) {
        if let Some(on_change) = &self.0 {
            on_change();
        }
    }
}

impl Context {
    /// Says that what a public page shows changed: a venue, a photo taken at
    /// one, a "dogs still welcome?" answer that counts there, a moderation
    /// decision about them. Call it after the commit (a page rendered before
    /// it must not be kept), and only then: the copies of every page are
    /// dropped on every instance, so a change only its author sees (a dog, a
    /// suggestion, a guest) must not call it.
    pub fn public_changed(&self) {
        self.public_pages.changed();
    }

    /// Counts one hit of each `(action, subject)` with our maxima (the
    /// identity crate's `hit_all`): the first one over answers with how long
    /// to wait; each hit commits on its own, so a refused attempt counts even
    /// though the flow then stops; an empty subject (no client address) is
    /// not counted.
    pub(crate) async fn limit(
        &self,
        checks: &[(LimitedAction, &str)],
    ) -> anyhow::Result<Result<(), TooMany>> {
        let limits = &self.config.limits;
        let checks: Vec<(Limit, &str)> = checks
            .iter()
            .map(|(action, subject)| (Limit::new(*action, limits.max(*action)), *subject))
            .collect();
        anonymous_first::limits::hit_all(&self.pool, &checks).await
    }
}
