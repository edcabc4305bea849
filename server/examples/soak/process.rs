//! The servers under test: one or more instances on one database, each started
//! by the soak as a child process so it can be SIGKILLed and restarted.

use crate::journey::Shared;
use anyhow::{Context, bail};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A running server process.
pub struct Server {
    child: Child,
    bin: String,
    log: String,
    base: String,
}

/// Every instance, in the order of `SOAK_BASES`.
pub struct Servers(Vec<Server>);

impl Servers {
    /// Starts one instance per address (in turn: the first migrates) and waits
    /// for each one's `/healthz`.
    pub async fn start(bases: &[String]) -> anyhow::Result<Self> {
        let mut servers = Vec::new();
        for (i, base) in bases.iter().enumerate() {
            servers.push(Server::start(i, base).await?);
        }
        Ok(Self(servers))
    }

    /// Graceful stop of every instance.
    pub async fn stop(self) {
        for server in self.0 {
            server.stop().await;
        }
    }
}

impl Server {
    /// Starts `SOAK_SERVER_BIN` with this process's environment, listening on
    /// `base`'s port, and waits for `/healthz`.
    async fn start(index: usize, base: &str) -> anyhow::Result<Self> {
        let bin = std::env::var("SOAK_SERVER_BIN").context("SOAK_SERVER_BIN is not set")?;
        let log = std::env::var("SOAK_SERVER_LOG").unwrap_or_else(|_| "target/soak/server.log".into());
        let log = if index == 0 { log } else { format!("{log}.{index}") };
        let child = spawn(&bin, &log, base)?;
        let mut server = Self {
            child,
            bin,
            log,
            base: base.to_owned(),
        };
        server.wait_healthy().await?;
        Ok(server)
    }

    async fn wait_healthy(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("the server exited with {status} (see {})", self.log);
            }
            let health = client.get(format!("{}/healthz", self.base)).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the server did not become healthy within 60 s (see {})", self.log)
    }

    /// SIGKILL (no shutdown hooks, no draining), then a fresh start.
    async fn kill_and_restart(&mut self) -> anyhow::Result<Duration> {
        self.child.start_kill().context("cannot SIGKILL the server")?;
        self.child.wait().await.context("cannot reap the killed server")?;
        let down = Instant::now();
        self.child = spawn(&self.bin, &self.log, &self.base)?;
        self.wait_healthy().await?;
        Ok(down.elapsed())
    }

    /// Graceful stop (SIGTERM) at the end of the run.
    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await;
        let _ = self.child.start_kill();
    }
}

fn spawn(bin: &str, log: &str, base: &str) -> anyhow::Result<Child> {
    let bind = base.strip_prefix("http://").unwrap_or(base).trim_end_matches('/');
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("cannot open {log}"))?;
    Command::new(bin)
        .env("PAWS_BIND", bind)
        .stdout(out.try_clone()?)
        .stderr(out)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {bin}"))
}

/// Kills the first instance once `kill_at` steps were acknowledged (if asked
/// to), then restarts it; hands the servers back when the guests are done.
pub async fn control(mut servers: Servers, shared: Arc<Shared>) -> anyhow::Result<Servers> {
    if let Some(at) = shared.kill_at {
        while !shared.finished() && shared.acked() < at {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if !shared.finished() {
            shared.server_down(0);
            let took = servers.0[0].kill_and_restart().await?;
            println!(
                "SIGKILL at {} acknowledged steps; back up after {:.2} s",
                shared.acked(),
                took.as_secs_f64()
            );
            shared.server_up();
        }
    }
    Ok(servers)
}
