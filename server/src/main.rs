//! The `server` binary.

use server::cli::{self, Command};
use server::{Application, Settings, telemetry};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::parse(&args) {
        Ok(Command::Help) => {
            print!("{}", cli::usage());
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("server {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Serve) => match serve().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                tracing::error!("{err:#}");
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        },
        Ok(Command::Reap(dry_run)) => match reap(dry_run).await {
            Ok(r) => {
                let verb = if dry_run { "would delete" } else { "deleted" };
                println!(
                    "{verb}: {} guests, {} sessions, {} tokens, {} rate-limit windows, {} orphan photos",
                    r.tables.guests,
                    r.tables.sessions,
                    r.tables.tokens,
                    r.tables.rate_limits,
                    r.orphan_photos
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        },
        Ok(Command::ImportOsm { path, city }) => printed(import_osm(&path, city.as_deref()).await),
        Ok(Command::Ops(task)) => printed(ops(task).await),
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

/// An operator command's outcome: its report on stdout, or the error on stderr.
fn printed(outcome: anyhow::Result<String>) -> ExitCode {
    match outcome {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.http.log_json);
    tracing::info!(?settings, "starting");
    Application::build(settings).await?.run_until_stopped().await
}

async fn ops(task: server::ops::Task) -> anyhow::Result<String> {
    let settings = Settings::from_env()?;
    let pool = paws_inside::db::connect_lazy(settings.database.url.expose(), 2)?;
    if settings.database.run_migrations {
        paws_inside::db::migrate(&pool).await?;
    }
    server::ops::run(&pool, task).await
}

async fn import_osm(path: &str, city: Option<&str>) -> anyhow::Result<String> {
    let settings = Settings::from_env()?;
    let pool = paws_inside::db::connect_lazy(settings.database.url.expose(), 2)?;
    if settings.database.run_migrations {
        paws_inside::db::migrate(&pool).await?;
    }
    server::osm::import_file(&pool, path, city).await
}

async fn reap(dry_run: bool) -> anyhow::Result<paws_inside::db::reaper::Reaped> {
    let settings = Settings::from_env()?;
    let pool = paws_inside::db::connect_lazy(settings.database.url.expose(), 2)?;
    let store = settings.media.open_store()?;
    server::jobs::reap_once(&pool, &store, settings.limits.guest_idle_days, dry_run).await
}
