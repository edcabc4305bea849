//! Guest creation ("anonymous sign-in") is the identity crate's
//! (`anonymous_first::guests`: the user, the browser's mint key, the rate
//! limits and the session row in one statement with one commit that does not
//! wait for the disk). Paws Inside adds what it counts around it: the
//! funnel's row for the new guest inside that same statement
//! (`auth::funnel::MADE`: as a second statement it held one of the pool's
//! few connections for another round trip), the guests made this week and
//! "came back after 1, 7, 30 days" on every contribution. The crate counts
//! guests made and refusals itself (`metrics::bridge` names them ours).
//!
//! Measured in `./bench/run`, not waiting for the disk took one client's
//! guests from 54 % to 96 % of adding a dog's rate (BENCHMARKS.md §3): every
//! guest of one client counts in one rate-limit row, locked until the commit.

use super::Caller;
use super::errors::MintError;
use super::user::User;
use crate::context::Context;
use crate::limits::{LimitedAction, Limits};
use anonymous_first::guests::{self, MintLimit, Minted, Minter};
use uuid::Uuid;

/// The mint with Paws Inside's limits (`limits` maxima) and the funnel's row.
pub fn minter(limits: &Limits) -> Minter {
    let limit = |action| MintLimit::new(action, limits.max(action));
    Minter::new(
        limit(LimitedAction::NewGuest),
        limit(LimitedAction::NewGuestPerNetwork),
        Some(super::funnel::MADE),
    )
}

/// Whose a contribution is when the guest it was made as went while it was on
/// its way: the account the guest was merged into (its things went there, and
/// so does this), or — reaped, or gone otherwise — a new guest for this browser.
pub async fn owner_after_vanished(
    ctx: &Context,
    caller: &mut Caller,
    mint_key: Option<&str>,
) -> Result<Uuid, MintError> {
    let (owner, created) = ctx
        .minter
        .owner_after_vanished(&ctx.pool, caller, mint_key)
        .await
        .map_err(mint_error)?;
    if created {
        made(ctx, owner);
    }
    Ok(owner)
}

/// The session's user, or a new guest in a new session; with a `mint_key`
/// (the browser's localStorage key, or the key of the page the form came
/// from), concurrent and repeated calls within a few minutes get the same
/// guest.
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
    let Minted { user, created } = ctx
        .minter
        .user_or_mint(&ctx.pool, caller, mint_key)
        .await
        .map_err(mint_error)?;
    if created {
        made(ctx, user.id());
    }
    Ok(user)
}

/// Counts a guest made (after its commit) in the funnel's week; the crate
/// counts it in the metrics.
fn made(ctx: &Context, id: Uuid) {
    ctx.funnel.add();
    tracing::info!(user = %id, "guest created");
}

/// The crate's answer as this app's error.
fn mint_error(err: guests::MintError) -> MintError {
    match err {
        guests::MintError::TooMany(over) => MintError::TooMany(over),
        guests::MintError::Unexpected(err) => MintError::Unexpected(err),
    }
}
