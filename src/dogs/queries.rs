//! Dogs and their photos. Every query is scoped by the owner: someone else's dog
//! is indistinguishable from a dog that does not exist.

use crate::dogs::{Dog, NewDog};
use crate::photos::Photo;
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct DogRow {
    id: Uuid,
    name: String,
    breed: Option<String>,
    size: String,
    birthday: Option<String>,
    bio: String,
}

const PET_COLUMNS: &str = "id, name, breed, size, birthday::text AS birthday, bio";

/// Stores a new dog for `owner`.
pub async fn create(pool: &PgPool, owner: Uuid, dog: &NewDog) -> anyhow::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO dogs (user_id, name, breed, size, birthday, bio)
         VALUES ($1, $2, $3, $4, $5::date, $6) RETURNING id",
    )
    .bind(owner)
    .bind(&dog.name)
    .bind(&dog.breed)
    .bind(dog.size.as_str())
    .bind(&dog.birthday)
    .bind(&dog.bio)
    .fetch_one(pool)
    .await
    .context("failed to insert dog")
}

/// The owner's dogs, oldest first, each with its photos (two queries in all).
pub async fn list_for_owner(pool: &PgPool, owner: Uuid) -> anyhow::Result<Vec<Dog>> {
    let rows: Vec<DogRow> = sqlx::query_as(&format!(
        "SELECT {PET_COLUMNS} FROM dogs WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(owner)
    .fetch_all(pool)
    .await
    .context("failed to list dogs")?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let photos: Vec<(Uuid, Photo)> = photos_for(pool, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = photos
                .iter()
                .filter(|(dog, _)| *dog == r.id)
                .map(|(_, p)| p.clone())
                .collect();
            into_dog(r, mine)
        })
        .collect())
}

/// One of the owner's dogs.
pub async fn get_owned(pool: &PgPool, owner: Uuid, id: Uuid) -> anyhow::Result<Option<Dog>> {
    let row: Option<DogRow> = sqlx::query_as(&format!(
        "SELECT {PET_COLUMNS} FROM dogs WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(pool)
    .await
    .context("failed to load dog")?;
    let Some(row) = row else { return Ok(None) };
    let photos = photos_for(pool, &[row.id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    Ok(Some(into_dog(row, photos)))
}

/// Updates one of the owner's dogs: `None` when there is no such dog, else
/// whether a venue page shows the change (its name under a photo taken there).
pub async fn update_owned(
    pool: &PgPool,
    owner: Uuid,
    id: Uuid,
    dog: &NewDog,
) -> anyhow::Result<Option<bool>> {
    // The old name is read under the row's lock, so two renames at once each
    // compare with what the other left.
    sqlx::query_scalar(
        "UPDATE dogs d SET name = $3, breed = $4, size = $5, birthday = $6::date, bio = $7, updated_at = now()
         FROM (SELECT name FROM dogs WHERE id = $1 AND user_id = $2 FOR UPDATE) old
         WHERE d.id = $1 AND d.user_id = $2
         RETURNING old.name IS DISTINCT FROM d.name AND EXISTS (
           SELECT 1 FROM photos p WHERE p.dog_id = d.id AND p.venue_id IS NOT NULL AND p.hidden_at IS NULL)",
    )
    .bind(id)
    .bind(owner)
    .bind(&dog.name)
    .bind(&dog.breed)
    .bind(dog.size.as_str())
    .bind(&dog.birthday)
    .bind(&dog.bio)
    .fetch_optional(pool)
    .await
    .context("failed to update dog")
}

/// Deletes one of the owner's dogs with its photo rows, in one transaction.
/// Returns the storage keys whose files the caller must now remove and
/// whether a venue page showed one of them, or `None` when there is no such dog.
pub async fn delete_owned(
    pool: &PgPool,
    owner: Uuid,
    id: Uuid,
) -> anyhow::Result<Option<(Vec<String>, bool)>> {
    let mut tx = pool.begin().await?;
    let photos: Vec<(String, bool)> = sqlx::query_as(
        "DELETE FROM photos WHERE dog_id = (SELECT id FROM dogs WHERE id = $1 AND user_id = $2)
         RETURNING storage_key, venue_id IS NOT NULL AND hidden_at IS NULL",
    )
    .bind(id)
    .bind(owner)
    .fetch_all(&mut *tx)
    .await
    .context("failed to delete dog photos")?;
    let deleted = sqlx::query("DELETE FROM dogs WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .context("failed to delete dog")?;
    if deleted.rows_affected() == 0 {
        return Ok(None);
    }
    tx.commit().await.context("failed to commit dog deletion")?;
    let shown = photos.iter().any(|(_, shown)| *shown);
    Ok(Some((photos.into_iter().map(|(key, _)| key).collect(), shown)))
}

async fn photos_for(pool: &PgPool, dogs: &[Uuid]) -> anyhow::Result<Vec<(Uuid, Photo)>> {
    if dogs.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, Uuid, String, i32, i32)> = sqlx::query_as(
        "SELECT dog_id, id, storage_key, width, height FROM photos
         WHERE dog_id = ANY($1) AND hidden_at IS NULL ORDER BY created_at DESC, id",
    )
    .bind(dogs)
    .fetch_all(pool)
    .await
    .context("failed to load dog photos")?;
    Ok(rows
        .into_iter()
        .map(|(dog, id, storage_key, width, height)| {
            (
                dog,
                Photo {
                    id,
                    storage_key,
                    width,
                    height,
                },
            )
        })
        .collect())
}

fn into_dog(r: DogRow, photos: Vec<Photo>) -> Dog {
    Dog {
        id: r.id,
        name: r.name,
        breed: r.breed,
        size: r.size,
        birthday: r.birthday,
        bio: r.bio,
        photos,
    }
}
