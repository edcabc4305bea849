//! "Sign in with …" (feature `oidc`): OpenID Connect's authorization-code
//! flow with PKCE, `state` and `nonce`, for any standards-compliant provider
//! the app configures. [`start`] sends the browser to the provider,
//! [`finish`] checks its answer and signs in through the one ending
//! (promote the browser's guest when the identity is new, merge it when
//! not), [`confirm`] takes the person's choice when a new identity's
//! verified address already has an account, and [`list`] and [`unlink`]
//! manage an account's identities.
//!
//! An identity joins an existing account only when the provider says the
//! address is verified (and the app trusts it to), **and** the person
//! confirms on the app's page; otherwise it is an account of its own.

mod finish;
mod http;
mod identities;
mod sign_in;
mod start;

pub use finish::{Callback, confirm, finish, pending};
pub use http::{Http, HttpError};
pub use identities::{Linked, list, unlink};
pub use start::{Intent, Started, start};

use crate::limits::{Limit, OidcAction, TooMany};
use anyhow::Context as _;
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

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
#[derive(Clone)]
pub struct Providers {
    list: Arc<Vec<Provider>>,
    http: Http,
    public_url: String,
    /// The app's callback path, `{id}` standing for the provider's id.
    callback: String,
    /// Sign-ins started per client.
    per_client: Limit,
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
    /// The providers; the provider sends browsers back to `public_url` +
    /// `callback` (a path with `{id}` for the provider's id, e.g.
    /// `/auth/oidc/{id}/callback`), where the app calls [`finish`]. Starts
    /// are limited by the crate's default ([`OidcAction::PerClient`], 30 per
    /// 15 minutes) unless [`Providers::limited`] says otherwise.
    pub fn new(configs: Vec<ProviderConfig>, public_url: &str, callback: &str) -> anyhow::Result<Self> {
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
            callback: callback.to_owned(),
            per_client: Limit::new(OidcAction::PerClient, 30),
        })
    }

    /// The same, with starts limited per client by `per_client` (an app's
    /// own catalogue).
    pub fn limited(self, per_client: Limit) -> Self {
        Self { per_client, ..self }
    }

    /// Whether any provider is configured.
    pub fn any(&self) -> bool {
        !self.list.is_empty()
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
    fn trusts_email(&self, id: &str) -> bool {
        self.find(id).is_some_and(|p| p.config.trust_email)
    }

    /// The issuer URL of provider `id`.
    fn issuer(&self, id: &str) -> Option<&str> {
        self.find(id).map(|p| p.config.issuer.as_str())
    }

    fn find(&self, id: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.config.id == id)
    }

    /// Where the provider sends the browser back for `id`.
    pub fn redirect_url(&self, id: &str) -> String {
        format!("{}{}", self.public_url, self.callback.replace("{id}", id))
    }

    /// [`Self::client`] as the flows' error: unknown, or unreachable.
    async fn require(&self, id: &str, fresh: bool) -> Result<Client, OidcError> {
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

/// Why a provider sign-in did nothing. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// No provider by that id is configured.
    #[error("That sign-in provider is not available here.")]
    UnknownProvider,
    /// The attempt is unknown, used, expired, or another browser's.
    #[error("This sign-in attempt is no longer valid. Please start again.")]
    Stale,
    /// The person cancelled at the provider.
    #[error("Sign-in was cancelled at the provider. Nothing was changed.")]
    Denied,
    /// The provider answered with an error of its own.
    #[error("The provider could not sign you in. Nothing was changed; please try again.")]
    ProviderRefused,
    /// The code or ID token did not check out (a wrong nonce or issuer, a bad
    /// signature, a replayed code).
    #[error("The provider's answer could not be verified. Nothing was changed; please start again.")]
    Unverifiable,
    /// The provider could not be reached.
    #[error("We could not reach the provider. Please try again in a moment.")]
    ProviderDown(anyhow::Error),
    /// That provider account already signs in to another account here.
    #[error("That provider account already signs in to another account here.")]
    Taken,
    /// Unlinking would leave the account no way in.
    #[error("This is your only way in.")]
    LastWayIn,
    /// Not linked to this account.
    #[error("That provider is not linked to your account.")]
    NotLinked,
    /// Linking needs the member who started it to still be signed in here.
    #[error("Please sign in to your account first.")]
    SignedOut,
    /// A member's sign-in here is older than these minutes to add a way in.
    #[error("For your safety, sign in again (within the last {0} minutes) to link a provider.")]
    NeedsRecentSignIn(i64),
    /// A new identity whose verified address has an account here: the
    /// person confirms on the app's page first ([`Finished::Confirm`]).
    #[error("Please confirm how to use this sign-in.")]
    MustConfirm,
    /// This browser came back holding another guest than the one that left.
    #[error("This browser holds things added as a guest since you left to sign in. Nothing was changed.")]
    LeftBehind,
    /// This browser's session changed while the request was under way.
    #[error("Your sign-in changed while this was under way. Nothing was changed; please try again.")]
    Changed,
    /// An admin suspended the account, until these Unix seconds (`None`:
    /// until lifted).
    #[error("{}", crate::admin::suspended(*.0))]
    Banned(Option<i64>),
    /// An admin acting as this member cannot add a way in to it.
    #[error("While you act as someone, their ways in stay as they are.")]
    Acting,
    /// The account asks for its second step: the provider's answer is used
    /// and the sign-in waits under this key ([`crate::two_factor::finish`]).
    #[error("Type the code from your authenticator app to finish signing in.")]
    SecondFactor(uuid::Uuid),
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

impl From<crate::ending::Refusal> for OidcError {
    fn from(refusal: crate::ending::Refusal) -> Self {
        use crate::ending::Refusal;
        match refusal {
            Refusal::Changed => Self::Changed,
            Refusal::LeftBehind => Self::LeftBehind,
            Refusal::NotRecent(minutes) => Self::NeedsRecentSignIn(minutes),
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::Acting => Self::Acting,
            Refusal::SecondFactor(key) => Self::SecondFactor(key),
        }
    }
}
