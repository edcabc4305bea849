//! Guest creation ("anonymous sign-in"): the first contribution of a browser
//! makes a real user row and a session for it, in one transaction with one
//! commit — the rate-limit hit, the user, the browser's mint key and the
//! session row together.
//!
//! That commit does not wait for the WAL to reach the disk
//! (`synchronous_commit = off` for this transaction only). A guest that owns
//! nothing is worth nothing, and the first thing it makes commits durably,
//! which flushes the WAL up to and including the guest (the log is written in
//! order). So a database crash in the fraction of a second after the answer can
//! only lose an empty guest — its cookie then reads as no session and the next
//! contribution makes a new one — never a dog. Not waiting matters because
//! every guest of one client counts in one rate-limit row: waiting for the
//! disk while holding that row lock would queue a client's guests behind
//! each other's disk writes.

use super::context::{Auth, Caller};
use super::errors::MintError;
use super::user::User;
use crate::db::rate_limit::{self, RetryAfter, limits};
use anyhow::Context;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How long a browser's mint key returns the same guest (double clicks, two tabs).
const MINT_KEY_WINDOW_SECS: f64 = 300.0;

/// A mint key as browsers send it: a random value of reasonable size.
fn well_formed(key: &str) -> bool {
    (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The session's user, or a new guest in a new session. With a `mint_key`
/// (the browser's localStorage key, or the key of the page the form came
/// from), concurrent and repeated calls within a few minutes get the same
/// guest: an advisory lock on the key's hash serialises them.
pub async fn user_or_mint(
    auth: &Auth,
    caller: &mut Caller,
    mint_key: Option<&str>,
) -> Result<User, MintError> {
    if let Some(user) = caller.user() {
        return Ok(user.clone());
    }
    let key = mint_key
        .filter(|k| well_formed(k))
        .map(|k| Sha256::digest(k.as_bytes()).to_vec());
    let limit = limits::guest_per_client(auth.settings.guests_per_client_per_hour);
    let bucket = caller
        .ip
        .map(|ip| rate_limit::bucket(limit, &rate_limit::client_subject(ip)));
    let mut tx = auth
        .pool
        .begin()
        .await
        .context("failed to begin guest creation")?;
    if let Some(key) = &key {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended(encode($1, 'hex'), 7277))")
            .bind(key)
            .execute(&mut *tx)
            .await
            .context("failed to lock the mint key")?;
    }
    // One statement: the guest this key made lately, or — counted against the
    // client's limit — a new one (recorded under the key).
    let (id, created, retry, _): (Option<Uuid>, bool, Option<f64>, bool) = sqlx::query_as(
        "WITH prior AS (
           SELECT k.user_id AS id FROM guest_mint_keys k JOIN users u ON u.id = k.user_id
           WHERE k.key_hash = $1 AND u.is_anonymous AND k.created_at > now() - make_interval(secs => $2)),
         hit AS (
           INSERT INTO rate_limits (bucket, window_start, hits)
           SELECT $3, to_timestamp(floor(extract(epoch FROM now()) / $4) * $4), 1
           WHERE $3::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM prior)
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $4) - now())::float8 AS retry),
         fresh AS (
           INSERT INTO users (is_anonymous) SELECT true
           WHERE NOT EXISTS (SELECT 1 FROM prior) AND coalesce((SELECT hits FROM hit), 0) <= $5
           RETURNING id),
         keyed AS (
           INSERT INTO guest_mint_keys (key_hash, user_id) SELECT $1, id FROM fresh WHERE $1::bytea IS NOT NULL
           ON CONFLICT (key_hash) DO UPDATE SET user_id = EXCLUDED.user_id, created_at = now())
         SELECT coalesce((SELECT id FROM prior LIMIT 1), (SELECT id FROM fresh)),
                EXISTS (SELECT 1 FROM fresh),
                (SELECT retry FROM hit WHERE hits > $5),
                set_config('synchronous_commit', 'off', true) IS NOT NULL",
    )
    .bind(key.as_deref())
    .bind(MINT_KEY_WINDOW_SECS)
    .bind(bucket.as_deref())
    .bind(limit.window_secs as f64)
    .bind(limit.max)
    .fetch_one(&mut *tx)
    .await
    .context("failed to create guest user")?;
    let Some(id) = id else {
        // Over the limit; the hit is kept so the window keeps counting.
        tx.commit().await.context("failed to count the refused guest")?;
        crate::metrics::global().inc("paws_rate_limited_total", &[("limit", limit.name)]);
        return Err(MintError::TooMany(RetryAfter(
            retry.unwrap_or(60.0).ceil().max(1.0) as i64,
        )));
    };
    let user = User::Guest { id };
    let rotation = caller
        .session
        .open(&mut tx, user.clone(), &caller.user_agent, None)
        .await?;
    tx.commit().await.context("failed to commit guest")?;
    caller.session.adopt(rotation).await?;
    if created {
        crate::metrics::global().inc("paws_guests_created_total", &[]);
        tracing::info!(user = %id, "guest created");
    }
    Ok(user)
}
