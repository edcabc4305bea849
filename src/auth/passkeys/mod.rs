//! Passkeys (WebAuthn, with `webauthn-rs`): members add and remove them on the
//! account page and sign in with one (discoverable credentials, autofill
//! where the browser offers it); a guest can keep its dogs with a passkey,
//! becoming a member in place without giving an address. Each ceremony's
//! challenge lives server-side in `passkey_ceremonies`, used once and only in
//! the browser that started it (the hash of an HttpOnly cookie's key, as a
//! provider's attempt is); counters and user verification are checked as the
//! specification says. Finishing is a way into the one ending.

pub mod manage;
pub mod register;
pub mod sign_in;

use crate::auth::errors::PasskeyError;
use anyhow::Context as _;
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;
use webauthn_rs::prelude::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// How long a passkey prompt may stay open.
const CEREMONY_MINUTES: i32 = 5;

/// The relying party: our domain and origin, or nothing when the site is
/// reached by an IP address (browsers refuse passkeys there).
#[derive(Clone, Default)]
pub struct Passkeys {
    webauthn: Option<Arc<Webauthn>>,
}

/// What the browser needs to run a ceremony.
#[derive(Debug)]
pub struct Started {
    /// The ceremony's id, sent back with the answer.
    pub ceremony: Uuid,
    /// The options for `navigator.credentials`, as WebAuthn's JSON.
    pub options: serde_json::Value,
    /// The key for the [`crate::auth::cookies::PASSKEY`] cookie (the one the
    /// browser sent, or a new one).
    pub browser_key: String,
}

/// The browser's key for ceremonies: the one it holds, or a new one (so two
/// prompts open at once in one browser both stay answerable).
fn browser_key(held: Option<&str>) -> anyhow::Result<(String, Vec<u8>)> {
    use crate::auth::tokens;
    let key = match held.filter(|k| tokens::hash(k).is_some()) {
        Some(key) => key.to_owned(),
        None => tokens::generate()?,
    };
    let hash = tokens::hash(&key).context("generated key is malformed")?;
    Ok((key, hash))
}

impl Passkeys {
    /// The relying party for `public_url` (its host is the RP ID).
    pub fn new(public_url: &str) -> anyhow::Result<Self> {
        let origin = Url::parse(public_url).context("PUBLIC_URL is not a URL")?;
        let host = origin.host_str().unwrap_or_default().to_owned();
        if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
            tracing::info!(%host, "passkeys are off: they need a domain name (e.g. localhost), not an IP address");
            return Ok(Self::default());
        }
        let webauthn = WebauthnBuilder::new(&host, &origin)
            .context("invalid passkey relying party")?
            .rp_name("Paws Inside")
            .build()
            .context("invalid passkey relying party")?;
        Ok(Self {
            webauthn: Some(Arc::new(webauthn)),
        })
    }

    /// Whether passkeys can be used on this site.
    pub fn enabled(&self) -> bool {
        self.webauthn.is_some()
    }

    fn get(&self) -> Result<&Webauthn, PasskeyError> {
        self.webauthn.as_deref().ok_or(PasskeyError::Unavailable)
    }
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
    let browser = held
        .and_then(crate::auth::tokens::hash)
        .ok_or(PasskeyError::Expired)?;
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
