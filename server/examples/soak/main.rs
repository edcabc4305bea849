//! Soak test (run by `bench/soak`): N concurrent simulated guests browse, get a
//! session, add a dog, upload a photo, and every second one claims by magic
//! link (half into new accounts, half into existing ones). Optionally the
//! server is SIGKILLed halfway and restarted. Then every acknowledged row,
//! file and session is checked against the database and the disk.
//!
//! Loopback only; bounded by `SOAK_TIMEOUT_SECS`. Exits non-zero on any error
//! or mismatch. Configuration comes from the environment (see `bench/soak`).

mod guest;
mod journey;
mod mailbox;
mod process;
mod stats;
mod verify;

use anyhow::{Context, bail};
use journey::{Guest, Plan, Shared};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one run is asked to do.
struct Config {
    /// Every instance; the first is the public address.
    bases: Vec<String>,
    database_url: String,
    guests: usize,
    kill: bool,
    timeout: Duration,
    ramp: Duration,
    run: String,
}

fn config() -> anyhow::Result<Config> {
    let var = |k: &str| std::env::var(k).with_context(|| format!("{k} is not set"));
    let bases: Vec<String> = var("SOAK_BASES")
        .or_else(|_| var("SOAK_BASE"))?
        .split(',')
        .map(|b| b.trim().trim_end_matches('/').to_owned())
        .collect();
    for base in &bases {
        let host = base
            .strip_prefix("http://")
            .and_then(|rest| rest.split([':', '/']).next())
            .unwrap_or_default();
        if !matches!(host, "127.0.0.1" | "localhost" | "[") {
            bail!("SOAK_BASES must be loopback http:// addresses, not {base}");
        }
    }
    Ok(Config {
        bases,
        database_url: var("DATABASE_URL")?,
        guests: std::env::var("SOAK_GUESTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200)
            .clamp(4, 2000),
        kill: std::env::var("SOAK_KILL").is_ok_and(|v| v == "1"),
        timeout: Duration::from_secs(
            std::env::var("SOAK_TIMEOUT_SECS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(600),
        ),
        ramp: Duration::from_millis(
            std::env::var("SOAK_RAMP_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(3000),
        ),
        run: uuid::Uuid::new_v4().simple().to_string()[..8].to_owned(),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = config()?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&cfg.database_url)
        .await
        .context("cannot connect to the soak database")?;
    let servers = process::Servers::start(&cfg.bases).await?;
    let mail = mailbox::Mailbox::watch(std::env::var("SOAK_MAILDIR").context("SOAK_MAILDIR is not set")?);
    let plans = journey::plans(&pool, &cfg.run, cfg.guests).await?;
    let venue: String = sqlx::query_scalar("SELECT slug FROM venues ORDER BY slug LIMIT 1")
        .fetch_one(&pool)
        .await
        .context("no venue to browse (seed the demo venues)")?;
    // Five acknowledged steps per guest and four more per claimer: kill past
    // the middle, when the first claims are under way.
    let kill_at = cfg.kill.then_some(cfg.guests as u64 * 4);
    let shared = Arc::new(Shared::new(&cfg.bases, venue, mail, kill_at));
    let controller = tokio::spawn(process::control(servers, shared.clone()));

    println!(
        "Soak run {}: {} instance(s), {} guests arriving over {:.1} s, {} claims ({} into new accounts, {} into existing ones){}",
        cfg.run,
        cfg.bases.len(),
        cfg.guests,
        cfg.ramp.as_secs_f64(),
        plans.iter().filter(|p| !matches!(p, Plan::Stay)).count(),
        plans.iter().filter(|p| matches!(p, Plan::New(_))).count(),
        plans.iter().filter(|p| matches!(p, Plan::Existing(..))).count(),
        if cfg.kill {
            ", SIGKILL of the (first) server halfway"
        } else {
            ""
        },
    );
    let started = Instant::now();
    let tasks: Vec<_> = plans
        .into_iter()
        .enumerate()
        .map(|(i, plan)| {
            // Arrivals spread over the ramp, so the kill finds guests at every step.
            let delay = cfg.ramp.mul_f64(i as f64 / cfg.guests as f64);
            let guest = Guest::new(i, plan, shared.clone());
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                guest.run().await
            })
        })
        .collect();
    let guests = tokio::time::timeout(cfg.timeout, futures_join(tasks))
        .await
        .context("the soak did not finish within SOAK_TIMEOUT_SECS")?;
    let elapsed = started.elapsed();
    shared.finish();
    let servers = controller.await.context("server controller failed")??;

    shared.stats.print(elapsed);
    let kills = shared.kills();
    if kills > 0 {
        println!(
            "\nServer SIGKILLed {kills}× after {} acknowledged steps and restarted.",
            kill_at.unwrap_or(0)
        );
    }
    let report = verify::check(&pool, &shared, &guests, cfg.guests, &cfg.run).await?;
    report.print();
    servers.stop().await;
    let errors = shared.stats.errors();
    if errors > 0 || !report.ok() {
        bail!("soak failed: {errors} errors, {} mismatches", report.mismatches());
    }
    println!("\nSoak passed.");
    Ok(())
}

/// Waits for every guest, in order; a panicked task is an error.
async fn futures_join(tasks: Vec<tokio::task::JoinHandle<Guest>>) -> Vec<Guest> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        match task.await {
            Ok(guest) => out.push(guest),
            Err(err) => eprintln!("a guest task panicked: {err}"), // shows as a journey not completed
        }
    }
    out
}
