//! Passkeys (WebAuthn, with `webauthn-rs`; feature `passkeys`): a member adds
//! and removes them and signs in with one (discoverable credentials: nothing
//! typed first, autofill where the browser offers it); a guest keeps what it
//! made with one, becoming a member in place without giving an address.
//! Each ceremony's challenge lives in `passkey_ceremonies`, used once and
//! only in the browser that started it (the SHA-256 of a key the app keeps
//! in an HttpOnly cookie, [`Started::browser_key`]); counters and user
//! verification are checked as the specification says. Finishing is a way
//! into the one ending.

mod manage;
mod register;
mod sign_in;

pub use manage::{Listed, list, remove};
pub use register::{NAME_MAX, finish as finish_adding, start as start_adding};
pub use sign_in::{finish as finish_sign_in, start as start_sign_in};

use crate::limits::{Limit, PasskeyAction, TooMany};
use crate::tokens;
use anyhow::Context as _;
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;
use webauthn_rs::prelude::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// How long a passkey prompt may stay open.
const CEREMONY_MINUTES: i32 = 5;

/// Why a passkey flow did nothing. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The site is reached by an IP address: browsers refuse passkeys there.
    #[error("Passkeys need the site to be opened by its domain name, not an IP address.")]
    Unavailable,
    /// No such ceremony, used already, timed out, or another browser's.
    #[error("That passkey prompt expired or was already used. Please try again.")]
    Expired,
    /// The browser's answer is not a WebAuthn credential.
    #[error("The browser's passkey answer could not be read. Please try again.")]
    Malformed,
    /// The credential is not one of ours (removed, or another site's).
    #[error("This passkey is not registered here (it may have been removed). Please sign in another way.")]
    UnknownCredential,
    /// The signature, challenge, origin or user verification did not check out.
    #[error("The passkey's answer could not be verified. Nothing was changed.")]
    Rejected,
    /// The counter went backwards: the key may have been copied.
    #[error("This passkey may have been copied (its counter went backwards), so it was refused.")]
    Cloned,
    /// This authenticator is registered already.
    #[error("This passkey is already registered.")]
    Duplicate,
    /// Nobody (or someone else) is signed in here.
    #[error("Please sign in (or add something as a guest) first.")]
    SignedOut,
    /// A member's sign-in here is older than these minutes to add a way in.
    #[error("For your safety, sign in again (within the last {0} minutes) to add a passkey.")]
    NeedsRecentSignIn(i64),
    /// The name is longer than [`NAME_MAX`] characters or holds hidden ones.
    #[error("A passkey's name is at most 60 characters, with nothing hidden in it.")]
    BadName,
    /// Removing it would leave the account no way in.
    #[error("This is your only way in.")]
    LastWayIn,
    /// Not one of this account's passkeys.
    #[error("That passkey is not on your account.")]
    NotFound,
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
    /// Tried too often.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("Something went wrong on our side.")]
    Unexpected(#[from] anyhow::Error),
}

impl From<crate::ending::Refusal> for PasskeyError {
    fn from(refusal: crate::ending::Refusal) -> Self {
        use crate::ending::Refusal;
        match refusal {
            Refusal::NotRecent(minutes) => Self::NeedsRecentSignIn(minutes),
            // A passkey is two factors: the ending never asks it for a code.
            Refusal::Changed | Refusal::LeftBehind | Refusal::SecondFactor(_) => Self::Changed,
            Refusal::Banned(until) => Self::Banned(until),
            Refusal::Acting => Self::Acting,
        }
    }
}

/// The relying party: the site's domain and origin, or nothing when it is
/// reached by an IP address. Built once; cheap to clone.
#[derive(Clone)]
pub struct Passkeys {
    webauthn: Option<Arc<Webauthn>>,
    /// What an authenticator shows for an account without a name or address.
    member_label: String,
    /// Prompts started per client.
    per_client: Limit,
}

/// What the browser needs to run a ceremony.
#[derive(Debug)]
pub struct Started {
    /// The ceremony's id, sent back with the answer.
    pub ceremony: Uuid,
    /// The options for `navigator.credentials`, as WebAuthn's JSON.
    pub options: serde_json::Value,
    /// The key for the app's HttpOnly ceremony cookie (the one the browser
    /// sent, or a new one): only that browser can answer.
    pub browser_key: String,
}

