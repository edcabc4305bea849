//! One simulated guest's journey, and the state all guests share.

use crate::mailbox::Mailbox;
use crate::stats::Stats;
use anyhow::Context;
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

/// What a guest does after uploading.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Stays a guest.
    Stay,
    /// Claims into a new account with this address (promote in place).
    New(String),
    /// Claims into this existing account (merge).
    Existing(String, Uuid),
}

/// Every second guest claims; of those, half into existing accounts, made here
/// (setup, not measured) with one dog each.
pub async fn plans(pool: &PgPool, run: &str, n: usize) -> anyhow::Result<Vec<Plan>> {
    let mut plans = Vec::with_capacity(n);
    for i in 0..n {
        let email = format!("soak-{run}-{i}@example.test");
        plans.push(match i % 4 {
            0 => Plan::New(email),
            2 => {
                let id: Uuid = sqlx::query_scalar(
                    "INSERT INTO users (email, is_anonymous, email_verified_at) VALUES ($1, false, now()) RETURNING id",
                )
                .bind(&email)
                .fetch_one(pool)
                .await
                .context("cannot create an existing account")?;
                sqlx::query("INSERT INTO dogs (user_id, name, size) VALUES ($1, 'Resident', 'medium')")
                    .bind(id)
                    .execute(pool)
                    .await?;
                Plan::Existing(email, id)
            }
            _ => Plan::Stay,
        });
    }
    Ok(plans)
}

/// Which instance is down (killed, not yet healthy again), and how often one
/// was killed so far.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ServerState {
    kills: u32,
    down: Option<usize>,
}

/// State shared by all guests and the server controller.
pub struct Shared {
    /// The public address (the first instance's): what pages and mail use.
    pub(crate) base: String,
    /// Every instance, as a load balancer sees them.
    bases: Vec<String>,
    next: std::sync::atomic::AtomicUsize,
    pub(crate) venue: String,
    pub(crate) mail: Mailbox,
    pub(crate) photo: Vec<u8>,
    /// Latencies, errors and interruptions.
    pub stats: Stats,
    /// Kill the server once this many steps were acknowledged.
    pub kill_at: Option<u64>,
    acked: AtomicU64,
    finished: AtomicBool,
    state: watch::Sender<ServerState>,
}

/// A 1024×768 JPEG, as a phone photo scaled down would be.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1024, 768, |x, y| {
        image::Rgb([(x / 4) as u8, (y / 3) as u8, ((x ^ y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode the soak photo");
    out.into_inner()
}

impl Shared {
    /// Shared state for a run against `bases` (the first is the public address).
    pub fn new(bases: &[String], venue: String, mail: Mailbox, kill_at: Option<u64>) -> Self {
        Self {
            base: bases[0].clone(),
            bases: bases.to_vec(),
            next: Default::default(),
            venue,
            mail,
            photo: photo(),
            stats: Stats::default(),
            kill_at,
            acked: AtomicU64::new(0),
            finished: AtomicBool::new(false),
            state: watch::Sender::new(ServerState { kills: 0, down: None }),
        }
    }

    /// Steps acknowledged so far.
    pub fn acked(&self) -> u64 {
        self.acked.load(Ordering::SeqCst)
    }

    /// Whether every guest is done.
    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    /// Marks every guest done.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::SeqCst);
    }

    /// How often the server was killed.
    pub fn kills(&self) -> u32 {
        self.state.borrow().kills
    }

    /// Instance `i` is about to be killed.
    pub fn server_down(&self, i: usize) {
        self.state.send_modify(|s| {
            s.kills += 1;
            s.down = Some(i);
        });
    }

    /// Every instance answers again.
    pub fn server_up(&self) {
        self.state.send_modify(|s| s.down = None);
    }

    /// The instance the next request goes to: round robin over those up, as a
    /// load balancer does once its health check sees one gone.
    pub fn route(&self) -> &str {
        let down = self.state.borrow().down;
        let n = self.bases.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|k| (start + k) % n)
            .find(|i| Some(*i) != down)
            .map_or(&self.base, |i| &self.bases[i])
    }

    /// Waits until every instance is up, and a moment more for mail the
    /// restart sends again.
    pub async fn settle(&self) {
        let mut rx = self.state.subscribe();
        let _ = rx.wait_for(|s| s.down.is_none()).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }

    /// Waits while no instance is up (with one instance: while it restarts).
    async fn wait_up(&self) {
        let mut rx = self.state.subscribe();
        let n = self.bases.len();
        let _ = rx.wait_for(|s| s.down.is_none() || n > 1).await;
    }
}

/// How an attempt at one step ended.
pub enum Attempt<T> {
    /// Acknowledged.
    Done(T),
    /// Cut off by the kill; the server is back up.
    Interrupted,
    /// A real error (already counted).
    Failed,
}

/// Runs `request` once, timing it. A failure while the server was being killed
/// counts as an interruption, any other failure as an error.
pub async fn attempt<T, Fut>(
    shared: &Shared,
    guest: usize,
    step: &'static str,
    request: impl Fn() -> Fut,
) -> Attempt<T>
where
    Fut: Future<Output = anyhow::Result<T>>,
{
    shared.wait_up().await;
    let before = *shared.state.borrow();
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(60), request()).await;
    let result = result.unwrap_or_else(|_| Err(anyhow::anyhow!("no answer within 60 s")));
    match result {
        Ok(value) => {
            shared.stats.ok(step, started.elapsed());
            shared.acked.fetch_add(1, Ordering::SeqCst);
            Attempt::Done(value)
        }
        Err(_) if *shared.state.borrow() != before => {
            shared.stats.interrupted(step);
            shared.wait_up().await;
            Attempt::Interrupted
        }
        Err(err) => {
            shared.stats.error(step, format!("guest {guest}: {err:#}"));
            Attempt::Failed
        }
    }
}

/// A simulated visitor with its own cookie jar and client address.
pub struct Guest {
    /// Position in the run.
    pub index: usize,
    /// What it does after uploading.
    pub plan: Plan,
    /// Its browser (cookie jar included), for the final session check.
    pub client: reqwest::Client,
    /// The guest user its session got.
    pub guest_id: Option<Uuid>,
    /// Acknowledged dogs.
    pub dogs: Vec<Uuid>,
    /// Acknowledged photos.
    pub photos: Vec<Uuid>,
    /// The claim was acknowledged (or seen done after an interruption).
    pub claimed: bool,
    /// The journey reached its end.
    pub completed: bool,
    pub(crate) shared: Arc<Shared>,
}
