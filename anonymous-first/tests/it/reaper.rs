//! The reaper against a real Postgres, with an app of the test's own (a
//! `notes` table a user owns; hooks that count reaped guests in the
//! reaper's transaction, or fail): only idle guests that own nothing go, a
//! dry pass deletes nothing, and the app's count failing keeps the guests.

use crate::common::{self, NOTES, Person, count, person};
use anonymous_first::hooks::{AfterCommit, BoxFuture, Hooks};
use anonymous_first::identity::Config;
use anonymous_first::reaper::{self, Reaped};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

const COUNTS: &str = "CREATE TABLE reaped_counts (n int8 NOT NULL);";

#[derive(Default)]
struct App {
    fail: AtomicBool,
}

impl Hooks for App {
    fn erasing<'c>(
        &'c self,
        _: &'c mut PgConnection,
        _: Uuid,
    ) -> BoxFuture<'c, anyhow::Result<Option<AfterCommit>>> {
        Box::pin(async { Ok(None) })
    }

    fn reaped<'c>(&'c self, conn: &'c mut PgConnection, guests: u64) -> BoxFuture<'c, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::query("INSERT INTO reaped_counts (n) VALUES ($1)")
                .bind(guests as i64)
                .execute(&mut *conn)
                .await?;
            anyhow::ensure!(!self.fail.load(Ordering::SeqCst), "the app's count failed");
            Ok(())
        })
    }
}

/// A user last seen `idle_days` ago with `notes` notes; `email` makes a member.
async fn user(pool: &PgPool, email: Option<&str>, idle_days: i32, notes: i32) -> Uuid {
    person(
        pool,
        Person {
            email,
            idle_days,
            notes,
            ..Person::default()
        },
    )
    .await
}

async fn exists(pool: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn only_idle_guests_that_own_nothing_go_and_the_app_counts_them_in_the_same_transaction() {
    let db = common::Db::new(&format!("{NOTES}{COUNTS}")).await;
    let pool = &db.pool;
    let app = Arc::new(App::default());
    let identity = common::identity(pool, app.clone(), Config::default());
    let idle_empty = [user(pool, None, 40, 0).await, user(pool, None, 31, 0).await];
    let idle_with_a_note = user(pool, None, 40, 1).await;
    let recent = user(pool, None, 3, 0).await;
    let member = user(pool, Some("m@example.com"), 400, 0).await;
    sqlx::query(
        "INSERT INTO sessions (id, user_id, expiry_date) VALUES
           ('gone', $1, now() - interval '1 second'), ('live', $1, now() + interval '1 day')",
    )
    .bind(recent)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sign_ins (at, user_id, method, promoted, merged, merge_failed, created) VALUES
           (now() - interval '100 days', $1, 'code', false, 0, 0, false),
           (now() - interval '10 days', $1, 'code', false, 0, 0, false)",
    )
    .bind(member)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO rate_limits VALUES ('old', now() - interval '3 days', 1), ('new', now(), 1)")
        .execute(pool)
        .await
        .unwrap();

    // Dry: what would go, and nothing goes.
    let dry = reaper::pass(&identity, 30, true).await.unwrap();
    let expected = Reaped {
        guests: 2,
        sessions: 1,
        tokens: 0,
        rate_limits: 1,
        mails: 0,
    };
    assert_eq!(dry, expected);
    assert!(exists(pool, idle_empty[0]).await && exists(pool, idle_empty[1]).await);
    assert_eq!(count(pool, "SELECT count(*) FROM sessions").await, 2);
    assert_eq!(count(pool, "SELECT count(*) FROM reaped_counts").await, 0);

    // The app's count failing rolls the batch back: the guests stay.
    app.fail.store(true, Ordering::SeqCst);
    assert!(reaper::guests(&identity, 30, 100, false).await.is_err());
    assert!(exists(pool, idle_empty[0]).await && exists(pool, idle_empty[1]).await);
    assert_eq!(count(pool, "SELECT count(*) FROM reaped_counts").await, 0);
    app.fail.store(false, Ordering::SeqCst);

    // In batches of one: each batch is counted in its own transaction.
    assert_eq!(reaper::guests(&identity, 30, 1, false).await.unwrap(), 2);
    assert!(!exists(pool, idle_empty[0]).await && !exists(pool, idle_empty[1]).await);
    assert_eq!(
        count(pool, "SELECT count(*) FILTER (WHERE n = 1) FROM reaped_counts").await,
        2,
        "one count per batch"
    );
    for kept in [idle_with_a_note, recent, member] {
        assert!(
            exists(pool, kept).await,
            "a guest with a note, a recent guest and a member stay"
        );
    }

    let done = reaper::pass(&identity, 30, false).await.unwrap();
    assert_eq!(
        done,
        Reaped {
            guests: 0,
            ..expected
        }
    );
    assert_eq!(
        count(pool, "SELECT count(*) FROM sessions WHERE id = 'live'").await,
        1
    );
    assert_eq!(count(pool, "SELECT count(*) FROM sessions").await, 1);
    assert_eq!(count(pool, "SELECT count(*) FROM rate_limits").await, 1);
    assert_eq!(
        count(pool, "SELECT count(*) FROM sign_ins").await,
        1,
        "sign-ins older than 13 weeks go"
    );
    db.drop().await;
}
