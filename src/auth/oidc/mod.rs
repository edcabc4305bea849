//! "Sign in with …": the identity crate's OpenID Connect way in
//! ([`anonymous_first::oidc`]: PKCE, `state` and `nonce`, the answer only in
//! the browser that left, an existing address joined only when the provider
//! verified it and the person confirmed on our page), with our callback
//! path, our catalogue's limit, the account page's dates and our words for
//! each refusal.

pub mod finish;
pub mod identities;
pub mod start;

use crate::auth::errors::OidcError;
use crate::limits::{LimitedAction, Limits};
use anonymous_first::oidc::OidcError as Refused;

pub use anonymous_first::oidc::{Button, Finished, Http, ProviderConfig, Providers};

/// How long a browser may stay at the provider (and on the confirm page).
pub const FLOW_MINUTES: i64 = anonymous_first::oidc::FLOW_MINUTES;

/// Where a provider sends the browser back (`{id}`: the provider's id).
pub const CALLBACK: &str = "/auth/oidc/{id}/callback";

/// The providers the settings name, answering at [`CALLBACK`] on `public_url`.
pub fn providers(configs: Vec<ProviderConfig>, public_url: &str) -> anyhow::Result<Providers> {
    Providers::new(configs, public_url, CALLBACK)
}

/// Starts per client, from our catalogue (for [`Providers::limited`]).
pub fn limit(limits: &Limits) -> anonymous_first::limits::Limit {
    let action = LimitedAction::OpenIdPerClient;
    anonymous_first::limits::Limit::new(action, limits.max(action))
}

/// The crate's refusals in our words (the variants match).
impl From<Refused> for OidcError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::UnknownProvider => Self::UnknownProvider,
            Refused::Stale => Self::Stale,
            Refused::Denied => Self::Denied,
            Refused::ProviderRefused => Self::ProviderRefused,
            Refused::Unverifiable => Self::Unverifiable,
            Refused::ProviderDown(err) => Self::ProviderDown(err),
            Refused::Taken => Self::Taken,
            Refused::LastWayIn => Self::LastWayIn,
            Refused::NotLinked => Self::NotLinked,
            Refused::SignedOut => Self::SignedOut,
            Refused::NeedsRecentSignIn(minutes) => Self::NeedsRecentSignIn(minutes),
            Refused::MustConfirm => Self::MustConfirm,
            Refused::Banned(until) => Self::Banned(until),
            Refused::Acting => Self::Acting,
            Refused::SecondFactor(key) => Self::SecondFactor(key),
            Refused::LeftBehind => Self::LeftBehind,
            Refused::Changed => Self::Changed,
            Refused::TooMany(over) => Self::TooMany(over),
            Refused::Unexpected(err) => Self::Unexpected(err),
        }
    }
}
