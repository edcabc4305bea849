//! A database of the test's own: made from `TEST_DATABASE_URL` (a role that
//! may create databases; `./test` gives it), given the crate's migrations
//! and then the test's own `schema`, dropped by [`Db::drop`].

use sqlx::{Connection, Executor, PgConnection, PgPool};
use uuid::Uuid;

/// A fresh database and a pool on it.
pub struct Db {
    pub pool: PgPool,
    admin: String,
    name: String,
}

impl Db {
    pub async fn new(schema: &str) -> Self {
        let admin = std::env::var("TEST_DATABASE_URL")
            .expect("TEST_DATABASE_URL: a Postgres role that may create databases (./test sets it)");
        let name = format!("anonymous_first_test_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let pool = PgPool::connect(&format!("{base}/{name}")).await.unwrap();
        anonymous_first::migrations::MIGRATOR.run(&pool).await.unwrap();
        if !schema.is_empty() {
            pool.execute(schema).await.unwrap();
        }
        Self { pool, admin, name }
    }

    pub async fn drop(self) {
        self.pool.close().await;
        let mut conn = PgConnection::connect(&self.admin).await.unwrap();
        conn.execute(format!("DROP DATABASE {} WITH (FORCE)", self.name).as_str())
            .await
            .unwrap();
    }
}
