//! The durable outbox: a flow queues its mail in its own transaction, and a
//! worker on every instance sends what is due ([`send_next`]). A mail goes out
//! only if the transaction that made its token committed; a crash, a restart
//! or an SMTP outage delays it, never loses it. Two instances never take the
//! same row: the sender holds the row's lock (`FOR UPDATE SKIP LOCKED`) while
//! it talks SMTP and marks the row in the same transaction. Delivery is at
//! least once: should the mark fail after the server took the mail, it is
//! sent again, and only the newer one's link works.
//!
//! A row holds no working link: it names its token, which gets a fresh secret
//! when the mail is sent (`tokens::rekey`), only the hash being stored. What
//! a mail says is the app's ([`Words`]); an app may queue mails of its own
//! kinds (a row with a user and a time instead of a token), which its words
//! render as they are sent.

mod send;

pub use send::{backlog, next_due, send_next, work};

use crate::email::EmailAddress;
use crate::hooks::BoxFuture;
use crate::mail::{Email, Mailer};
use anyhow::Context as _;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The channel a queued mail is announced on, so idle workers wake at once.
pub const CHANNEL: &str = "mail_outbox";

/// Which identity mail a row is; each carries one link to its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Letter {
    /// A sign-in link (and code).
    MagicLink,
    /// Someone tried to sign up with a taken address: a sign-in link.
    SignUpAttempt,
    /// Confirm the address of a sign-up.
    VerifyEmail,
    /// Choose a new password.
    PasswordReset,
    /// Confirm an address for an account that has none.
    AddEmail,
    /// Confirm a new address for an account (sent to the new address).
    ChangeEmail,
    /// The account's address was changed: the way back (sent to the old one).
    EmailChanged,
}

impl Letter {
    /// The row's `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Letter::MagicLink => "magic_link",
            Letter::SignUpAttempt => "sign_up_attempt",
            Letter::VerifyEmail => "verify_email",
            Letter::PasswordReset => "password_reset",
            Letter::AddEmail => "add_email",
            Letter::ChangeEmail => "change_email",
            Letter::EmailChanged => "email_changed",
        }
    }

    /// The letter of a row's `kind`; `None` for the app's own kinds.
    pub fn parse(kind: &str) -> Option<Self> {
        [
            Letter::MagicLink,
            Letter::SignUpAttempt,
            Letter::VerifyEmail,
            Letter::PasswordReset,
            Letter::AddEmail,
            Letter::ChangeEmail,
            Letter::EmailChanged,
        ]
        .into_iter()
        .find(|l| l.as_str() == kind)
    }

    /// The page its link opens (the token goes in `?token=`).
    pub fn path(self) -> &'static str {
        match self {
            Letter::MagicLink | Letter::SignUpAttempt => "/auth/confirm",
            Letter::VerifyEmail => "/auth/verify",
            Letter::PasswordReset => "/auth/reset",
            Letter::AddEmail => "/auth/add-email",
            Letter::ChangeEmail => "/auth/change-email",
            Letter::EmailChanged => "/auth/undo-email",
        }
    }
}

/// The link a letter carries, made as it is sent.
#[derive(Clone, Debug)]
pub struct Link {
    /// The full URL with its fresh token.
    pub url: String,
    /// A sign-in code beside the link (sign-in letters only), for reading
    /// the mail on another device than the one that asked.
    pub code: Option<String>,
    /// How long a sign-in link works, for the words to say so.
    pub minutes: i64,
}

/// What the app's mails say: the brand and the words, in text and HTML.
pub trait Words: Send + Sync + 'static {
    /// The message of `letter` to `to`, carrying `link`.
    fn letter(&self, letter: Letter, to: &EmailAddress, link: &Link) -> Email;

    /// A mail of the app's own `kind` (queued with a `user` and a time
    /// `since`, Unix seconds, and no token), rendered as it is sent; `None`
    /// gives it up (not wanted any more, nothing to tell).
    fn own<'a>(
        &'a self,
        pool: &'a PgPool,
        kind: &'a str,
        to: &'a EmailAddress,
        user: Uuid,
        since: f64,
    ) -> BoxFuture<'a, anyhow::Result<Option<Email>>>;
}

