//! What every feature's queries share: the pool, the embedded migrations, the
//! list of user-owned tables, rate limits and the reaper. Each feature keeps
//! its own queries in its folder (`dogs::queries`, `photos::queries`, …).

pub mod ownership;
pub mod reaper;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// The schema migrations in `migrations/`, embedded at compile time; they run
/// with the identity crate's as one migrator ([`migrate`]).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The identity crate's migrations, which [`migrate`] runs with ours.
pub use anonymous_first::migrations::MIGRATOR as IDENTITY_MIGRATOR;

/// A connection idle for longer than this is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Opens a connection pool. Connections are made lazily so the server can start
/// (and report an unhealthy `/healthz`) while the database is still coming up.
///
/// sqlx pings every connection it hands out by default: a round trip to
/// Postgres before every query, which doubled the round trips (and the two
/// processes' wake-ups) of every request. Only a connection that sat idle
/// for a while — the one a database restart or a dropped link could have
/// killed — is pinged now; one handed back and forth under load is not.
pub fn connect_lazy(database_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options =
        PgConnectOptions::from_str(database_url).context("DATABASE_URL is not a valid Postgres URL")?;
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .connect_lazy_with(options))
}

/// Applies pending migrations: ours and the identity crate's, in version
/// order (the crate's baseline comes after ours, which made its tables
/// first, and finds nothing to do).
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    anonymous_first::migrations::run(pool, &MIGRATOR).await
}

/// A cheap round trip, for health checks.
pub async fn ping(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query("SELECT 1")
        .execute(pool)
        .await
        .context("database did not answer")?;
    Ok(())
}
