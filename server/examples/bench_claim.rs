//! Claim benchmark (run by `bench/run`): promote-in-place latency, and the
//! merge of a guest with N dogs and N photos into an existing account for
//! N = 10, 1 000, 10 000, with the number of SQL statements each merge ran
//! (from pg_stat_statements, which the bench cluster preloads) and, as a floor
//! for this machine, the same number of rows moved in a bare table.

use paws_inside::auth::{self, Caller, PgSessionStore, TypedSession};
use paws_inside::context::{Config, Context, Services};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

async fn guest_with(pool: &PgPool, n: i64) -> anyhow::Result<Uuid> {
    let guest: Uuid = sqlx::query_scalar("INSERT INTO users (is_anonymous) VALUES (true) RETURNING id")
        .fetch_one(pool)
        .await?;
    sqlx::query(
        "INSERT INTO dogs (user_id, name, size) SELECT $1, 'Dog ' || i, 'small' FROM generate_series(1, $2) i",
    )
    .bind(guest)
    .bind(n)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO photos (id, user_id, dog_id, width, height, bytes)
         SELECT gen_random_uuid(), $1, p.id, 400, 300, 1000 FROM dogs p WHERE p.user_id = $1",
    )
    .bind(guest)
    .execute(pool)
    .await?;
    Ok(guest)
}