impl Passkeys {
    /// The relying party for `public_url` (its host is the RP ID), named
    /// `site` on authenticators; off for an IP address. Prompts are limited
    /// by the crate's default ([`PasskeyAction::PerClient`], 60 per 15
    /// minutes) unless [`Passkeys::limited`] says otherwise.
    pub fn new(public_url: &str, site: &str) -> anyhow::Result<Self> {
        let origin = Url::parse(public_url).context("the public URL is not a URL")?;
        let host = origin.host_str().unwrap_or_default().to_owned();
        let member_label = format!("{site} member");
        let per_client = Limit::new(PasskeyAction::PerClient, 60);
        if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
            tracing::info!(%host, "passkeys are off: they need a domain name (e.g. localhost), not an IP address");
            return Ok(Self {
                webauthn: None,
                member_label,
                per_client,
            });
        }
        let webauthn = WebauthnBuilder::new(&host, &origin)
            .context("invalid passkey relying party")?
            .rp_name(site)
            .build()
            .context("invalid passkey relying party")?;
        Ok(Self {
            webauthn: Some(Arc::new(webauthn)),
            member_label,
            per_client,
        })
    }

    /// The same, with prompts limited per client by `per_client` (an app's
    /// own catalogue).
    pub fn limited(self, per_client: Limit) -> Self {
        Self { per_client, ..self }
    }

    /// Whether passkeys can be used on this site.
    pub fn enabled(&self) -> bool {
        self.webauthn.is_some()
    }

    fn get(&self) -> Result<&Webauthn, PasskeyError> {
        self.webauthn.as_deref().ok_or(PasskeyError::Unavailable)
    }

    /// Counts a prompt for `client`.
    async fn hit(&self, pool: &PgPool, client: &str) -> Result<(), PasskeyError> {
        self.per_client
            .hit(pool, client)
            .await?
            .map_err(PasskeyError::TooMany)
    }
}

/// The browser's key for ceremonies: the one it holds, or a new one (so two
/// prompts open at once in one browser both stay answerable).
fn browser_key(held: Option<&str>) -> anyhow::Result<(String, Vec<u8>)> {
    let key = match held.filter(|k| tokens::hash(k).is_some()) {
        Some(key) => key.to_owned(),
        None => tokens::generate()?,
    };
    let hash = tokens::hash(&key).context("generated key is malformed")?;
    Ok((key, hash))
}

/// Keeps a ceremony's state (the challenge) for its answer from the browser
/// holding `held` (or a new key); returns its id and that key.
async fn keep(
    pool: &PgPool,
    kind: &str,
    user: Option<Uuid>,
    name: Option<&str>,
    state: serde_json::Value,
    held: Option<&str>,
) -> anyhow::Result<(Uuid, String)> {
    let id = Uuid::new_v4();
    let (key, hash) = browser_key(held)?;
    sqlx::query(
        "INSERT INTO passkey_ceremonies (id, kind, user_id, name, state, expires_at, browser_hash)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6), $7)",
    )
    .bind(id)
    .bind(kind)
    .bind(user)
    .bind(name)
    .bind(state)
    .bind(CEREMONY_MINUTES)
    .bind(hash)
    .execute(pool)
    .await
    .context("failed to keep the passkey ceremony")?;
    Ok((id, key))
}

/// A ceremony's state, used up, if it was started in the browser holding
/// `held`: `(user, name, state)`. Any other browser finds nothing (and
/// leaves it for its own).
async fn take(
    pool: &PgPool,
    id: &str,
    kind: &str,
    held: Option<&str>,
) -> Result<(Option<Uuid>, Option<String>, serde_json::Value), PasskeyError> {
    let id = Uuid::parse_str(id).map_err(|_| PasskeyError::Expired)?;
    let browser = held.and_then(tokens::hash).ok_or(PasskeyError::Expired)?;
    let row: Option<(Option<Uuid>, Option<String>, serde_json::Value)> = sqlx::query_as(
        "DELETE FROM passkey_ceremonies
         WHERE id = $1 AND kind = $2 AND expires_at > now() AND browser_hash = $3
         RETURNING user_id, name, state",
    )
    .bind(id)
    .bind(kind)
    .bind(browser)
    .fetch_optional(pool)
    .await
    .context("failed to look up the passkey ceremony")?;
    row.ok_or(PasskeyError::Expired)
}
