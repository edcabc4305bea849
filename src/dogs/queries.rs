//! Dogs and their photos. Every query is scoped by the owner: someone else's dog
//! is indistinguishable from a dog that does not exist.

use crate::dogs::{Dog, DogCursor, DogList, DogSummary, NewDog, PAGE_SIZE};
use crate::photos::Photo;
use crate::text::Text;
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

/// What adding a dog came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// Stored, with this id.
    Dog(Uuid),
    /// The owner has `max` dogs already; nothing was written.
    Full,
    /// The owner's row is gone (merged into an account or deleted meanwhile).
    NoOwner,
}

/// Stores a new dog for `owner` unless it has `max` dogs already, in one
/// statement. The owner's row is locked first (`FOR NO KEY UPDATE`: rows that
/// merely point at it are not held up), so two adds at once take turns, and
/// the count after the lock sees the other's dog (`paws_dogs_of` is volatile:
/// see its migration).
pub async fn create(pool: &PgPool, owner: Uuid, dog: &NewDog, max: i64) -> anyhow::Result<Added> {
    let (id, found): (Option<Uuid>, bool) = sqlx::query_as(
        "WITH owner AS (SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE),
              added AS (
                INSERT INTO dogs (user_id, name, breed, size, birthday, bio)
                SELECT id, $2, $3, $4, $5::date, $6 FROM owner WHERE paws_dogs_of(id, $7) < $7
                RETURNING id)
         SELECT (SELECT id FROM added), EXISTS (SELECT 1 FROM owner)",
    )
    .bind(owner)
    .bind(dog.name.as_str())
    .bind(dog.breed.as_ref().map(Text::as_str))
    .bind(dog.size.as_str())
    .bind(&dog.birthday)
    .bind(dog.bio.as_str())
    .bind(max)
    .fetch_one(pool)
    .await
    .context("failed to insert dog")?;
    Ok(match (id, found) {
        (Some(id), _) => Added::Dog(id),
        (None, true) => Added::Full,
        (None, false) => Added::NoOwner,
    })
}

#[derive(sqlx::FromRow)]
struct ListedRow {
    id: Uuid,
    name: String,
    breed: Option<String>,
    size: String,
    micros: i64,
    photo_id: Option<Uuid>,
    storage_key: Option<String>,
    width: Option<i32>,
    height: Option<i32>,
}

const LISTED: &str = "SELECT d.id, d.name, d.breed, d.size,
            (extract(epoch FROM d.created_at) * 1000000)::bigint AS micros,
            p.id AS photo_id, p.storage_key, p.width, p.height
     FROM dogs d
     LEFT JOIN LATERAL (
       SELECT id, storage_key, width, height FROM photos
       WHERE dog_id = d.id AND hidden_at IS NULL ORDER BY created_at DESC, id LIMIT 1) p ON true
     WHERE d.user_id = $1";

/// One page of the owner's dogs, oldest first, from just after `after`:
/// [`PAGE_SIZE`] dogs, each with its newest photo, and where the next page
/// starts. One query, an index range and a probe per dog, however many dogs
/// and photos the owner has.
pub async fn page(pool: &PgPool, owner: Uuid, after: Option<DogCursor>) -> anyhow::Result<DogList> {
    let sql = match after {
        None => format!("{LISTED} ORDER BY d.created_at, d.id LIMIT $2"),
        Some(_) => format!(
            "{LISTED} AND (d.created_at, d.id) > (timestamptz 'epoch' + $3 * interval '1 microsecond', $4)
             ORDER BY d.created_at, d.id LIMIT $2"
        ),
    };
    let mut query = sqlx::query_as(&sql).bind(owner).bind(PAGE_SIZE + 1);
    if let Some(after) = after {
        query = query.bind(after.micros).bind(after.id);
    }
    let rows: Vec<ListedRow> = query.fetch_all(pool).await.context("failed to list dogs")?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let rows = &rows[..rows.len().min(PAGE_SIZE as usize)];
    let next = more.then(|| rows.last()).flatten().map(|last| DogCursor {
        micros: last.micros,
        id: last.id,
    });
    Ok(DogList {
        dogs: rows.iter().map(listed).collect(),
        next: next.map(|c| c.to_param()),
    })
}

fn listed(r: &ListedRow) -> DogSummary {
    let thumb = match (r.photo_id, &r.storage_key, r.width, r.height) {
        (Some(id), Some(key), Some(width), Some(height)) => Some(Photo {
            id,
            storage_key: key.clone(),
            width,
            height,
        }),
        _ => None,
    };
    DogSummary {
        id: r.id,
        name: r.name.clone(),
        breed: r.breed.clone(),
        size: r.size.clone(),
        thumb,
    }
}

/// The owner's dogs to choose from (id and name), oldest first, at most `limit`.
pub async fn names(pool: &PgPool, owner: Uuid, limit: i64) -> anyhow::Result<Vec<(Uuid, String)>> {
    sqlx::query_as("SELECT id, name FROM dogs WHERE user_id = $1 ORDER BY created_at, id LIMIT $2")
        .bind(owner)
        .bind(limit)
        .fetch_all(pool)
        .await
        .context("failed to list dog names")
}

/// How many dogs the owner keeps.
pub async fn count(pool: &PgPool, owner: Uuid) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM dogs WHERE user_id = $1")
        .bind(owner)
        .fetch_one(pool)
        .await
        .context("failed to count dogs")
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
    .bind(dog.name.as_str())
    .bind(dog.breed.as_ref().map(Text::as_str))
    .bind(dog.size.as_str())
    .bind(&dog.birthday)
    .bind(dog.bio.as_str())
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
