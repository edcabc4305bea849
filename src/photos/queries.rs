//! Photo rows. Files are written before the row and removed after it; see
//! `crate::media` for processing and storage.

use crate::photos::{Photo, VenuePhoto};
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// What a photo shows: a dog of the uploader's, and optionally the venue it was taken at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// The uploader's dog.
    pub dog: Option<Uuid>,
    /// The venue ("Dogs seen here").
    pub venue: Option<Uuid>,
}

/// Whether `dog` belongs to `owner`.
pub async fn dog_is_owned(pool: &PgPool, owner: Uuid, dog: Uuid) -> anyhow::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM dogs WHERE id = $1 AND user_id = $2)")
        .bind(dog)
        .bind(owner)
        .fetch_one(pool)
        .await
        .context("failed to check dog owner")
}

/// The id of the venue with this slug (one lookup for every feature).
pub use crate::venues::queries::venue_id;

/// Records a stored photo.
pub async fn insert(
    pool: &PgPool,
    owner: Uuid,
    subject: Subject,
    storage_key: &str,
    (width, height, bytes): (u32, u32, usize),
) -> anyhow::Result<Photo> {
    // The files are named before the row exists: the row takes their key as id.
    let id = crate::photos::PhotoStore::photo_id(storage_key).context("storage key is not an id")?;
    sqlx::query(
        "INSERT INTO photos (id, user_id, dog_id, venue_id, width, height, bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(owner)
    .bind(subject.dog)
    .bind(subject.venue)
    .bind(width as i32)
    .bind(height as i32)
    .bind(bytes as i32)
    .execute(pool)
    .await
    .context("failed to insert photos row")?;
    Ok(Photo {
        id,
        storage_key: storage_key.to_owned(),
        width: width as i32,
        height: height as i32,
    })
}

/// Deletes one of the owner's photos; returns its storage key and whether a
/// venue page showed it, or `None`.
pub async fn delete_owned(pool: &PgPool, owner: Uuid, id: Uuid) -> anyhow::Result<Option<(String, bool)>> {
    sqlx::query_as(
        "DELETE FROM photos WHERE id = $1 AND user_id = $2
         RETURNING storage_key, venue_id IS NOT NULL AND hidden_at IS NULL",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(pool)
    .await
    .context("failed to delete photos row")
}

/// Photos taken at a venue, newest first; `viewer`'s own are marked.
pub async fn for_venue(
    pool: &PgPool,
    slug: &str,
    limit: i64,
    viewer: Option<Uuid>,
) -> anyhow::Result<Vec<VenuePhoto>> {
    let Ok(slug) = crate::Slug::parse(slug) else {
        return Ok(Vec::new());
    };
    let rows: Vec<(Uuid, String, i32, i32, Option<String>, bool)> = sqlx::query_as(
        "SELECT m.id, m.storage_key, m.width, m.height, p.name, m.user_id IS NOT DISTINCT FROM $3
         FROM photos m JOIN venues v ON v.id = m.venue_id LEFT JOIN dogs p ON p.id = m.dog_id
         WHERE v.slug = $1 AND m.hidden_at IS NULL ORDER BY m.created_at DESC, m.id LIMIT $2",
    )
    .bind(slug.as_str())
    .bind(limit)
    .bind(viewer)
    .fetch_all(pool)
    .await
    .context("failed to load venue photos")?;
    Ok(rows
        .into_iter()
        .map(|(id, storage_key, width, height, dog_name, mine)| VenuePhoto {
            photo: Photo {
                id,
                storage_key,
                width,
                height,
            },
            dog_name,
            mine,
        })
        .collect())
}
