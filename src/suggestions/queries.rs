//! Venue suggestions: owned rows, private until a moderator approves them.

use crate::suggestions::{NewSuggestion, Suggestion};
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// Stores a pending suggestion.
pub async fn create(pool: &PgPool, owner: Uuid, s: &NewSuggestion) -> anyhow::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO venue_suggestions (user_id, name, category, address, city, location, dogs_inside,
                                        size_limit, water_bowl, treats, notes)
         VALUES ($1, $2, $3, $4, $5,
                 CASE WHEN $6::float8 IS NULL THEN NULL ELSE point($7::float8, $6::float8) END,
                 $8, $9, $10, $11, $12)
         RETURNING id",
    )
    .bind(owner)
    .bind(s.name.as_str())
    .bind(s.category.as_str())
    .bind(s.address.as_str())
    .bind(s.city.as_str())
    .bind(s.location.map(|l| l.lat))
    .bind(s.location.map(|l| l.lng))
    .bind(s.dogs_inside.as_str())
    .bind(s.size_limit.as_str())
    .bind(s.water_bowl)
    .bind(s.treats)
    .bind(s.notes.as_str())
    .fetch_one(pool)
    .await
    .context("failed to insert suggestion")
}

/// The owner's suggestions, newest first (the latest 100; "My
/// contributions" pages through all of them).
pub async fn list_for_owner(pool: &PgPool, owner: Uuid) -> anyhow::Result<Vec<Suggestion>> {
    sqlx::query_as(
        "SELECT s.id, s.name, s.city, s.category, s.status,
                to_char(s.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS created_on,
                s.reject_reason, v.slug AS venue_slug
         FROM venue_suggestions s LEFT JOIN venues v ON v.id = s.venue_id
         WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id LIMIT 100",
    )
    .bind(owner)
    .fetch_all(pool)
    .await
    .context("failed to list suggestions")
}
