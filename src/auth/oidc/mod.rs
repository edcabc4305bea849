//! "Sign in with …": OpenID Connect's authorization-code flow with PKCE,
//! `state` and `nonce`, for any standards-compliant provider the settings
//! name. [`start`] sends the browser to the provider, [`finish`] checks its
//! answer and signs in through the same claim rules as every other way in
//! (promote the browser's guest when the identity is new, merge it when not),
//! [`identities`] lists and unlinks them on the account page.
//!
//! An identity joins an existing account only when the provider says the
//! address is verified **and** the person confirms on our page
//! ([`finish::confirm`]); otherwise it is an account of its own.

pub mod finish;
mod http;
pub mod identities;
mod sign_in;
pub mod start;

use anyhow::Context as _;
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

pub use http::Http;

/// How long a browser may stay at the provider (and on the confirm page).
pub const FLOW_MINUTES: i64 = 10;

/// Discovery documents and keys are fetched again after this long (providers
/// rotate keys; a signature that fails also forces a fetch).
const METADATA_TTL: Duration = Duration::from_secs(600);

/// One configured provider, as the settings give it.
#[derive(Clone)]
pub struct ProviderConfig {
    /// Short name in URLs and the identities table (`[a-z0-9_-]{1,32}`).
    pub id: String,
    /// The button's text: "Sign in with {label}".
    pub label: String,
    /// The issuer URL; `/.well-known/openid-configuration` is below it.
    pub issuer: String,
    /// The client id the provider gave us.
    pub client_id: String,
    /// The client secret (never logged).
    pub client_secret: String,
    /// Whether its `email_verified` is believed (off for providers where people
    /// can claim any address, e.g. some multi-tenant ones): only a believed
    /// address is put on an account or offered for linking.
    pub trust_email: bool,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("id", &self.id)
            .field("label", &self.label)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("trust_email", &self.trust_email)
            .finish_non_exhaustive()
    }
}

/// The client type discovery gives (authorization endpoint known, token and
/// userinfo endpoints as the provider says).
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Provider {
    config: ProviderConfig,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

/// The configured providers (none: no buttons), their discovery cache and
/// the HTTP client they are reached with. Cheap to clone.
#[derive(Clone, Default)]
pub struct Providers {
    list: Arc<Vec<Provider>>,
    http: Http,
    public_url: String,
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum Finished {
    /// Signed in (the session rotated); go to `next`.
    SignedIn {
        /// Where to go (a same-site path).
        next: String,
    },
    /// A member added this provider; back to the account page.
    Linked,
    /// The address belongs to an account here: the person must confirm.
    Confirm,
}

/// A provider as pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    /// Its id (URL part).
    pub id: String,
    /// Its label.
    pub label: String,
}

impl Providers {
    /// The providers; `public_url` is where the provider sends browsers back.
    pub fn new(configs: Vec<ProviderConfig>, public_url: &str) -> anyhow::Result<Self> {
        let list = configs
            .into_iter()
            .map(|config| Provider {
                config,
                metadata: RwLock::new(None),
            })
            .collect();
        Ok(Self {
            list: Arc::new(list),
            http: Http::new()?,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The buttons, in the settings' order.
    pub fn buttons(&self) -> Vec<Button> {
        self.list
            .iter()
            .map(|p| Button {
                id: p.config.id.clone(),
                label: p.config.label.clone(),
            })
            .collect()
    }

    /// The label of a provider id (an unlinked one shows its id).
    pub fn label(&self, id: &str) -> String {
        self.find(id)
            .map_or_else(|| id.to_owned(), |p| p.config.label.clone())
    }

    /// Whether provider `id`'s verified addresses are believed.
    pub(super) fn trusts_email(&self, id: &str) -> bool {
        self.find(id).is_some_and(|p| p.config.trust_email)
    }

    /// The issuer URL of provider `id`.
    pub(super) fn issuer(&self, id: &str) -> Option<&str> {
        self.find(id).map(|p| p.config.issuer.as_str())
    }

    fn find(&self, id: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.config.id == id)
    }

    /// Where the provider sends the browser back for `id`.
    pub fn redirect_url(&self, id: &str) -> String {
        format!("{}/auth/oidc/{id}/callback", self.public_url)
    }

    /// [`Self::client`] as the flows' error: unknown, or unreachable.
    async fn require(&self, id: &str, fresh: bool) -> Result<Client, crate::auth::errors::OidcError> {
        use crate::auth::errors::OidcError;
        self.client(id, fresh)
            .await
            .map_err(OidcError::ProviderDown)?
            .ok_or(OidcError::UnknownProvider)
    }

    /// A client for `id` from its (cached, or freshly fetched) discovery
    /// document. `fresh`: fetch even if cached (keys may have rotated).
    async fn client(&self, id: &str, fresh: bool) -> anyhow::Result<Option<Client>> {
        let Some(provider) = self.find(id) else {
            return Ok(None);
        };
        let cached = provider.metadata.read().await.clone();
        let metadata = match cached {
            Some((at, metadata)) if !fresh && at.elapsed() < METADATA_TTL => metadata,
            _ => {
                let issuer = IssuerUrl::new(provider.config.issuer.clone()).context("invalid issuer URL")?;
                let fetch = self.http.client();
                let metadata = CoreProviderMetadata::discover_async(issuer, &fetch)
                    .await
                    .with_context(|| format!("discovery of {} failed", provider.config.issuer))?;
                *provider.metadata.write().await = Some((Instant::now(), metadata.clone()));
                metadata
            }
        };
        let redirect = RedirectUrl::new(self.redirect_url(id)).context("invalid redirect URL")?;
        Ok(Some(
            CoreClient::from_provider_metadata(
                metadata,
                ClientId::new(provider.config.client_id.clone()),
                Some(ClientSecret::new(provider.config.client_secret.clone())),
            )
            .set_redirect_uri(redirect),
        ))
    }
}
