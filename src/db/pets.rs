//! Dogs and their photos. Every query is scoped by the owner: someone else's dog
//! is indistinguishable from a dog that does not exist.

use crate::pet::{NewPet, Pet, Photo};
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct PetRow {
    id: Uuid,
    name: String,
    breed: Option<String>,
    size: String,
    birthday: Option<String>,
    bio: String,
}

const PET_COLUMNS: &str = "id, name, breed, size, birthday::text AS birthday, bio";

/// Stores a new dog for `owner`.
pub async fn create(pool: &PgPool, owner: Uuid, pet: &NewPet) -> anyhow::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO pets (user_id, name, breed, size, birthday, bio)
         VALUES ($1, $2, $3, $4, $5::date, $6) RETURNING id",
    )
    .bind(owner)
    .bind(&pet.name)
    .bind(&pet.breed)
    .bind(pet.size.as_str())
    .bind(&pet.birthday)
    .bind(&pet.bio)
    .fetch_one(pool)
    .await
    .context("failed to insert pet")
}

/// The owner's dogs, oldest first, each with its photos (two queries in all).
pub async fn list_for_owner(pool: &PgPool, owner: Uuid) -> anyhow::Result<Vec<Pet>> {
    let rows: Vec<PetRow> = sqlx::query_as(&format!(
        "SELECT {PET_COLUMNS} FROM pets WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(owner)
    .fetch_all(pool)
    .await
    .context("failed to list pets")?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let photos: Vec<(Uuid, Photo)> = photos_for(pool, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = photos
                .iter()
                .filter(|(pet, _)| *pet == r.id)
                .map(|(_, p)| p.clone())
                .collect();
            into_pet(r, mine)
        })
        .collect())
}

/// One of the owner's dogs.
pub async fn get_owned(pool: &PgPool, owner: Uuid, id: Uuid) -> anyhow::Result<Option<Pet>> {
    let row: Option<PetRow> = sqlx::query_as(&format!(
        "SELECT {PET_COLUMNS} FROM pets WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(pool)
    .await
    .context("failed to load pet")?;
    let Some(row) = row else { return Ok(None) };
    let photos = photos_for(pool, &[row.id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    Ok(Some(into_pet(row, photos)))
}

/// Updates one of the owner's dogs; `false` when there is no such dog.
pub async fn update_owned(pool: &PgPool, owner: Uuid, id: Uuid, pet: &NewPet) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE pets SET name = $3, breed = $4, size = $5, birthday = $6::date, bio = $7, updated_at = now()
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(owner)
    .bind(&pet.name)
    .bind(&pet.breed)
    .bind(pet.size.as_str())
    .bind(&pet.birthday)
    .bind(&pet.bio)
    .execute(pool)
    .await
    .context("failed to update pet")?;
    Ok(done.rows_affected() == 1)
}

/// Deletes one of the owner's dogs with its photo rows, in one transaction.
/// Returns the storage keys whose files the caller must now remove, or `None`
/// when there is no such dog.
pub async fn delete_owned(pool: &PgPool, owner: Uuid, id: Uuid) -> anyhow::Result<Option<Vec<String>>> {
    let mut tx = pool.begin().await?;
    let keys: Vec<String> = sqlx::query_scalar(
        "DELETE FROM media WHERE pet_id = (SELECT id FROM pets WHERE id = $1 AND user_id = $2)
         RETURNING storage_key",
    )
    .bind(id)
    .bind(owner)
    .fetch_all(&mut *tx)
    .await
    .context("failed to delete pet photos")?;
    let deleted = sqlx::query("DELETE FROM pets WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .context("failed to delete pet")?;
    if deleted.rows_affected() == 0 {
        return Ok(None);
    }
    tx.commit().await.context("failed to commit pet deletion")?;
    Ok(Some(keys))
}

async fn photos_for(pool: &PgPool, pets: &[Uuid]) -> anyhow::Result<Vec<(Uuid, Photo)>> {
    if pets.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, Uuid, String, i32, i32)> = sqlx::query_as(
        "SELECT pet_id, id, storage_key, width, height FROM media
         WHERE pet_id = ANY($1) AND hidden_at IS NULL ORDER BY created_at DESC, id",
    )
    .bind(pets)
    .fetch_all(pool)
    .await
    .context("failed to load pet photos")?;
    Ok(rows
        .into_iter()
        .map(|(pet, id, storage_key, width, height)| {
            (
                pet,
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

fn into_pet(r: PetRow, photos: Vec<Photo>) -> Pet {
    Pet {
        id: r.id,
        name: r.name,
        breed: r.breed,
        size: r.size,
        birthday: r.birthday,
        bio: r.bio,
        photos,
    }
}
