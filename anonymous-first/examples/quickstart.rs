//! The README's quickstart, runnable: declares three owned tables, makes a
//! guest with a playlist and two likes, counts them, merges the guest into an
//! account that liked one of the same tracks, and shows what moved.
//!
//! `DATABASE_URL=postgres://… cargo run -p anonymous-first --example quickstart`
//! (it works in temporary tables: nothing stays in the database).

use anonymous_first::{OwnedData, OwnedTable};
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let mut conn = PgConnection::connect(&url).await?;
    conn.execute(
        "CREATE TEMP TABLE users (id uuid PRIMARY KEY, is_anonymous boolean NOT NULL);
         CREATE TEMP TABLE playlists (id serial PRIMARY KEY, user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE);
         CREATE TEMP TABLE likes (user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE, track_id int NOT NULL,
                                  UNIQUE (user_id, track_id));
         CREATE TEMP TABLE ratings (user_id uuid REFERENCES users ON DELETE CASCADE, stars int NOT NULL);",
    )
    .await?;

    // Once, at startup: every table whose rows belong to a user.
    let owned = OwnedData::new(&[
        OwnedTable::new("playlists", "user_id"),
        // One like per user and track: the account's stays, the guest's twin is left behind.
        OwnedTable::new("likes", "user_id").unique_with("track_id"),
        // Ratings survive their author, without a name.
        OwnedTable::new("ratings", "user_id").outlives_owner(&[]),
    ])?;

    let (guest, account) = (Uuid::new_v4(), Uuid::new_v4());
    sqlx::query("INSERT INTO users VALUES ($1, true), ($2, false)")
        .bind(guest)
        .bind(account)
        .execute(&mut conn)
        .await?;
    sqlx::query("INSERT INTO playlists (user_id) VALUES ($1)")
        .bind(guest)
        .execute(&mut conn)
        .await?;
    sqlx::query("INSERT INTO likes VALUES ($1, 7), ($1, 8), ($2, 8)")
        .bind(guest)
        .bind(account)
        .execute(&mut conn)
        .await?;

    // "Bring your things along?" — one statement.
    println!("the guest has {}", owned.count(&mut conn, guest).await?);
    // In the sign-in's transaction: a fixed number of statements, whatever the rows.
    let mut tx = conn.begin().await?;
    let moved = owned.move_all(&mut tx, guest, account).await?;
    tx.commit().await?;
    println!("moved {moved}");
    println!("left with the guest {}", owned.count(&mut conn, guest).await?);
    Ok(())
}
