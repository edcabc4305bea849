//! Migrations that rewrite existing rows keep every row and every link: each is
//! applied to a database holding data in the shape before it.

mod common;

use sqlx::PgPool;
use uuid::Uuid;

/// The migration files in order, as (version, SQL).
fn migrations() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Applies the migrations whose file name sorts before / from `version`.
async fn apply(pool: &PgPool, before: bool, version: &str) {
    for (name, sql) in migrations() {
        if (name.as_str() < version) == before {
            sqlx::raw_sql(&sql).execute(pool).await.unwrap();
        }
    }
}

#[tokio::test]
async fn photos_take_their_storage_key_as_id_and_keep_their_reports() {
    let pool = PgPool::connect(&common::empty_database().await).await.unwrap();
    let version = "20261124000001";
    apply(&pool, true, version).await;
    let user: Uuid = sqlx::query_scalar("INSERT INTO users (is_anonymous) VALUES (true) RETURNING id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let pet: Uuid =
        sqlx::query_scalar("INSERT INTO pets (user_id, name, size) VALUES ($1, 'Rex', 'small') RETURNING id")
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
    // Before: an id and an unrelated random key, and a report pointing at the id.
    let key = Uuid::new_v4().simple().to_string();
    let old_id: Uuid = sqlx::query_scalar(
        "INSERT INTO media (user_id, pet_id, storage_key, width, height, bytes)
         VALUES ($1, $2, $3, 4, 4, 10) RETURNING id",
    )
    .bind(user)
    .bind(pet)
    .bind(&key)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_ne!(old_id.simple().to_string(), key);
    sqlx::query("INSERT INTO photo_reports (media_id, reporter_id, reason) VALUES ($1, $2, 'spam')")
        .bind(old_id)
        .bind(user)
        .execute(&pool)
        .await
        .unwrap();

    apply(&pool, false, version).await;

    let (id, stored_key, owner): (Uuid, String, Uuid) =
        sqlx::query_as("SELECT id, storage_key, user_id FROM media")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (id.simple().to_string(), stored_key, owner),
        (key.clone(), key, user)
    );
    let reported: Uuid = sqlx::query_scalar("SELECT media_id FROM photo_reports")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reported, id, "the report follows its photo");
    // The key cannot be written apart from the id any more.
    let err = sqlx::query("UPDATE media SET storage_key = 'x'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("can only be updated to DEFAULT"),
        "{err}"
    );
}
