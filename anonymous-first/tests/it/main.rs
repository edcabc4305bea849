//! The crate's integration tests against a real Postgres, without any app:
//! each test makes a database of its own ([`common::Db`]). One binary, not
//! one per file, so the crate's tests link once.

mod account;
mod account_mail;
mod admin;
mod change;
mod common;
mod ending;
mod guests;
#[cfg(feature = "oidc")]
mod oidc;
#[cfg(feature = "oidc")]
mod oidc_provider;
mod outbox;
mod owned;
#[cfg(feature = "passkeys")]
mod passkeys;
mod password;
mod reaper;
mod sessions;
#[cfg(feature = "passkeys")]
mod soft_passkey;
mod tokens;
mod two_factor;
