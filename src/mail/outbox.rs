//! The durable outbox: a flow queues its mail in its own transaction, and a
//! worker on every instance sends what is due. A mail is sent if and only if
//! the transaction that made its token committed; a crash, a restart or an
//! SMTP outage delays it, never loses it. Two instances never take the same
//! row: the sender holds the row's lock (`FOR UPDATE SKIP LOCKED`) while it
//! talks SMTP and marks the row sent in the same transaction.

use super::{Email, Mailer};
use crate::email::EmailAddress;
use anyhow::Context as _;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// The channel a queued mail is announced on, so idle workers wake at once.
pub const CHANNEL: &str = "mail_outbox";

/// How failed sends are retried.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Wait after the first failure; doubled after each further one.
    pub first: Duration,
    /// The longest wait between two attempts.
    pub max: Duration,
    /// Attempts before a mail is given up (also given up when its link expires).
    pub attempts: i32,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(5),
            max: Duration::from_secs(5 * 60),
            attempts: 25,
        }
    }
}

impl Retry {
    /// The wait after the `attempts`-th failed attempt.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
        self.first.saturating_mul(1 << doublings).min(self.max)
    }
}

/// What one call of [`send_next`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Delivered to the mail server.
    Delivered,
    /// The server refused or was unreachable; retried later.
    Failed,
    /// Its link expired or it failed too often: dropped unsent.
    GaveUp,
}

/// Queues `email` on `conn`'s transaction, to be sent within `minutes`
/// (the life of the link it carries).
pub async fn queue(conn: &mut PgConnection, email: &Email, minutes: i64) -> anyhow::Result<()> {
    sqlx::query(
        "WITH queued AS (
           INSERT INTO mail_outbox (recipient, subject, body_text, body_html, link, send_before)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6)))
         SELECT pg_notify($7, '')",
    )
    .bind(email.to.as_str())
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(email.link.as_deref())
    .bind(minutes.clamp(1, 7 * 24 * 60) as i32)
    .bind(CHANNEL)
    .execute(conn)
    .await
    .context("failed to queue the email")?;
    crate::metrics::global().mail.inc("queued");
    Ok(())
}

type Due = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
    f64,
);

/// Sends the oldest due mail, if there is one. The row stays locked while the
/// mail server is talked to, so a crash mid-send leaves it queued.
pub async fn send_next(pool: &PgPool, mailer: &Mailer, retry: &Retry) -> anyhow::Result<Option<Sent>> {
    let mut tx = pool.begin().await.context("no database connection")?;
    let due: Option<Due> = sqlx::query_as(
        "SELECT id, recipient, subject, body_text, body_html, link, attempts,
                extract(epoch FROM send_before - now())::float8
         FROM mail_outbox
         WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(&mut *tx)
    .await
    .context("failed to read the outbox")?;
    let Some((id, recipient, subject, text, html, link, attempts, seconds_left)) = due else {
        return Ok(None);
    };
    let expired = seconds_left <= 0.0;
    let email = EmailAddress::parse(&recipient).map(|to| Email {
        to,
        subject,
        text: text.unwrap_or_default(),
        html: html.unwrap_or_default(),
        link,
    });
    let attempts = attempts + 1;
    let outcome = match email {
        _ if expired => Err("its link expired before it could be sent".to_owned()),
        Err(err) => Err(format!("not an address: {err}")),
        Ok(email) => mailer.send(&email).await.map_err(|e| format!("{e:#}")),
    };
    let wait = retry.backoff(attempts);
    let sent = match &outcome {
        Ok(()) => Sent::Delivered,
        // A retry after the link's expiry would only send a dead link.
        Err(_) if attempts >= retry.attempts || wait.as_secs_f64() >= seconds_left => Sent::GaveUp,
        Err(_) => Sent::Failed,
    };
    sqlx::query(
        "UPDATE mail_outbox SET
           attempts = $2, last_error = $3,
           sent_at = CASE WHEN $4 = 'delivered' THEN now() END,
           gave_up_at = CASE WHEN $4 = 'gave_up' THEN now() END,
           next_attempt_at = now() + make_interval(secs => $5),
           body_text = CASE WHEN $4 = 'failed' THEN body_text END,
           body_html = CASE WHEN $4 = 'failed' THEN body_html END,
           link = CASE WHEN $4 = 'failed' THEN link END
         WHERE id = $1",
    )
    .bind(id)
    .bind(attempts)
    .bind(outcome.as_ref().err())
    .bind(match sent {
        Sent::Delivered => "delivered",
        Sent::Failed => "failed",
        Sent::GaveUp => "gave_up",
    })
    .bind(wait.as_secs_f64())
    .execute(&mut *tx)
    .await
    .context("failed to mark the email")?;
    tx.commit().await.context("failed to mark the email")?;
    let m = crate::metrics::global();
    match (&outcome, sent) {
        (Ok(()), _) => m.mail.inc("sent"),
        (Err(error), sent) => {
            m.mail
                .inc(if sent == Sent::GaveUp { "gave_up" } else { "failed" });
            tracing::warn!(
                id,
                attempts,
                error,
                gave_up = sent == Sent::GaveUp,
                "email not sent"
            );
        }
    }
    Ok(Some(sent))
}

/// How long until the next queued mail is due (zero if one is due now);
/// `None` when nothing is queued.
pub async fn next_due(pool: &PgPool) -> anyhow::Result<Option<Duration>> {
    let seconds: Option<f64> = sqlx::query_scalar(
        "SELECT greatest(extract(epoch FROM min(next_attempt_at) - now()), 0)::float8
         FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL",
    )
    .fetch_one(pool)
    .await
    .context("failed to read the outbox")?;
    Ok(seconds.map(Duration::from_secs_f64))
}

/// Mails waiting to be sent and the age of the oldest, in seconds.
pub async fn backlog(pool: &PgPool) -> anyhow::Result<(i64, f64)> {
    sqlx::query_as(
        "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
         FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL",
    )
    .fetch_one(pool)
    .await
    .context("failed to read the outbox")
}
