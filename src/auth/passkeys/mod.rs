//! Passkeys: the identity crate's way in ([`anonymous_first::passkeys`]:
//! signing in, adding one — a guest keeps its dogs with one, becoming a
//! member in place without an address —, the list, removing one), with our
//! site's name, our catalogue's limit, names read as every typed field is,
//! the account page's paths and our words for each refusal.

pub mod manage;
pub mod register;
pub mod sign_in;

use crate::auth::errors::PasskeyError;
use crate::limits::{LimitedAction, Limits};
use anonymous_first::passkeys::PasskeyError as Refused;

pub use anonymous_first::passkeys::{Passkeys, Started};

/// The relying party for `public_url` (off on an IP address), named
/// "Paws Inside" on authenticators.
pub fn relying_party(public_url: &str) -> anyhow::Result<Passkeys> {
    Passkeys::new(public_url, "Paws Inside")
}

/// Prompts per client, from our catalogue (for [`Passkeys::limited`]).
pub fn limit(limits: &Limits) -> anonymous_first::limits::Limit {
    let action = LimitedAction::PasskeyPerClient;
    anonymous_first::limits::Limit::new(action, limits.max(action))
}

/// The crate's refusals in our words (the variants match).
impl From<Refused> for PasskeyError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Unavailable => Self::Unavailable,
            Refused::Expired => Self::Expired,
            Refused::Malformed => Self::Malformed,
            Refused::UnknownCredential => Self::UnknownCredential,
            Refused::Rejected => Self::Rejected,
            Refused::Cloned => Self::Cloned,
            Refused::Duplicate => Self::Duplicate,
            Refused::SignedOut => Self::SignedOut,
            Refused::NeedsRecentSignIn(minutes) => Self::NeedsRecentSignIn(minutes),
            Refused::BadName => Self::BadName(refused.to_string()),
            Refused::LastWayIn => Self::LastWayIn,
            Refused::NotFound => Self::NotFound,
            Refused::Changed => Self::Changed,
            Refused::Banned(until) => Self::Banned(until),
            Refused::Acting => Self::Acting,
            Refused::TooMany(over) => Self::TooMany(over),
            Refused::Unexpected(err) => Self::Unexpected(err),
        }
    }
}
