//! "Suggest a change" to a venue's dog policy. Proposing is a contribution
//! (a guest is made like adding a dog does); each person has one open
//! proposal per venue (a second replaces it) and proposals are rate-limited.
//! A proposal is applied by an admin (`moderation` queue, see
//! [`admin_apply`]) or by agreement: the same policy from [`AGREE`] people
//! whose input counts fully (members, or guests at least 7 days old), from
//! as many different networks, within 90 days. Applying is one transaction
//! that closes the proposals first, so two applies at once cannot both land.

use super::policy::{DogPolicy, PolicyForm};
pub use super::policy::{MyProposal, Proposed};
use crate::auth::Caller;
use crate::context::Context;
use crate::errors::{Kind, failure};
use crate::limits::{LimitedAction, TooMany};
use anyhow::Context as _;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Agreeing people (and networks) that apply a proposal without an admin.
pub const AGREE: usize = 3;

/// Why a proposal was not stored, applied or withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    /// No such venue, or no open proposal of yours by that id.
    #[error("That could not be found.")]
    NotFound,
    /// The form's values, with why.
    #[error("{0}")]
    Invalid(String),
    /// Someone decided it first.
    #[error("That change was already decided.")]
    Decided,
    /// Admins only.
    #[error("This is for admins only.")]
    Forbidden,
    /// Too many today (or guests lately).
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(mints ProposalError {
    NotFound => Kind::NotFound,
    Invalid => Kind::Invalid,
    Decided => Kind::Conflict,
    Forbidden => Kind::Forbidden,
});

/// The network a request came from, hashed (IPv6 /64, IPv4 address; empty when unknown).
fn network(caller: &Caller) -> String {
    match caller.ip {
        None => String::new(),
        Some(ip) => {
            let digest = Sha256::digest(crate::limits::client_subject(ip).as_bytes());
            digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
        }
    }
}

/// Stores the caller's proposed policy for `slug` (replacing an open one of
/// theirs), then applies it if enough trusted people on different networks agree.
pub async fn propose(
    ctx: &Context,
    caller: &mut Caller,
    slug: &str,
    form: &PolicyForm,
    mint_key: Option<&str>,
) -> Result<Proposed, ProposalError> {
    let policy = form.read().map_err(|e| ProposalError::Invalid(e.to_string()))?;
    let venue = venue_id(&ctx.pool, slug).await?.ok_or(ProposalError::NotFound)?;
    let user = crate::auth::guest::user_or_mint(ctx, caller, mint_key).await?;
    let owner = user.id().to_string();
    ctx.limit(&[(LimitedAction::PolicyProposal, &owner)])
        .await?
        .map_err(ProposalError::TooMany)?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO policy_proposals (venue_id, user_id, dogs_inside, size_limit, leash,
                                       dog_conditional, policy_key, network)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT ON CONSTRAINT policy_proposals_one_open DO UPDATE
         SET dogs_inside = EXCLUDED.dogs_inside, size_limit = EXCLUDED.size_limit,
             leash = EXCLUDED.leash, dog_conditional = EXCLUDED.dog_conditional,
             policy_key = EXCLUDED.policy_key, network = EXCLUDED.network, created_at = now()
         RETURNING id",
    )
    .bind(venue)
    .bind(user.id())
    .bind(policy.place.as_str())
    .bind(policy.size.as_str())
    .bind(policy.leash.as_str())
    .bind(policy.conditional.as_ref().map(|c| c.to_osm()))
    .bind(policy.key())
    .bind(network(caller))
    .fetch_one(&ctx.pool)
    .await
    .context("failed to store the proposal")?;
    let applied = agree(ctx, venue, &policy).await?;
    Ok(Proposed { id, applied })
}

