//! The steps of one guest's journey, each an HTTP request like a browser's.

use crate::journey::{Attempt, Guest, Plan, Shared, attempt};
use anyhow::{Context, bail, ensure};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

impl Guest {
    /// A fresh browser for guest `index`, coming from its own (forwarded) address.
    pub fn new(index: usize, plan: Plan, shared: Arc<Shared>) -> Self {
        let ip = format!("10.77.{}.{}", index / 250, index % 250 + 1);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", ip.parse().expect("valid header"));
        headers.insert("origin", shared.base.parse().expect("valid header"));
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("http client");
        Self {
            index,
            plan,
            client,
            guest_id: None,
            dogs: Vec::new(),
            photos: Vec::new(),
            claimed: false,
            completed: false,
            shared,
        }
    }

    /// Runs the whole journey; stops at the first real error.
    pub async fn run(mut self) -> Self {
        if self.steps().await.is_some() {
            self.completed = true;
        }
        self
    }

    async fn steps(&mut self) -> Option<()> {
        let (shared, i, c) = (self.shared.clone(), self.index, self.client.clone());
        // Every request goes wherever the "load balancer" sends it: a journey
        // crosses instances at every step.
        let home = || format!("{}/", shared.route());
        self.retrying("browse home", || get_page(&c, home())).await?;
        let venue = || format!("{}/venues/{}", shared.route(), shared.venue);
        self.retrying("browse venue", || get_page(&c, venue())).await?;
        let me = self
            .retrying("ensure session", || {
                call(&c, shared.route(), "auth/anonymous", vec![])
            })
            .await?;
        self.guest_id = Some(self.parsed("ensure session", id_of(&me["id"]))?);
        let name = format!("Soak {i}");
        let form = vec![("name", name.clone()), ("size", "small".to_owned())];
        let dog = self
            .retrying("add dog", || {
                call(&c, shared.route(), "dogs/create", form.clone())
            })
            .await?;
        let dog = self.parsed("add dog", id_of(&dog))?;
        self.dogs.push(dog);
        let photo = self
            .retrying("upload photo", || upload(&c, &shared, &shared.photo, dog))
            .await?;
        let photo = self.parsed("upload photo", id_of(&photo["photo"]["id"]))?;
        self.photos.push(photo);
        match self.plan.clone() {
            Plan::Stay => Some(()),
            Plan::New(email) | Plan::Existing(email, _) => self.claim(&email).await,
        }
    }

    /// The id in an acknowledged answer; a missing one is an error.
    fn parsed(&self, step: &'static str, id: anyhow::Result<Uuid>) -> Option<Uuid> {
        id.map_err(|err| {
            self.shared
                .stats
                .error(step, format!("guest {}: {err:#}", self.index))
        })
        .ok()
    }

