//! Waiting on conditions, never for a fixed time: [`until`] a query says so,
//! and forcing an interleaving ([`Held`]): a test transaction holds a lock the
//! requests under test need, the test waits until the expected number of
//! them is queued behind it (Postgres says so), then lets them all go at
//! once. Whatever the scheduler does, they really were in flight together.

use super::TestApp;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::{Duration, Instant};

/// Waits (up to 20 s) until `sql` answers true.
pub async fn until(pool: &PgPool, sql: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let done: bool = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
        if done {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Locks a test holds until [`Held::release`].
pub struct Held {
    tx: Transaction<'static, Postgres>,
    pool: PgPool,
}

impl TestApp {
    /// Runs `sql` (say `SELECT … FOR UPDATE` or `LOCK TABLE …`, with `args`
    /// bound as text to `$1`, `$2`, …) in a transaction kept open: its locks
    /// stay held. (Locking nothing by mistake shows as [`Held::until_waiting`]
    /// timing out.)
    pub async fn hold(&self, sql: &str, args: &[&str]) -> Held {
        let mut tx = self.pool.begin().await.unwrap();
        let mut query = sqlx::query(sql);
        for arg in args {
            query = query.bind(arg.to_string());
        }
        query.execute(&mut *tx).await.unwrap();
        Held {
            tx,
            pool: self.pool.clone(),
        }
    }
}

impl Held {
    /// Waits (up to 20 s) until at least `n` statements matching the regular
    /// expression `on` wait for a lock in this database (`""`: any
    /// statement, where only the requests under test can wait on one).
    pub async fn until_waiting(&self, n: i64, on: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'
                   AND query ~ $1",
            )
            .bind(on)
            .fetch_one(&self.pool)
            .await
            .unwrap();
            if waiting >= n {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "only {waiting} of {n} requests queued on `{on}`"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Lets everything queued behind the locks go.
    pub async fn release(self) {
        self.tx.rollback().await.unwrap();
    }
}
