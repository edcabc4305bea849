//! The crate's tables, as sqlx migrations embedded at compile time, and the
//! one [`Migrator`] an app runs: the crate's migrations and its own, ordered
//! by version, recorded in the one `_sqlx_migrations` table. An app's
//! migrations that point at `users` are versioned after the crate's
//! baseline (`20261210000001`); an app that had these tables before it used
//! the crate keeps its earlier versions, and the baseline's `IF NOT EXISTS`
//! finds nothing to do.

use anyhow::Context as _;
use sqlx::PgPool;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, Migrator};
use std::future::Future;
use std::pin::Pin;

/// The crate's own migrations (`anonymous-first/migrations/`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A list of migrations already resolved, as a source for [`Migrator::new`].
#[derive(Debug)]
struct Combined(Vec<Migration>);

impl<'s> MigrationSource<'s> for Combined {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async move { Ok(self.0) })
    }
}

/// The crate's migrations and `app`'s as one migrator, by version. Refuses
/// a version both have (one of them would never run).
pub async fn with_app(app: &Migrator) -> anyhow::Result<Migrator> {
    let mut all: Vec<Migration> = MIGRATOR.iter().chain(app.iter()).cloned().collect();
    all.sort_by_key(|m| m.version);
    if let Some(twice) = all.windows(2).find(|w| w[0].version == w[1].version) {
        anyhow::bail!(
            "migration version {} is both the identity crate's and the app's: give the app's another",
            twice[0].version
        );
    }
    Migrator::new(Combined(all))
        .await
        .context("failed to combine the migrations")
}

/// Applies the crate's and `app`'s pending migrations, in version order.
pub async fn run(pool: &PgPool, app: &Migrator) -> anyhow::Result<()> {
    with_app(app)
        .await?
        .run(pool)
        .await
        .context("failed to apply database migrations")
}
