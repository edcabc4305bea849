//! Anonymous-first accounts for axum + sqlx apps.
//!
//! A visitor who contributes before signing up gets a real user row, flagged
//! anonymous, that every foreign key points at like any other user. When they
//! later claim the account — by any way in — everything the guest made comes
//! along: promoted in place, or moved in the sign-in's own transaction.
//!
//! It was carved out of its first user's identity core, one seam at a time
//! (see the README for the seams and the guarantees). What is here:
//!
//! - [`EmailAddress`]: an address validated once at the edge, and
//!   [`redirect::safe_next`]: where to go after signing in, only ever a path
//!   of the site.
//! - [`owned`]: the app declares the tables a user owns, once; counts, the
//!   merge, the reaper's test and what outlives a deleted account derive from
//!   that list.
//! - [`hooks`]: the erase hook — what the app removes outside the database
//!   (files, shared page copies) once a user's deletion has committed — and
//!   the claim hook, after a sign-in brought guests' things along.
//! - [`password`]: the password policy and argon2id hashing off the runtime,
//!   a few at a time, and the way in by password (signing in, changing one).
//! - [`client_ip`]: the client address behind trusted proxies only.
//! - [`tokens`]: one-time email tokens (links and codes), only their hashes
//!   stored, single-use under any concurrency, retired only by the same asker.
//! - [`mail`]: delivery of a message in text and HTML, over SMTP or to a
//!   folder in development; [`outbox`]: mail queued in the flow's own
//!   transaction and sent by a worker on any instance, exactly one sender per
//!   row, the link's secret made as it is sent, the words the app's.
//! - [`limits`]: rate limits counted in Postgres across instances, for the
//!   app's catalogue of limited actions.
//! - [`counters`]: what the crate counts, through the `metrics` facade (the
//!   app picks the recorder).
//! - [`guests`]: a guest for a browser's first contribution — the user row,
//!   its mint key, the rate limits and the session in one statement.
//! - [`User`] and the [`Profile`] seam: who a request is, with the app's own
//!   fields of a member; [`sessions`]: the Postgres store behind
//!   tower-sessions that reads both in one statement, and the farewells a
//!   browser finds when another device ended its session.
//!
//! - [`ending`]: the one ending every way in calls — one transaction that
//!   uses the proof up, locks and re-reads this browser's session, applies
//!   the one rule for which guests come along ([`ending::policy`]), promotes
//!   or [`merge`]s, opens and records the new session, commits, and only
//!   then rotates the cookie; [`Identity`] is what it runs with.
//! - [`migrations`]: the crate's tables, run with the app's own migrations
//!   as one migrator.
//! - `web` (feature `axum`): the session layer, [`Caller`] as an extractor,
//!   and the address way in as routes to mount.
//! - [`account`]: the signed-in browsers and signing them out, deleting an
//!   account, discarding a guest.
//! - [`admin`]: an admin (the app says who) finds users, suspends one — its
//!   sessions end at once and every way in refuses — lifts it, and reads
//!   the audit of what admins did.
//! - `oidc` (feature `oidc`): "Sign in with …" any OpenID Connect provider
//!   (PKCE, `state`, `nonce`, the answer only in the browser that left),
//!   linking a provider to an account, unlinking one.
//! - `passkeys` (feature `passkeys`): the way in by passkey — signing in,
//!   adding one (a guest keeps what it made with one), the list, removing
//!   one while [`ways_in`] says another remains.
//! - [`reaper`]: idle guests that own nothing, expired sessions, dead
//!   tokens, old limits, mail and sign-ins, deleted in small batches.
//! - [`address`]: the way in by a proven address — ask for a mail, sign in
//!   with its link or with its code typed in the browser that asked — and
//!   the account mails: a sign-up and its confirmation, a forgotten
//!   password, an address for a member without one, and what a link's page
//!   shows before anything is used.
//!
//! Without the default `server` feature the crate is only its validated
//! types ([`claim`], [`email`], [`redirect`], [`text`], [`user`]), which a browser build (wasm)
//! shares with the server.
#![deny(missing_docs)]

pub mod claim;
pub mod email;
pub mod redirect;
pub mod text;
pub mod user;

#[cfg(feature = "server")]
pub mod account;
#[cfg(feature = "server")]
pub mod address;
#[cfg(feature = "server")]
pub mod admin;
#[cfg(feature = "server")]
pub mod client_ip;
#[cfg(feature = "server")]
pub mod counters;
#[cfg(feature = "server")]
pub mod ending;
#[cfg(feature = "server")]
pub mod guests;
#[cfg(feature = "server")]
pub mod hooks;
#[cfg(feature = "server")]
pub mod identity;
#[cfg(feature = "server")]
pub mod limits;
#[cfg(feature = "server")]
pub mod mail;
#[cfg(feature = "server")]
pub mod merge;
#[cfg(feature = "server")]
pub mod migrations;
#[cfg(feature = "oidc")]
pub mod oidc;
#[cfg(feature = "server")]
pub mod outbox;
#[cfg(feature = "server")]
pub mod owned;
#[cfg(feature = "passkeys")]
pub mod passkeys;
#[cfg(feature = "server")]
pub mod password;
#[cfg(feature = "server")]
pub mod reaper;
#[cfg(feature = "server")]
pub mod sessions;
#[cfg(feature = "server")]
pub mod signed_in;
#[cfg(feature = "server")]
pub mod tokens;
#[cfg(feature = "server")]
pub mod two_factor;
#[cfg(feature = "server")]
pub mod ways_in;
#[cfg(feature = "axum")]
pub mod web;

pub use claim::ClaimChoice;
pub use email::EmailAddress;
#[cfg(feature = "server")]
pub use ending::{Ended, Method, Way};
#[cfg(feature = "server")]
pub use guests::{Caller, Minter};
#[cfg(feature = "server")]
pub use hooks::{AfterCommit, Claimed, Hooks, NoHooks};
#[cfg(feature = "server")]
pub use identity::Identity;
#[cfg(feature = "server")]
pub use owned::{Counts, OwnedData, OwnedTable};
#[cfg(feature = "server")]
pub use sessions::{PgSessionStore, ProfileRow, TypedSession};
pub use user::{NoProfile, Profile, User};
