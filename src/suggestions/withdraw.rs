//! A person's own suggestion: opened (everything they sent) and, while it is
//! still pending, withdrawn. Only its owner finds it: anyone else gets "not
//! found", whether or not it exists.

use super::Suggestion;
use crate::auth::Caller;
use crate::context::Context;
use crate::contributions::SuggestionDetail;
use crate::errors::{Kind, failure};
use anyhow::Context as _;
use uuid::Uuid;

/// Why a suggestion could not be opened or withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum WithdrawError {
    /// Not one of this person's suggestions (or not a suggestion at all).
    #[error("That suggestion could not be found.")]
    NotFound,
    /// A moderator has already decided on it.
    #[error("That suggestion was already reviewed, so it can no longer be withdrawn.")]
    Reviewed,
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(no_limit WithdrawError {
    NotFound => Kind::NotFound,
    Reviewed => Kind::Conflict,
});

type DetailRow = (String, String, String, bool, bool, String);

/// The caller's suggestion `id`, with everything they sent.
pub async fn open(ctx: &Context, caller: &Caller, id: &str) -> Result<SuggestionDetail, WithdrawError> {
    let (Some(user), Ok(id)) = (caller.user(), Uuid::parse_str(id)) else {
        return Err(WithdrawError::NotFound);
    };
    let summary: Suggestion = sqlx::query_as(
        "SELECT s.id, s.name, s.city, s.category, s.status,
                to_char(s.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS created_on,
                s.reject_reason, v.slug AS venue_slug
         FROM venue_suggestions s LEFT JOIN venues v ON v.id = s.venue_id
         WHERE s.id = $1 AND s.user_id = $2",
    )
    .bind(id)
    .bind(user.id())
    .fetch_optional(&ctx.pool)
    .await
    .context("failed to open the suggestion")?
    .ok_or(WithdrawError::NotFound)?;
    let (address, dogs_inside, size_limit, water_bowl, treats, notes): DetailRow = sqlx::query_as(
        "SELECT address, dogs_inside, size_limit, water_bowl, treats, notes
         FROM venue_suggestions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&ctx.pool)
    .await
    .context("failed to read the suggestion")?;
    Ok(SuggestionDetail {
        summary,
        address,
        dogs_inside,
        size_limit,
        water_bowl,
        treats,
        notes,
    })
}

/// Withdraws the caller's pending suggestion `id` (deletes it: nobody but
/// the moderators ever saw it, and it leaves their queue). The `DELETE`
/// decides; only when it took nothing does a second statement (a fresh
/// snapshot) say why: reviewed meanwhile, or gone (withdrawn twice at once).
pub async fn withdraw(ctx: &Context, caller: &Caller, id: &str) -> Result<(), WithdrawError> {
    let (Some(user), Ok(id)) = (caller.user(), Uuid::parse_str(id)) else {
        return Err(WithdrawError::NotFound);
    };
    let gone =
        sqlx::query("DELETE FROM venue_suggestions WHERE id = $1 AND user_id = $2 AND status = 'pending'")
            .bind(id)
            .bind(user.id())
            .execute(&ctx.pool)
            .await
            .context("failed to withdraw the suggestion")?;
    if gone.rows_affected() == 1 {
        return Ok(());
    }
    let reviewed: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM venue_suggestions WHERE id = $1 AND user_id = $2)")
            .bind(id)
            .bind(user.id())
            .fetch_one(&ctx.pool)
            .await
            .context("failed to look up the suggestion")?;
    Err(if reviewed {
        WithdrawError::Reviewed
    } else {
        WithdrawError::NotFound
    })
}
