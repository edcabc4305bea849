//! Identity: who a request is, and every way that changes.
//!
//! Everything that makes, changes or ends who a session is lives here, one
//! flow per use case: [`guest`] (a guest for a first contribution),
//! [`sign_up`], [`password`] (sign in, reset request, change), [`links`]
//! (sign in by link or by the mail's code, confirm an address, reset a
//! password), [`oidc`] ("Sign in with …"), [`passkeys`], [`add_email`],
//! [`two_step`] (the authenticator's code after a sign-in),
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
pub mod change_email;
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
pub mod two_step;

/// The request as identity flows see it (the crate's, with Paws Inside's [`Profile`]).
#[cfg(feature = "ssr")]
pub type Caller = anonymous_first::Caller<Profile>;
#[cfg(feature = "ssr")]
pub use ending::Ended;
#[cfg(feature = "ssr")]
pub use errors::{
    AccountError, LinkError, MintError, OidcError, PasskeyError, RequestError, SignInError, SignUpError,
    TwoStepError,
};
/// The identity crate's services for this app: `pool`, our owned tables,
/// `hooks` (`crate::hooks::PawsHooks`), `hasher`, and `config`'s minutes
/// with the address flows' limits from our catalogue (`limits`).
#[cfg(feature = "ssr")]
pub fn identity(
    pool: sqlx::PgPool,
    hooks: std::sync::Arc<dyn anonymous_first::Hooks>,
    hasher: crate::password::Hasher,
    limits: &crate::limits::Limits,
    config: anonymous_first::identity::Config,
) -> anonymous_first::Identity {
    use crate::limits::LimitedAction as A;
    let limit = |action: A| anonymous_first::limits::Limit::new(action, limits.max(action));
    anonymous_first::Identity {
        pool,
        owned: std::sync::Arc::new(crate::db::ownership::owned().clone()),
        hooks,
        hasher,
        config: anonymous_first::identity::Config {
            address_limits: anonymous_first::limits::AddressLimits {
                link_per_client: limit(A::LinkPerClient),
                link_per_email: limit(A::LinkPerEmail),
                mail_per_address: limit(A::MailPerAddress),
                code_per_client: limit(A::CodePerClient),
                code_per_email: limit(A::CodePerEmail),
                code_per_email_daily: limit(A::CodePerEmailDaily),
                password_per_client: limit(A::PasswordPerClient),
                password_per_account: limit(A::PasswordPerAccount),
                account_mail_per_client: limit(A::AccountMailPerClient),
                account_mail_per_email: limit(A::AccountMailPerEmail),
                second_factor_per_account: limit(A::SecondFactor),
                second_factor_per_account_daily: limit(A::SecondFactorDaily),
            },
            ..config
        },
    }
}

/// The crate's typed session, with Paws Inside's [`Profile`].
#[cfg(feature = "ssr")]
pub type TypedSession = anonymous_first::TypedSession<Profile>;
/// The crate's session store, loading Paws Inside's [`Profile`].
#[cfg(feature = "ssr")]
pub type PgSessionStore = anonymous_first::PgSessionStore<Profile>;
