//! The admins' queue of proposed dog policies: each with the venue's current
//! policy beside it, applied (through `venues::proposals`, one transaction,
//! at most once) or rejected.

pub use crate::venues::policy::Difference;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::flows::require_admin,
    crate::auth::Caller,
    crate::context::Context,
    crate::venues::policy::{DogConditional, DogPolicy, DogsWhere, Leash, words},
    crate::venues::proposals::{ProposalError, apply},
    crate::venues::{SizeLimit, osm::change},
    anyhow::Context as _,
};

/// Entries per page of the queue.
pub const PAGE: i64 = 25;

/// One open proposal, current against proposed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalRow {
    /// Proposal id.
    pub id: Uuid,
    /// Venue slug.
    pub slug: String,
    /// "Name, City".
    pub venue: String,
    /// The venue's policy now, in words.
    pub current: Vec<String>,
    /// The proposed policy, in words.
    pub proposed: Vec<String>,
    /// "a guest" or "a member", and the day.
    pub by: String,
}

/// What the admin's policy section shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyQueue {
    /// Oldest open proposals first (one page).
    pub proposals: Vec<ProposalRow>,
    /// Open proposals in all.
    pub open: i64,
    /// Imported venues whose policy differs from OSM's tags.
    pub differences: Vec<Difference>,
}

#[cfg(feature = "ssr")]
type Row = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    bool,
    String,
);

#[cfg(feature = "ssr")]
/// The queue (`page` of it) and the OSM differences.
pub async fn queue(ctx: &Context, caller: &Caller, page: u32) -> Result<PolicyQueue, ProposalError> {
    require_admin(caller).map_err(|_| ProposalError::Forbidden)?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, v.slug, v.name || ', ' || v.city, v.dogs_inside, v.size_limit, v.leash, v.dog_conditional,
                p.dogs_inside, p.size_limit, p.leash, p.dog_conditional, u.is_anonymous,
                to_char(p.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY')
         FROM policy_proposals p JOIN venues v ON v.id = p.venue_id JOIN users u ON u.id = p.user_id
         WHERE p.status = 'open' ORDER BY p.created_at, p.id LIMIT $1 OFFSET $2",
    )
    .bind(PAGE)
    .bind(i64::from(page.min(1000)) * PAGE)
    .fetch_all(&ctx.pool)
    .await
    .context("failed to list proposals")?;
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM policy_proposals WHERE status = 'open'")
        .fetch_one(&ctx.pool)
        .await
        .context("failed to count proposals")?;
    let proposals = rows
        .into_iter()
        .map(
            |(id, slug, venue, vp, vs, vl, vc, pp, ps, pl, pc, guest, on)| ProposalRow {
                id,
                slug,
                venue,
                current: words(&vp, &vs, &vl, vc.as_deref()),
                proposed: words(&pp, &ps, &pl, pc.as_deref()),
                by: format!(
                    "Proposed by {} on {on}",
                    if guest { "a guest" } else { "a member" }
                ),
            },
        )
        .collect();
    Ok(PolicyQueue {
        proposals,
        open,
        differences: change::differences(&ctx.pool).await?,
    })
}

#[cfg(feature = "ssr")]
/// Applies proposal `id` (with every open one of the same policy for that venue).
pub async fn admin_apply(ctx: &Context, caller: &Caller, id: &str) -> Result<(), ProposalError> {
    let admin = require_admin(caller).map_err(|_| ProposalError::Forbidden)?;
    let id = Uuid::parse_str(id).map_err(|_| ProposalError::NotFound)?;
    let row: Option<(Uuid, String, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT venue_id, dogs_inside, size_limit, leash, dog_conditional, status FROM policy_proposals WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&ctx.pool)
    .await
    .context("failed to read the proposal")?;
    let (venue, place, size, leash, cond, status) = row.ok_or(ProposalError::NotFound)?;
    if status != "open" {
        return Err(ProposalError::Decided);
    }
    let policy = DogPolicy {
        place: DogsWhere::parse(&place).context("stored place")?,
        size: SizeLimit::parse(&size).context("stored size")?,
        leash: Leash::parse(&leash).context("stored leash")?,
        conditional: cond
            .map(|c| DogConditional::parse_with(&c, |_| true))
            .transpose()
            .map_err(|e| anyhow::anyhow!("stored dog:conditional: {e}"))?,
    };
    apply(ctx, venue, &policy, Some(admin), "policy_applied").await
}

#[cfg(feature = "ssr")]
/// Rejects proposal `id`.
pub async fn reject(ctx: &Context, caller: &Caller, id: &str) -> Result<(), ProposalError> {
    let admin = require_admin(caller).map_err(|_| ProposalError::Forbidden)?;
    let id = Uuid::parse_str(id).map_err(|_| ProposalError::NotFound)?;
    let mut tx = ctx.pool.begin().await.context("failed to begin rejecting")?;
    let slug: Option<String> = sqlx::query_scalar(
        "UPDATE policy_proposals p SET status = 'rejected', decided_at = now() FROM venues v
         WHERE p.id = $1 AND p.status = 'open' AND v.id = p.venue_id RETURNING v.slug",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to reject the proposal")?;
    let slug = slug.ok_or(ProposalError::Decided)?;
    super::queries::audit(
        &mut tx,
        Some(admin),
        "policy_rejected",
        &slug,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await.context("failed to commit the rejection")?;
    Ok(())
}

#[cfg(feature = "ssr")]
/// The osmChange file of [`change::differences`] (admins only).
pub async fn osm_change(ctx: &Context, caller: &Caller) -> Result<String, ProposalError> {
    require_admin(caller).map_err(|_| ProposalError::Forbidden)?;
    Ok(change::osm_change(&change::differences(&ctx.pool).await?))
}
