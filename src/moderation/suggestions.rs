//! Reviewing suggestions: list, edit, approve into a public venue (unique slug,
//! credited to the suggester), or reject with a reason the suggester sees.

use super::queries::audit;
use crate::moderation::PendingSuggestion;
use crate::suggestions::NewSuggestion;
use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Pending suggestions, oldest first.
pub async fn pending(pool: &PgPool, page: crate::moderation::Page) -> anyhow::Result<Vec<PendingSuggestion>> {
    sqlx::query_as(
        "SELECT s.id, s.name, s.category, s.address, s.city, s.location[1] AS lat, s.location[0] AS lng,
                s.dogs_inside, s.size_limit, s.water_bowl, s.treats, s.notes,
                CASE WHEN u.is_anonymous THEN 'a guest' ELSE coalesce(u.display_name, 'a member') END
                  AS suggested_by,
                to_char(s.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS created_on
         FROM venue_suggestions s JOIN users u ON u.id = s.user_id
         WHERE s.status = 'pending' ORDER BY s.created_at, s.id LIMIT $1 OFFSET $2",
    )
    .bind(page.fetch())
    .bind(page.offset())
    .fetch_all(pool)
    .await
    .context("failed to list pending suggestions")
}

/// Why a review did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Already reviewed, or no such suggestion.
    #[error("That suggestion is no longer waiting for review.")]
    NotPending,
    /// Approval needs a map location.
    #[error("Pick the place on the map before approving.")]
    NoLocation,
    /// Infrastructure failure.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

async fn lock_pending(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, ReviewError> {
    let owner: Option<Uuid> = sqlx::query_scalar(
        "SELECT user_id FROM venue_suggestions WHERE id = $1 AND status = 'pending' FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
    .context("failed to lock suggestion")?;
    owner.ok_or(ReviewError::NotPending)
}

/// Saves an admin's edits; with `approve`, also publishes the venue and returns its slug.
pub async fn save(
    pool: &PgPool,
    admin: Uuid,
    id: Uuid,
    edited: &NewSuggestion,
    approve: bool,
) -> Result<Option<String>, ReviewError> {
    if approve && edited.location.is_none() {
        return Err(ReviewError::NoLocation);
    }
    let mut tx = pool.begin().await.context("failed to begin review")?;
    let owner = lock_pending(&mut tx, id).await?;
    sqlx::query(
        "UPDATE venue_suggestions SET name = $2, category = $3, address = $4, city = $5,
           location = CASE WHEN $6::float8 IS NULL THEN NULL ELSE point($7::float8, $6::float8) END,
           dogs_inside = $8, size_limit = $9, water_bowl = $10, treats = $11, notes = $12
         WHERE id = $1",
    )
    .bind(id)
    .bind(edited.name.as_str())
    .bind(edited.category.as_str())
    .bind(edited.address.as_str())
    .bind(edited.city.as_str())
    .bind(edited.location.map(|l| l.lat))
    .bind(edited.location.map(|l| l.lng))
    .bind(edited.dogs_inside.as_str())
    .bind(edited.size_limit.as_str())
    .bind(edited.water_bowl)
    .bind(edited.treats)
    .bind(edited.notes.as_str())
    .execute(&mut *tx)
    .await
    .context("failed to save suggestion")?;
    let details = serde_json::json!({ "name": edited.name.as_str(), "city": edited.city.as_str() });
    if !approve {
        audit(&mut tx, Some(admin), "suggestion_edit", &id.to_string(), details).await?;
        tx.commit().await.context("failed to commit edit")?;
        return Ok(None);
    }
    let credit: String = sqlx::query_scalar(
        "SELECT CASE WHEN is_anonymous THEN 'a guest' ELSE coalesce(display_name, 'a member') END
         FROM users WHERE id = $1",
    )
    .bind(owner)
    .fetch_one(&mut *tx)
    .await
    .context("failed to load suggester")?;
    let (venue, slug) = insert_venue(&mut tx, edited, &credit).await?;
    sqlx::query(
        "UPDATE venue_suggestions SET status = 'approved', reviewed_at = now(), venue_id = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(venue)
    .execute(&mut *tx)
    .await
    .context("failed to mark approved")?;
    let details = serde_json::json!({ "venue": venue, "slug": slug, "name": edited.name.as_str() });
    audit(
        &mut tx,
        Some(admin),
        "suggestion_approve",
        &id.to_string(),
        details,
    )
    .await?;
    tx.commit().await.context("failed to commit approval")?;
    Ok(Some(slug))
}

/// Inserts the venue under the first free slug of `name-city`, `name-city-2`, ….
async fn insert_venue(
    conn: &mut PgConnection,
    v: &NewSuggestion,
    credit: &str,
) -> anyhow::Result<(Uuid, String)> {
    let base = crate::Slug::from_text(&format!("{} {}", v.name, v.city))
        .map(|s| s.as_str().chars().take(70).collect::<String>())
        .map(|s| s.trim_end_matches('-').to_owned())
        .unwrap_or_else(|| "venue".to_owned());
    let location = v.location.context("approval without a location")?;
    for n in 1..=100 {
        let slug = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let id: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit,
                                 water_bowl, treats, policy_notes, suggested_by)
             VALUES ($1, $2, $3, $4, $5, point($6, $7), $8, $9, $10, $11, $12, $13)
             ON CONFLICT (slug) DO NOTHING RETURNING id",
        )
        .bind(&slug)
        .bind(v.name.as_str())
        .bind(v.category.as_str())
        .bind(v.address.as_str())
        .bind(v.city.as_str())
        .bind(location.lng)
        .bind(location.lat)
        .bind(v.dogs_inside.as_str())
        .bind(v.size_limit.as_str())
        .bind(v.water_bowl)
        .bind(v.treats)
        .bind(v.notes.as_str())
        .bind(credit)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to insert venue")?;
        if let Some(id) = id {
            return Ok((id, slug));
        }
    }
    anyhow::bail!("no free slug for {base}")
}

/// Rejects a pending suggestion with a reason shown to the suggester.
pub async fn reject(pool: &PgPool, admin: Uuid, id: Uuid, reason: &str) -> Result<(), ReviewError> {
    let mut tx = pool.begin().await.context("failed to begin review")?;
    lock_pending(&mut tx, id).await?;
    sqlx::query(
        "UPDATE venue_suggestions SET status = 'rejected', reviewed_at = now(), reject_reason = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(reason)
    .execute(&mut *tx)
    .await
    .context("failed to reject")?;
    audit(
        &mut tx,
        Some(admin),
        "suggestion_reject",
        &id.to_string(),
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await.context("failed to commit rejection")?;
    Ok(())
}
