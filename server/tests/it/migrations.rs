//! Migrations that rewrite existing rows keep every row and every link: each is
//! applied to a database holding data in the shape before it.

use sqlx::PgPool;
use uuid::Uuid;

/// The migration files in version order, ours and the identity crate's
/// together (as the app runs them), as (file name, SQL).
fn migrations() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<_> = ["migrations", "anonymous-first/migrations"]
        .into_iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort_by_key(|p| p.file_name().unwrap().to_owned());
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
    let pool = PgPool::connect(&crate::common::empty_database().await)
        .await
        .unwrap();
    let version = "20261124000001";
    apply(&pool, true, version).await;
    let user: Uuid = sqlx::query_scalar("INSERT INTO users (is_anonymous) VALUES (true) RETURNING id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let dog: Uuid =
        sqlx::query_scalar("INSERT INTO pets (user_id, name, size) VALUES ($1, 'Rex', 'small') RETURNING id")
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
    // Before (the tables had their old names): an id and an unrelated random
    // key, and a report pointing at the id.
    let key = Uuid::new_v4().simple().to_string();
    let old_id: Uuid = sqlx::query_scalar(
        "INSERT INTO media (user_id, pet_id, storage_key, width, height, bytes)
         VALUES ($1, $2, $3, 4, 4, 10) RETURNING id",
    )
    .bind(user)
    .bind(dog)
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
        sqlx::query_as("SELECT id, storage_key, user_id FROM photos")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (id.simple().to_string(), stored_key, owner),
        (key.clone(), key, user)
    );
    let reported: Uuid = sqlx::query_scalar("SELECT photo_id FROM photo_reports")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reported, id, "the report follows its photo");
    // The key cannot be written apart from the id any more.
    let err = sqlx::query("UPDATE photos SET storage_key = 'x'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("can only be updated to DEFAULT"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_keep_their_user_across_the_identity_core_and_unrecorded_ones_end() {
    let url = crate::common::empty_database().await;
    let pool = PgPool::connect(&url).await.unwrap();
    let version = "20261201000001";
    apply(&pool, true, version).await;
    let guest: Uuid = sqlx::query_scalar("INSERT INTO users (is_anonymous) VALUES (true) RETURNING id")
        .fetch_one(&pool)
        .await
        .unwrap();
    // Before: a recorded session (tower-sessions' row + our user_sessions row)
    // and one that a taken-address sign-up rotated without recording.
    let (recorded, unrecorded) = (
        tower_sessions::session::Id::default().to_string(),
        tower_sessions::session::Id::default().to_string(),
    );
    for id in [&recorded, &unrecorded] {
        sqlx::query(
            "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, '\\x80', now() + interval '9 days')",
        )
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO user_sessions (session_id, user_id, user_agent, created_at)
         VALUES ($1, $2, 'Firefox', now() - interval '3 days')",
    )
    .bind(&recorded)
    .bind(guest)
    .execute(&pool)
    .await
    .unwrap();

    apply(&pool, false, version).await;

    let rows: Vec<(String, Uuid, String, bool)> = sqlx::query_as(
        "SELECT id, user_id, user_agent, authenticated_at < now() - interval '2 days' FROM sessions",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows, vec![(recorded.clone(), guest, "Firefox".to_owned(), true)]);

    // The app, started on the migrated database, still knows the guest.
    let app = crate::common::spawn_with(crate::common::settings(&url, &[("RUN_MIGRATIONS", "false")])).await;
    let me: serde_json::Value = app
        .client
        .post(format!("{}/api/auth/me", app.address))
        .header("accept", "application/json")
        .header("cookie", format!("paws_session={recorded}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], guest.to_string());
    assert_eq!(me["kind"], "guest");
}

#[tokio::test]
async fn dogs_and_photos_keep_their_rows_and_links_under_their_new_names() {
    let pool = PgPool::connect(&crate::common::empty_database().await)
        .await
        .unwrap();
    let version = "20261201000002";
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
    let photo = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO media (id, user_id, pet_id, width, height, bytes) VALUES ($1, $2, $3, 4, 4, 10)",
    )
    .bind(photo)
    .bind(user)
    .bind(pet)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO photo_reports (media_id, reporter_id, reason) VALUES ($1, $2, 'spam')")
        .bind(photo)
        .bind(user)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO claim_audit (from_user, to_user, counts)
         VALUES ($1, $1, '{\"pets\": 2, \"media\": 1, \"venue_suggestions\": 0}')",
    )
    .bind(user)
    .execute(&pool)
    .await
    .unwrap();

    apply(&pool, false, version).await;

    let counts: serde_json::Value = sqlx::query_scalar("SELECT counts FROM claim_audit")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        counts,
        serde_json::json!({"dogs": 2, "photos": 1, "venue_suggestions": 0}),
        "old audit rows name the tables by their new names"
    );

    let (dog, owner): (Uuid, Uuid) = sqlx::query_as("SELECT id, user_id FROM dogs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((dog, owner), (pet, user));
    let (id, of_dog): (Uuid, Uuid) = sqlx::query_as("SELECT id, dog_id FROM photos")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((id, of_dog), (photo, pet));
    let reported: Uuid = sqlx::query_scalar("SELECT photo_id FROM photo_reports")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reported, photo);
    // The links still hold: deleting the dog deletes its photo and its report.
    sqlx::query("DELETE FROM dogs").execute(&pool).await.unwrap();
    let left: i64 =
        sqlx::query_scalar("SELECT (SELECT count(*) FROM photos) + (SELECT count(*) FROM photo_reports)")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
}
