//! Admin edits of public venues: `updated_at` moves and an audit row records
//! who changed what, in the same transaction.

use super::queries::audit;
use crate::suggestions::NewSuggestion;
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// Saves an admin's edit of the venue `slug` (the slug itself stays, so links
/// keep working), `website` included (`None` removes it). False when there is
/// no such venue.
pub async fn update(
    pool: &PgPool,
    admin: Uuid,
    slug: &str,
    v: &NewSuggestion,
    website: Option<&str>,
) -> anyhow::Result<bool> {
    let location = v.location.context("a venue needs a location")?;
    let mut tx = pool.begin().await.context("failed to begin venue edit")?;
    let before: Option<(Uuid, serde_json::Value)> = sqlx::query_as(
        "SELECT id, jsonb_build_object('name', name, 'category', category, 'address', address, 'city', city,
                  'lat', location[1], 'lng', location[0], 'dogs_inside', dogs_inside, 'size_limit', size_limit,
                  'water_bowl', water_bowl, 'treats', treats, 'policy_notes', policy_notes, 'website', website)
         FROM venues WHERE slug = $1 FOR UPDATE",
    )
    .bind(slug)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock venue")?;
    let Some((id, before)) = before else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE venues SET name = $2, category = $3, address = $4, city = $5, location = point($6, $7),
           dogs_inside = $8, size_limit = $9, water_bowl = $10, treats = $11, policy_notes = $12, updated_at = now(),
           admin_edited_at = now(), website = $13
         WHERE id = $1",
    )
    .bind(id)
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
    .bind(website)
    .execute(&mut *tx)
    .await
    .context("failed to update venue")?;
    audit(
        &mut tx,
        Some(admin),
        "venue_edit",
        slug,
        serde_json::json!({ "before": before, "name": v.name.as_str() }),
    )
    .await?;
    tx.commit().await.context("failed to commit venue edit")?;
    Ok(true)
}
