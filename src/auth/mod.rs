//! Identity: who a request is, and every way that changes.
//!
//! Everything that makes, changes or ends who a session is lives here, one
//! flow per use case, each in one database transaction: [`guest`] (a guest
//! for a first contribution), [`sign_up`], [`password`] (sign in, reset
//! request, change), [`links`] (sign in by link, confirm an address, reset a
//! password, sign in by the mail's code — one claim transaction behind them all), [`oidc`] ("Sign in with …"), [`passkeys`], [`account`] (sign out, other devices, delete, discard). Every
//! flow that changes who a session is opens the new session through
//! [`TypedSession`] inside its transaction — the new id and the record of
//! whose it is are one write — and adopts it after the commit. Server
//! functions and routes only convert input, call one flow and map its error.
//!
//! The user type and the confirm page's types compile to wasm; the rest needs
//! the `ssr` feature.

mod preview;
mod user;

pub use preview::{ClaimChoice, GuestData, LinkCheck, LinkPreview};
pub use user::User;

/// The cookie holding the key of the browser that asked for a sign-in mail:
/// the mail's code works only where it is.
pub const CODE_COOKIE: &str = "paws_sign_in";

#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod add_email;
#[cfg(feature = "ssr")]
mod claim;
#[cfg(feature = "ssr")]
mod context;
#[cfg(feature = "ssr")]
mod errors;
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
mod session;
#[cfg(feature = "ssr")]
pub mod sign_up;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
mod ways_in;

#[cfg(feature = "ssr")]
pub use context::Caller;
#[cfg(feature = "ssr")]
pub use errors::{
    AccountError, LinkError, MintError, OidcError, PasskeyError, RequestError, SignInError, SignUpError,
};
#[cfg(feature = "ssr")]
pub use session::{Rotation, TypedSession};
#[cfg(feature = "ssr")]
pub use store::PgSessionStore;
