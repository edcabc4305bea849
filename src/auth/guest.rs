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
//! every guest of one client counts in one rate-limit row, locked until the
//! commit: measured in `./bench/run`, one client's guests went from 54 % to
//! 96 % of adding a dog's rate (BENCHMARKS.md §3).

use super::context::Caller;
use super::errors::MintError;
use super::user::User;
use crate::context::Context;
use crate::limits::{self, LimitedAction};
use anyhow::Context as _;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use uuid::Uuid;

/// How long a browser's mint key returns the same guest (double clicks, two tabs).
const MINT_KEY_WINDOW_SECS: f64 = 300.0;

/// A mint key as browsers send it: a random value of reasonable size.
fn well_formed(key: &str) -> bool {
    (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Whose a contribution is when the guest it was made as went while it was on
/// its way: the account the guest was merged into, as its session's farewell
/// says (its things went there, and so does this), or — reaped, or gone otherwise — a new guest for this
/// browser (its session went with the old one).
pub async fn owner_after_vanished(
    ctx: &Context,
    caller: &mut Caller,
    mint_key: Option<&str>,
) -> Result<Uuid, MintError> {
    if let (Some(gone), Some(session)) = (caller.session.guest(), caller.session.id())
        && let Some(account) = super::farewell::moved_to(&ctx.pool, &session).await?
    {
        tracing::info!(guest = %gone, %account, "a contribution followed its guest into an account");
        return Ok(account);
    }
    caller.session.vanished();
    Ok(user_or_mint(ctx, caller, mint_key).await?.id())
}

/// The mint, one statement (see [`user_or_mint`]), with the funnel's row for
/// the guest in it (`auth::funnel::MADE`): as a second statement it held one
/// of the pool's few connections for another round trip.
static MINT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH hit AS (
           INSERT INTO rate_limits (bucket, window_start, hits)
           SELECT $3, to_timestamp(floor(extract(epoch FROM now()) / $4) * $4), 1 WHERE $3::text IS NOT NULL
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $4) - now())::float8 AS retry),
         net AS (
           INSERT INTO rate_limits (bucket, window_start, hits)
           SELECT $11, to_timestamp(floor(extract(epoch FROM now()) / $4) * $4), 1 WHERE $11::text IS NOT NULL
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $4) - now())::float8 AS retry),
         allowed AS (
           SELECT coalesce((SELECT hits FROM hit), 0) <= $5 AND coalesce((SELECT hits FROM net), 0) <= $12 AS ok),
         key AS (
           INSERT INTO guest_mint_keys AS k (key_hash, user_id)
           SELECT $1, $6 FROM allowed WHERE ok AND $1::bytea IS NOT NULL
           ON CONFLICT (key_hash) DO UPDATE SET
             user_id = CASE WHEN k.created_at < now() - make_interval(secs => $2)
                              OR EXISTS (SELECT 1 FROM users u WHERE u.id = k.user_id AND NOT u.is_anonymous)
                            THEN EXCLUDED.user_id ELSE k.user_id END,
             created_at = CASE WHEN k.created_at < now() - make_interval(secs => $2) THEN now() ELSE k.created_at END
           RETURNING user_id),
         chosen AS (SELECT coalesce((SELECT user_id FROM key), $6) AS id FROM allowed WHERE ok),
         fresh AS (INSERT INTO users (id, is_anonymous) SELECT id, true FROM chosen WHERE id = $6 RETURNING id),
         {made},
         gone AS (DELETE FROM sessions WHERE id = $7 AND EXISTS (SELECT 1 FROM chosen)),
         opened AS (
           INSERT INTO sessions (id, user_id, user_agent, expiry_date, method)
           SELECT $8, id, $9, to_timestamp($10), 'guest' FROM chosen)
         SELECT (SELECT id FROM chosen), EXISTS (SELECT 1 FROM fresh), (SELECT retry FROM hit WHERE hits > $5),
                (SELECT retry FROM net WHERE hits > $12),
                set_config('synchronous_commit', 'off', true) IS NOT NULL",
        made = super::funnel::MADE
    )
});

/// The session's user, or a new guest in a new session. With a `mint_key`
/// (the browser's localStorage key, or the key of the page the form came
/// from), concurrent and repeated calls within a few minutes get the same
/// guest: the key's unique index makes a racer wait for the first one's
/// commit and then join its guest.
///
/// One statement, so one round trip and one commit: the client's rate-limit
/// row stays locked for no longer than the statement itself (every guest of
/// one client counts in that row).
pub async fn user_or_mint(
    ctx: &Context,
    caller: &mut Caller,
    mint_key: Option<&str>,
) -> Result<User, MintError> {
    if let Some(user) = caller.user() {
        // Every contribution passes here: the funnel's "came back after 1, 7,
        // 30 days" (a primary-key probe that writes only at a threshold).
        super::funnel::note_or_log(&ctx.pool, super::funnel::Note::Contributed(user.id())).await;
        return Ok(user.clone());
    }
    let key = mint_key
        .filter(|k| well_formed(k))
        .map(|k| Sha256::digest(k.as_bytes()).to_vec());
    let action = LimitedAction::NewGuest;
    let wide = LimitedAction::NewGuestPerNetwork;
    let bucket = caller
        .ip
        .map(|ip| limits::bucket(action, &limits::client_subject(ip)));
    // An IPv6 client also counts in its /48: one holder of many /64s mints
    // no more than a few households do.
    let network = caller
        .ip
        .and_then(limits::network_subject)
        .map(|net| limits::bucket(wide, &net));
    let row = caller.session.next_row(&caller.user_agent);
    let fresh_id = Uuid::new_v4();
    // hit:    this attempt counts against the client's guests (a double submit
    //         counts twice: it is two attempts); net: and its /48's.
    // key:    the browser's key; a recent one names the guest to join, an old
    //         one (or one whose guest became a member) is taken over.
    // fresh:  a new guest when the key names none.
    // opened: this browser's new session row, replacing its old one.
    type Minted = (Option<Uuid>, bool, Option<f64>, Option<f64>, bool);
    let (id, created, retry, retry_net, _): Minted = sqlx::query_as(MINT.as_str())
        .bind(key.as_deref())
        .bind(MINT_KEY_WINDOW_SECS)
        .bind(bucket.as_deref())
        .bind(action.window_secs() as f64)
        .bind(ctx.config.limits.max(action))
        .bind(fresh_id)
        .bind(&row.replaces)
        .bind(row.id())
        .bind(&row.user_agent)
        .bind(row.expiry)
        .bind(network.as_deref())
        .bind(ctx.config.limits.max(wide))
        .fetch_one(&ctx.pool)
        .await
        .context("failed to create guest user")?;
    let Some(id) = id else {
        // Over a limit; the hits are kept so the windows keep counting.
        return Err(MintError::TooMany(match (retry, retry_net) {
            (Some(retry), _) => limits::over(action, retry),
            (None, retry) => limits::over(wide, retry.unwrap_or(60.0)),
        }));
    };
    let user = User::Guest { id };
    caller.session.adopt(row.opened(user.clone(), None)).await?;
    if created {
        ctx.funnel.add();
        crate::metrics::global().guests_created.inc();
        tracing::info!(user = %id, "guest created");
    }
    Ok(user)
}