/// Moves `rows` rows of a floor table from `from` to `to` in one `UPDATE`; milliseconds.
async fn floor(pool: &PgPool, table: &str, (from, to): (Uuid, Uuid), rows: i64) -> anyhow::Result<f64> {
    sqlx::query(&format!(
        "INSERT INTO {table} (user_id, name) SELECT $1, 'Dog ' || i FROM generate_series(1, $2) i"
    ))
    .bind(from)
    .bind(rows)
    .execute(pool)
    .await?;
    let started = Instant::now();
    sqlx::query(&format!("UPDATE {table} SET user_id = $2 WHERE user_id = $1"))
        .bind(from)
        .bind(to)
        .execute(pool)
        .await?;
    let took = ms(started);
    sqlx::query(&format!("TRUNCATE {table}")).execute(pool).await?;
    Ok(took)
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

async fn statements(pool: &PgPool) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(sum(calls), 0)::int8 FROM pg_stat_statements
         WHERE query NOT ILIKE '%pg_stat_statements%' AND query NOT IN ('BEGIN', 'COMMIT')
           AND query NOT ILIKE 'SAVEPOINT%' AND query NOT ILIKE 'RELEASE%'",
    )
    .fetch_one(pool)
    .await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let pool = PgPool::connect(&url).await?;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&pool)
        .await?;
    let target: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, is_anonymous) VALUES ('bench-' || gen_random_uuid() || '@example.com', false) RETURNING id",
    )
    .fetch_one(&pool)
    .await?;
    // Five merges per size (medians: one run on a shared machine says little),
    // each next to two floors: the same number of rows moved in a table with
    // nothing but a primary key, and in one with only what every owned table
    // has: the foreign key to `users` (PRODUCT.md, principle 2) and the index
    // on it (without which deleting a user scans the table).
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS bench_floor (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL, name text NOT NULL);
         CREATE TABLE IF NOT EXISTS bench_floor_fk (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL REFERENCES users (id), name text NOT NULL);
         CREATE INDEX IF NOT EXISTS bench_floor_fk_user_id ON bench_floor_fk (user_id);",
    )
    .execute(&pool)
    .await?;
    println!(
        "| guest rows (dogs + photos) | merge | floor: same rows, primary key only | floor: + foreign key and its index | SQL statements in the merge |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for n in [10i64, 1_000, 10_000] {
        let (mut merges, mut bare, mut with_fk, mut count) = (Vec::new(), Vec::new(), Vec::new(), 0);
        for _ in 0..5 {
            let guest = guest_with(&pool, n).await?;
            sqlx::query("SELECT pg_stat_statements_reset()")
                .execute(&pool)
                .await?;
            let started = Instant::now();
            let mut tx = pool.begin().await?;
            let moved = auth::merge::merge(&mut tx, guest, target).await?;
            tx.commit().await?;
            merges.push(ms(started));
            count = statements(&pool).await?;
            assert_eq!((moved.get("dogs"), moved.get("photos")), (n, n));
            let other = guest_with(&pool, 0).await?;
            bare.push(floor(&pool, "bench_floor", (other, target), 2 * n).await?);
            with_fk.push(floor(&pool, "bench_floor_fk", (other, target), 2 * n).await?);
        }
        println!(
            "| {n} + {n} | {:.1} ms | {:.1} ms | {:.1} ms | {count} |",
            median(&mut merges),
            median(&mut bare),
            median(&mut with_fk)
        );
    }
    println!("\n(medians of five runs each)");
    sqlx::query("DROP TABLE bench_floor, bench_floor_fk")
        .execute(&pool)
        .await?;
    // Promote in place: a browser's guest with a few dogs takes an address,
    // through the real flows (mint, issue the link, confirm it: consume,
    // promote and open the session in one transaction).
    let scratch = std::env::temp_dir().join(format!("paws-bench-{}", std::process::id()));
    let store = paws_inside::photos::PhotoStore::Local(scratch.join("media"));
    let config = Arc::new(Config {
        public_url: "http://127.0.0.1".into(),
        link_minutes: 10,
        reauth_minutes: 10,
        limits: Default::default(),
    });
    let hasher = paws_inside::password::Hasher::new(1);
    let auth = Context::new(Services {
        pool: pool.clone(),
        hasher: hasher.clone(),
        photos: paws_inside::photos::PhotoService::new(store.clone(), Default::default(), 1),
        oidc: paws_inside::auth::oidc::providers(Vec::new(), "http://127.0.0.1")?,
        passkeys: paws_inside::auth::passkeys::relying_party("http://127.0.0.1")?,
        public_pages: Default::default(),
        funnel: Default::default(),
        minter: Arc::new(paws_inside::auth::guest::minter(&Default::default())),
        // The app's own hooks, so a claim does what it does in the server.
        identity: paws_inside::auth::identity(
            pool.clone(),
            Arc::new(paws_inside::hooks::PawsHooks::new(
                pool.clone(),
                store,
                Default::default(),
            )),
            hasher,
            &config.limits,
            config.identity(),
        ),
        config,
    });
    let mut samples = Vec::new();
    for i in 0..50 {
        let session = tower_sessions::Session::new(
            None,
            Arc::new(PgSessionStore::new(pool.clone())),
            Some(tower_sessions::Expiry::OnInactivity(time::Duration::days(30))),
        );
        let mut caller = Caller {
            session: TypedSession::load(session).await?,
            ip: None,
            user_agent: "bench".into(),
            trusted_browser: None,
        };
        let guest = auth::guest::user_or_mint(&auth, &mut caller, None).await?.id();
        sqlx::query("INSERT INTO dogs (user_id, name, size) SELECT $1, 'Dog ' || i, 'small' FROM generate_series(1, 3) i")
            .bind(guest)
            .execute(&pool)
            .await?;
        let email = format!("promote-{}-{i}@example.com", Uuid::new_v4().simple());
        let mut conn = pool.acquire().await?;
        let token = auth::tokens::issue(
            &mut conn,
            auth::tokens::NewToken {
                purpose: auth::tokens::Purpose::MagicLink,
                email: &email,
                guest_id: Some(guest),
                next_path: "/",
                ttl_minutes: 10,
                password_hash: None,
                browser_hash: None,
                user_id: None,
            },
        )
        .await?
        .token;
        drop(conn);
        let started = Instant::now();
        let signed_in =
            auth::links::sign_in_with_link(&auth, &mut caller, &token, Default::default()).await?;
        samples.push(ms(started));
        assert_eq!(signed_in.outcomes, vec![auth::merge::Outcome::Promoted]);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    samples.sort_by(f64::total_cmp);
    println!();
    println!(
        "Promote in place (consume token + promote, one transaction), 50 runs: p50 {:.2} ms, p99 {:.2} ms",
        samples[samples.len() / 2],
        samples[(samples.len() * 99) / 100 - 1]
    );
    Ok(())
}