    /// Repeats a step cut off by the kill (a person would press the button again).
    async fn retrying<T, Fut>(&self, step: &'static str, request: impl Fn() -> Fut) -> Option<T>
    where
        Fut: Future<Output = anyhow::Result<T>>,
    {
        loop {
            match attempt(&self.shared, self.index, step, &request).await {
                Attempt::Done(value) => return Some(value),
                Attempt::Interrupted => continue,
                Attempt::Failed => return None,
            }
        }
    }

    /// Asks for a link, waits for the mail, looks at the link page, claims.
    /// A kill anywhere in between starts the claim over, as a person would.
    async fn claim(&mut self, email: &str) -> Option<()> {
        let (shared, c) = (self.shared.clone(), self.client.clone());
        for _ in 0..5 {
            let seen = shared.mail.count(email);
            let kills = shared.kills();
            let form = vec![("email", email.to_owned()), ("next", "/dogs".to_owned())];
            self.retrying("request link", || {
                call_any(&c, shared.route(), "auth/magic-link", form.clone())
            })
            .await?;
            let waited = Instant::now();
            let Some(token) = shared.mail.wait(email, seen, Duration::from_secs(30)).await else {
                if shared.kills() != kills {
                    shared.stats.interrupted("mail arrives");
                    continue; // the mail died with the server: ask again
                }
                shared.stats.error(
                    "mail arrives",
                    format!("guest {}: no mail within 30 s", self.index),
                );
                return None;
            };
            shared.stats.ok("mail arrives", waited.elapsed());
            // After a kill a mail can come twice: one cut between the SMTP
            // server's answer and its row's mark is sent again with a new link,
            // which replaces the first (the outbox keeps no working link to
            // resend). A person uses the newest mail.
            let token = if shared.kills() != kills {
                shared.settle().await;
                shared
                    .mail
                    .wait(email, seen, Duration::ZERO)
                    .await
                    .unwrap_or(token)
            } else {
                token
            };
            let link = || format!("{}/auth/confirm?token={token}", shared.route());
            match attempt(&shared, self.index, "open link", || get_page(&c, link())).await {
                Attempt::Done(()) => {}
                Attempt::Failed => return None,
                Attempt::Interrupted => continue, // the link may be replaced: ask again
            }
            match attempt(&shared, self.index, "claim", || {
                confirm(&c, shared.route(), &token)
            })
            .await
            {
                Attempt::Done(()) => {
                    self.claimed = true;
                    return Some(());
                }
                Attempt::Failed => return None,
                // Did the claim commit before the kill? Then the browser holds no
                // session any more but the account exists: sign in again.
                Attempt::Interrupted => continue,
            }
        }
        shared.stats.error(
            "claim",
            format!("guest {}: five claim attempts cut off", self.index),
        );
        None
    }
}

async fn get_page(c: &reqwest::Client, url: String) -> anyhow::Result<()> {
    let res = c.get(&url).send().await?;
    ensure!(res.status() == 200, "GET {url}: {}", res.status());
    let body = res.text().await?;
    ensure!(body.contains("</html>"), "GET {url}: incomplete page");
    Ok(())
}

/// A server function call as the hydrated app makes it; answers JSON.
async fn call(
    c: &reqwest::Client,
    base: &str,
    endpoint: &str,
    form: Vec<(&str, String)>,
) -> anyhow::Result<Value> {
    let res = c
        .post(format!("{base}/api/{endpoint}"))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await?;
    let status = res.status();
    let body = res.text().await?;
    ensure!(status == 200, "{endpoint}: {status} {body}");
    serde_json::from_str(&body).with_context(|| format!("{endpoint}: not JSON: {body}"))
}

/// A server function whose answer may be a redirect (a form post).
async fn call_any(
    c: &reqwest::Client,
    base: &str,
    endpoint: &str,
    form: Vec<(&str, String)>,
) -> anyhow::Result<()> {
    let res = c
        .post(format!("{base}/api/{endpoint}"))
        .form(&form)
        .send()
        .await?;
    let status = res.status();
    ensure!(
        status.is_success() || status.is_redirection(),
        "{endpoint}: {status}"
    );
    Ok(())
}

/// Uploads as a person would: a "busy, try again in a few seconds" answer
/// (503 with `Retry-After`, the server's bounded decode queue) is waited out and
/// sent again, to whichever instance the balancer picks then.
async fn upload(c: &reqwest::Client, shared: &Shared, photo: &[u8], dog: Uuid) -> anyhow::Result<Value> {
    for _ in 0..30 {
        let part = reqwest::multipart::Part::bytes(photo.to_vec())
            .file_name("dog.jpg")
            .mime_str("image/jpeg")?;
        let form = reqwest::multipart::Form::new()
            .part("photo", part)
            .text("dog", dog.to_string());
        let res = c
            .post(format!("{}/api/photos", shared.route()))
            .header("accept", "application/json")
            .multipart(form)
            .send()
            .await?;
        let status = res.status();
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        let body = res.text().await?;
        // Only the decode queue's "busy": a store that is down is an error.
        let busy = body.contains("Many photos are arriving");
        if let (503, Some(seconds), true) = (status.as_u16(), retry_after, busy) {
            shared.stats.busy();
            // Spread over the second after the hint, as people pressing again would.
            let jitter = Duration::from_millis(rand_millis(1000));
            tokio::time::sleep(Duration::from_secs(seconds.min(30)) + jitter).await;
            continue;
        }
        ensure!(status == 201, "upload: {status} {body}");
        return Ok(serde_json::from_str(&body)?);
    }
    bail!("upload: still busy after 30 tries")
}

fn rand_millis(below: u64) -> u64 {
    u64::from(uuid::Uuid::new_v4().as_u128() as u16) % below
}

async fn confirm(c: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<()> {
    let res = c
        .post(format!("{base}/auth/confirm"))
        .form(&[("token", token)])
        .send()
        .await?;
    let to = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if res.status() != 303 || to.starts_with("/auth/") {
        bail!("claim: {} to {to:?}", res.status());
    }
    Ok(())
}

/// A uuid from a JSON string.
pub fn id_of(value: &Value) -> anyhow::Result<Uuid> {
    value
        .as_str()
        .context("no id in the answer")?
        .parse()
        .context("not a uuid")
}
