//! Identity: who a request is, and every way that changes.
//!
//! Everything that makes, changes or ends who a session is lives here, one
//! flow per use case: [`guest`] (a guest for a first contribution),
//! [`sign_up`], [`password`] (sign in, reset request, change), [`links`]
//! (sign in by link or by the mail's code, confirm an address, reset a
//! password), [`oidc`] ("Sign in with …"), [`passkeys`], [`add_email`],
//! [`account`] (sign out, other devices, delete, discard).
//!
//! Every way in only produces a proof and hands it to the one ending
//! ([`ending`]): one transaction that locks and re-reads this browser's
//! session, applies the one rule for which guests come along, promotes or
//! merges, ends the sessions it must, opens and records the new session
//! through [`TypedSession`], commits, and only then rotates the cookie.
//! Server functions and routes only convert input, call one flow and map its
//! error.
//!
//! The user type and the confirm page's types compile to wasm; the rest needs
//! the `ssr` feature.

mod preview;
mod user;

pub use preview::{ClaimChoice, GuestData, LinkCheck, LinkPreview};
pub use user::{Profile, User, is_admin};

#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod add_email;
#[cfg(feature = "ssr")]
mod by_address;
pub mod cookies;
#[cfg(feature = "ssr")]
pub mod ending;
#[cfg(feature = "ssr")]
mod errors;
#[cfg(feature = "ssr")]
pub mod farewell;
#[cfg(feature = "ssr")]
pub mod funnel;
#[cfg(feature = "ssr")]
pub mod guest;
#[cfg(feature = "ssr")]
pub mod links;
#[cfg(feature = "ssr")]
pub mod merge;
#[cfg(feature = "ssr")]
pub mod oidc;
#[cfg(feature = "ssr")]
pub mod passkeys;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod reauth;
#[cfg(feature = "ssr")]
pub mod sign_up;
#[cfg(feature = "ssr")]
pub use anonymous_first::tokens;
#[cfg(feature = "ssr")]
mod ways_in;

/// The request as identity flows see it (the crate's, with Paws Inside's [`Profile`]).
#[cfg(feature = "ssr")]
pub type Caller = anonymous_first::Caller<Profile>;
#[cfg(feature = "ssr")]
pub use ending::Ended;
#[cfg(feature = "ssr")]
pub use errors::{
    AccountError, LinkError, MintError, OidcError, PasskeyError, RequestError, SignInError, SignUpError,
};
/// The crate's typed session, with Paws Inside's [`Profile`].
#[cfg(feature = "ssr")]
pub type TypedSession = anonymous_first::TypedSession<Profile>;
/// A session row an identity flow opened, to adopt after its commit.
#[cfg(feature = "ssr")]
pub type Rotation = anonymous_first::sessions::Rotation<Profile>;
/// The crate's session store, loading Paws Inside's [`Profile`].
#[cfg(feature = "ssr")]
pub type PgSessionStore = anonymous_first::PgSessionStore<Profile>;