/// One mail to queue.
#[derive(Clone, Copy, Debug)]
pub struct Queued<'a> {
    /// Which message.
    pub letter: Letter,
    /// Recipient.
    pub to: &'a EmailAddress,
    /// The token its link carries.
    pub token: Uuid,
    /// How long the link works: it is never sent later.
    pub minutes: i64,
}

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

/// What the worker needs to turn a row into a message.
#[derive(Clone)]
pub struct Sender {
    /// Where mail goes.
    pub mailer: Mailer,
    /// Retries.
    pub retry: Retry,
    /// Base URL of the links, e.g. `https://lists.example`.
    pub public_url: String,
    /// How long a sign-in link works (the message says so).
    pub link_minutes: i64,
    /// What the mails say.
    pub words: Arc<dyn Words>,
}

/// What one call of [`send_next`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Delivered to the mail server.
    Delivered,
    /// The server refused for now or was unreachable; retried later.
    Failed,
    /// Its link is dead (used, replaced, expired), the address or the server
    /// refused it for good, or it failed too often: dropped unsent.
    GaveUp,
}

impl Sent {
    /// Its name in the row and the metric.
    fn as_str(self) -> &'static str {
        match self {
            Sent::Delivered => "delivered",
            Sent::Failed => "failed",
            Sent::GaveUp => "gave_up",
        }
    }
}

/// Queues a mail on `conn`'s transaction.
pub async fn queue(conn: &mut PgConnection, mail: Queued<'_>) -> anyhow::Result<()> {
    insert(conn, mail, None).await?;
    crate::counters::mail("queued");
    Ok(())
}

/// Queues a mail of the app's own `kind` for `user` on `conn`'s
/// transaction, about what changed since `since` (Unix seconds); the app's
/// [`Words::own`] renders it as it is sent, within `minutes`.
pub async fn queue_own(
    conn: &mut PgConnection,
    kind: &str,
    to: &EmailAddress,
    user: Uuid,
    since: f64,
    minutes: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "WITH queued AS (
           INSERT INTO mail_outbox (kind, recipient, user_id, since, send_before)
           VALUES ($1, $2, $3, to_timestamp($4), now() + make_interval(mins => $5)))
         SELECT pg_notify($6, '')",
    )
    .bind(kind)
    .bind(to.as_str())
    .bind(user)
    .bind(since)
    .bind(minutes.clamp(1, 7 * 24 * 60) as i32)
    .bind(CHANNEL)
    .execute(conn)
    .await
    .context("failed to queue the email")?;
    crate::counters::mail("queued");
    Ok(())
}

/// Records a mail that is not sent (`why`), with the same statement as
/// [`queue`]: a flow that must cost the same either way (a reset asked for an
/// address without an account) does the same work.
pub async fn record_unsent(conn: &mut PgConnection, mail: Queued<'_>, why: &str) -> anyhow::Result<()> {
    insert(conn, mail, Some(why)).await
}

async fn insert(conn: &mut PgConnection, mail: Queued<'_>, unsent: Option<&str>) -> anyhow::Result<()> {
    sqlx::query(
        "WITH queued AS (
           INSERT INTO mail_outbox (kind, recipient, token_id, send_before, last_error, gave_up_at)
           VALUES ($1, $2, $3, now() + make_interval(mins => $4), $5, CASE WHEN $5 IS NOT NULL THEN now() END))
         SELECT pg_notify($6, '')",
    )
    .bind(mail.letter.as_str())
    .bind(mail.to.as_str())
    .bind(mail.token)
    .bind(mail.minutes.clamp(1, 7 * 24 * 60) as i32)
    .bind(unsent)
    .bind(CHANNEL)
    .execute(conn)
    .await
    .context("failed to queue the email")?;
    Ok(())
}