/// Applies `policy` to `venue` if [`AGREE`] open proposals of it count fully
/// and come from as many networks; true when it did.
async fn agree(ctx: &Context, venue: Uuid, policy: &DogPolicy) -> Result<bool, ProposalError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT p.id, p.network FROM policy_proposals p JOIN users u ON u.id = p.user_id
         WHERE p.venue_id = $1 AND p.policy_key = $2 AND p.status = 'open' AND p.network <> ''
           AND p.created_at > now() - interval '90 days'
           AND (NOT u.is_anonymous OR u.created_at <= now() - interval '7 days')
         ORDER BY p.created_at LIMIT 100",
    )
    .bind(venue)
    .bind(policy.key())
    .fetch_all(&ctx.pool)
    .await
    .context("failed to count agreeing proposals")?;
    let mut networks: Vec<&str> = rows.iter().map(|(_, n)| n.as_str()).collect();
    networks.sort_unstable();
    networks.dedup();
    if networks.len() < AGREE {
        return Ok(false);
    }
    match apply(ctx, venue, policy, None, "policy_agreed").await {
        Ok(()) => Ok(true),
        // Another request's agreement applied it a moment ago.
        Err(ProposalError::Decided) => Ok(true),
        Err(err) => Err(err),
    }
}

/// Sets the venue's policy and closes every open proposal of the same policy
/// (all in one transaction); `Decided` when none was open any more.
pub(crate) async fn apply(
    ctx: &Context,
    venue: Uuid,
    policy: &DogPolicy,
    admin: Option<Uuid>,
    action: &str,
) -> Result<(), ProposalError> {
    let mut tx = ctx.pool.begin().await.context("failed to begin applying")?;
    // Closing first takes the proposals' row locks: a second apply waits here
    // and then finds nothing open.
    let closed: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE policy_proposals SET status = 'applied', decided_at = now()
         WHERE venue_id = $1 AND policy_key = $2 AND status = 'open' RETURNING id",
    )
    .bind(venue)
    .bind(policy.key())
    .fetch_all(&mut *tx)
    .await
    .context("failed to close the proposals")?;
    if closed.is_empty() {
        return Err(ProposalError::Decided);
    }
    let slug: String = sqlx::query_scalar(
        "UPDATE venues SET dogs_inside = $2, size_limit = $3, leash = $4, dog_conditional = $5,
                policy_changed_at = now(), updated_at = now()
         WHERE id = $1 RETURNING slug",
    )
    .bind(venue)
    .bind(policy.place.as_str())
    .bind(policy.size.as_str())
    .bind(policy.leash.as_str())
    .bind(policy.conditional.as_ref().map(|c| c.to_osm()))
    .fetch_one(&mut *tx)
    .await
    .context("failed to update the venue's policy")?;
    crate::moderation::queries::audit(
        &mut tx,
        admin,
        action,
        &slug,
        serde_json::json!({ "policy": policy.key(), "proposals": closed.len() }),
    )
    .await?;
    tx.commit().await.context("failed to commit the policy")?;
    ctx.public_changed();
    Ok(())
}

/// Withdraws one of the caller's open proposals; anyone else's is "not found".
pub async fn withdraw(ctx: &Context, caller: &Caller, id: &str) -> Result<(), ProposalError> {
    let (Some(user), Ok(id)) = (caller.user(), Uuid::parse_str(id)) else {
        return Err(ProposalError::NotFound);
    };
    let done = sqlx::query(
        "UPDATE policy_proposals SET status = 'withdrawn', decided_at = now()
         WHERE id = $1 AND user_id = $2 AND status = 'open'",
    )
    .bind(id)
    .bind(user.id())
    .execute(&ctx.pool)
    .await
    .context("failed to withdraw the proposal")?;
    match done.rows_affected() {
        0 => Err(ProposalError::NotFound),
        _ => Ok(()),
    }
}

/// The caller's open proposal for `slug`, in words (none for anyone else's).
pub async fn mine(ctx: &Context, caller: &Caller, slug: &str) -> anyhow::Result<Option<MyProposal>> {
    let Some(user) = caller.user() else {
        return Ok(None);
    };
    let row: Option<(Uuid, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.dogs_inside, p.size_limit, p.leash, p.dog_conditional
         FROM policy_proposals p JOIN venues v ON v.id = p.venue_id
         WHERE v.slug = $1 AND p.user_id = $2 AND p.status = 'open'",
    )
    .bind(slug)
    .bind(user.id())
    .fetch_optional(&ctx.pool)
    .await
    .context("failed to read your proposal")?;
    Ok(row.map(|(id, place, size, leash, cond)| MyProposal {
        id,
        words: super::policy::words(&place, &size, &leash, cond.as_deref()),
    }))
}

use super::queries::venue_id;
