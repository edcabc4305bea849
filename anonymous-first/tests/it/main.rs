//! The crate's integration tests against a real Postgres, without any app:
//! each test makes a database of its own ([`common::Db`]). One binary, not
//! one per file, so the crate's tests link once.

mod account;
mod common;
mod ending;
mod guests;
mod outbox;
mod owned;
mod password;
mod reaper;
mod sessions;
mod tokens;
