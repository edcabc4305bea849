//! The owned-data seam against a real Postgres, on a schema of its own (no
//! app): counts in one statement, a merge that moves a thousand rows in a
//! fixed number of statements with twins left behind and newer values
//! winning, an app-given step, the reaper's "owns nothing", and rows that
//! outlive their deleted owner.
//!
//! Needs `TEST_DATABASE_URL`: a role that may create databases (`./test`
//! gives it); each run makes a database of its own and drops it.

use crate::common;

use anonymous_first::{OwnedData, OwnedTable};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

const SCHEMA: &str = "
CREATE TABLE notes (id serial PRIMARY KEY, user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE);
CREATE TABLE likes (liker_id uuid NOT NULL REFERENCES users ON DELETE CASCADE, item int NOT NULL,
                    UNIQUE (liker_id, item));
CREATE TABLE votes (user_id uuid REFERENCES users ON DELETE CASCADE, slot text NOT NULL, choice text NOT NULL,
                    network text, created_at timestamptz NOT NULL, UNIQUE (user_id, slot));
CREATE TABLE pins (owner uuid NOT NULL REFERENCES users ON DELETE CASCADE, tag text NOT NULL,
                   UNIQUE (owner, tag));
";

fn tables() -> OwnedData {
    OwnedData::new(&[
        OwnedTable::new("notes", "user_id"),
        OwnedTable::new("likes", "liker_id").unique_with("item"),
        OwnedTable::new("votes", "user_id")
            .unique_with("slot")
            .newer_wins(&["choice", "created_at"])
            .outlives_owner(&["network"]),
        // The app's own step: a guest's pin the account has too is dropped
        // first (instead of staying behind with the guest).
        OwnedTable::new("pins", "owner")
            .unique_with("tag")
            .before_move("DELETE FROM pins g WHERE g.owner = $1 AND EXISTS (SELECT 1 FROM pins t WHERE t.owner = $2 AND t.tag = g.tag)"),
    ])
    .unwrap()
}

async fn user(db: &mut PgConnection, guest: bool) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO users (id, is_anonymous) VALUES ($1, $2)")
        .bind(id)
        .bind(guest)
        .execute(db)
        .await
        .unwrap();
    id
}

async fn run(db: &mut PgConnection, sql: &str, a: Uuid, b: Uuid) {
    sqlx::query(sql).bind(a).bind(b).execute(db).await.unwrap();
}

#[tokio::test]
async fn a_merge_moves_everything_in_fixed_statements_and_counts_come_from_one_list() {
    let test_db = common::Db::new(SCHEMA).await;
    let mut db = test_db.pool.acquire().await.unwrap().detach();
    let owned = tables();
    let (guest, account, empty) = (
        user(&mut db, true).await,
        user(&mut db, false).await,
        user(&mut db, true).await,
    );
    run(
        &mut db,
        "INSERT INTO notes (user_id) SELECT $1 FROM generate_series(1, 1000) WHERE $2 = $2",
        guest,
        guest,
    )
    .await;
    run(
        &mut db,
        "INSERT INTO likes VALUES ($1, 1), ($1, 2), ($2, 2)",
        guest,
        account,
    )
    .await;
    // The same slot: the guest's answer is newer, so it wins.
    run(
        &mut db,
        "INSERT INTO votes VALUES ($1, 'a', 'yes', 'n1', now()), ($1, 'b', 'no', 'n1', now()),
                                  ($2, 'a', 'no', 'n2', now() - interval '1 hour')",
        guest,
        account,
    )
    .await;
    run(
        &mut db,
        "INSERT INTO pins VALUES ($1, 'x'), ($1, 'y'), ($2, 'y')",
        guest,
        account,
    )
    .await;

    let counts = owned.count(&mut db, guest).await.unwrap();
    assert_eq!(counts.to_string(), "notes: 1000, likes: 2, votes: 2, pins: 2");
    assert!(owned.count(&mut db, empty).await.unwrap().is_empty());
    let nothing = format!("SELECT id FROM users u WHERE {}", owned.owns_nothing("u.id"));
    let idle: Vec<Uuid> = sqlx::query_scalar(&nothing).fetch_all(&mut db).await.unwrap();
    assert_eq!(idle, [empty], "only the user with nothing is the reaper's");

    // One move per table, one refresh and one app step: six, for any rows.
    assert_eq!(owned.merge_statements(), 6);
    let mut tx = db.begin().await.unwrap();
    let moved = owned.move_all(&mut tx, guest, account).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(moved.to_string(), "notes: 1000, likes: 1, votes: 1, pins: 1");
    assert_eq!(moved.total(), 1003);
    let left = owned.count(&mut db, guest).await.unwrap();
    assert_eq!(
        left.to_string(),
        "notes: 0, likes: 1, votes: 1, pins: 0",
        "twins stay behind"
    );
    let choice: String = sqlx::query_scalar("SELECT choice FROM votes WHERE user_id = $1 AND slot = 'a'")
        .bind(account)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(choice, "yes", "the guest's newer answer is the account's now");

    // Deleting the account: its votes stay, nameless; everything else goes.
    let mut tx = db.begin().await.unwrap();
    assert_eq!(owned.release(&mut tx, account).await.unwrap(), 2);
    run(
        &mut tx,
        "DELETE FROM users WHERE id = $1 AND $2 = $2",
        account,
        account,
    )
    .await;
    tx.commit().await.unwrap();
    let kept: (i64, i64) = sqlx::query_as("SELECT count(*), count(network) FROM votes WHERE user_id IS NULL")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(kept, (2, 0), "the votes outlive their owner, without its network");
    let notes: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(notes, 0);

    drop(db);
    test_db.drop().await;
}
