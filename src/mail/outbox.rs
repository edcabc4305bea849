//! The durable outbox: a flow queues its mail in its own transaction, and a
//! worker on every instance sends what is due. A mail goes out only if the
//! transaction that made its token committed; a crash, a restart or an SMTP
//! outage delays it, never loses it. Two instances never take the same row:
//! the sender holds the row's lock (`FOR UPDATE SKIP LOCKED`) while it talks
//! SMTP and marks the row in the same transaction. Delivery is at least once:
//! should the mark fail after the server took the mail, it is sent again, and
//! only the newer one's link works.
//!
//! A row holds no working link: it names its token, which gets a fresh secret
//! when the mail is sent (`tokens::rekey`), only the hash being stored.

use super::{Email, Mailer};
use crate::auth::tokens;
use crate::email::EmailAddress;
use anyhow::Context as _;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use uuid::Uuid;

/// The channel a queued mail is announced on, so idle workers wake at once.
pub const CHANNEL: &str = "mail_outbox";

/// A link with less life than this left is not worth sending.
const LAST_USEFUL_SECONDS: f64 = 60.0;

crate::keyed::keyed_enum!(
    /// Which message a row is; each carries one link.
    Letter {
        MagicLink => "magic_link", "A sign-in link";
        SignUpAttempt => "sign_up_attempt", "Someone tried to sign up with a taken address (a sign-in link)";
        VerifyEmail => "verify_email", "Confirm the address of a sign-up";
        PasswordReset => "password_reset", "Choose a new password";
        AddEmail => "add_email", "Confirm an address for an account that has none";
        SavedDigest => "saved_digest", "The weekly \"what changed near your saved places\" (no token: an unsubscribe link made as it is sent)";
    }
);

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
    /// Base URL of the links, e.g. `https://pawsinside.example`.
    pub public_url: String,
    /// How long a sign-in link works (the message says so).
    pub link_minutes: i64,
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

/// Queues a mail on `conn`'s transaction.
pub async fn queue(conn: &mut PgConnection, mail: Queued<'_>) -> anyhow::Result<()> {
    insert(conn, mail, None).await?;
    crate::metrics::global().mail.inc("queued");
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

type Due = (
    i64,
    String,
    String,
    Option<Uuid>,
    i32,
    f64,
    Option<Uuid>,
    Option<f64>,
);

/// Sends the oldest due mail, if there is one. The row stays locked while the
/// mail server is talked to, so a crash mid-send leaves it queued.
pub async fn send_next(pool: &PgPool, sender: &Sender) -> anyhow::Result<Option<Sent>> {
    let mut tx = pool.begin().await.context("no database connection")?;
    // The transaction waits on SMTP (15 s at most): a shorter idle timeout on
    // the server would end it after the send, and the mail would go out again.
    sqlx::query("SET LOCAL idle_in_transaction_session_timeout = '60s'")
        .execute(&mut *tx)
        .await
        .context("failed to start sending")?;
    let due: Option<Due> = sqlx::query_as(
        "SELECT id, kind, recipient, token_id, attempts, extract(epoch FROM send_before - now())::float8,
                user_id, extract(epoch FROM since)::float8
         FROM mail_outbox
         WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(&mut *tx)
    .await
    .context("failed to read the outbox")?;
    let Some((id, kind, recipient, token, attempts, seconds_left, user, since)) = due else {
        return Ok(None);
    };
    let attempts = attempts + 1;
    let wait = sender.retry.backoff(attempts);
    let outcome = match (token, user, since) {
        (Some(token), _, _) => attempt(pool, sender, (&kind, &recipient, token), seconds_left).await?,
        (None, Some(user), Some(since)) => digest(pool, sender, &recipient, user, since).await?,
        _ => Err(("a row with neither a token nor a member".to_owned(), true)),
    };
    let sent = match &outcome {
        Ok(()) => Sent::Delivered,
        Err((_, true)) => Sent::GaveUp,
        // A retry after the link's expiry would only send a dead link.
        Err(_)
            if attempts >= sender.retry.attempts
                || wait.as_secs_f64() + LAST_USEFUL_SECONDS >= seconds_left =>
        {
            Sent::GaveUp
        }
        Err(_) => Sent::Failed,
    };
    let error = outcome.as_ref().err().map(|(e, _)| e.as_str());
    sqlx::query(
        "UPDATE mail_outbox SET attempts = $2, last_error = $3,
           sent_at = CASE WHEN $4 = 'delivered' THEN now() END,
           gave_up_at = CASE WHEN $4 = 'gave_up' THEN now() END,
           next_attempt_at = clock_timestamp() + make_interval(secs => $5)
         WHERE id = $1",
    )
    .bind(id)
    .bind(attempts)
    .bind(error)
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
    match (error, sent) {
        (None, _) => m.mail.inc("sent"),
        (Some(error), sent) => {
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

/// One try: a fresh secret for the token (committed before the mail leaves,
/// while the row stays locked by the caller), the message, the mail server.
/// The error says why and whether trying again is pointless.
async fn attempt(
    pool: &PgPool,
    sender: &Sender,
    (kind, recipient, token): (&str, &str, Uuid),
    seconds_left: f64,
) -> anyhow::Result<Result<(), (String, bool)>> {
    let for_good = |why: &str| Ok(Err((why.to_owned(), true)));
    if seconds_left <= LAST_USEFUL_SECONDS {
        return for_good("its link expired before it could be sent");
    }
    let (Ok(to), Some(letter)) = (EmailAddress::parse(recipient), Letter::parse(kind)) else {
        return for_good("not an address or not a message we write");
    };
    // A sign-in mail carries a code beside its link, for reading the mail on
    // another device than the one that asked.
    let with_code = letter == Letter::MagicLink;
    let Some(secret) = tokens::rekey(pool, token, with_code).await? else {
        return for_good("its link was used, replaced by a newer one or expired");
    };
    let Some(email) = render(sender, letter, &to, &secret) else {
        return for_good("not a message with a link");
    };
    deliver(sender, &email).await
}

/// The weekly digest of saved places, rendered now (with a fresh unsubscribe
/// link); given up when it is not wanted any more or has nothing to tell.
async fn digest(
    pool: &PgPool,
    sender: &Sender,
    recipient: &str,
    user: Uuid,
    since: f64,
) -> anyhow::Result<Result<(), (String, bool)>> {
    let Ok(to) = EmailAddress::parse(recipient) else {
        return Ok(Err(("not an address".to_owned(), true)));
    };
    let Some(email) = super::digest::render(pool, &sender.public_url, user, since, &to).await? else {
        return Ok(Err((
            "turned off, the address changed, or nothing to tell".to_owned(),
            true,
        )));
    };
    deliver(sender, &email).await
}

/// Hands `email` to the mail server; the error says whether to stop trying.
async fn deliver(sender: &Sender, email: &Email) -> anyhow::Result<Result<(), (String, bool)>> {
    Ok(match sender.mailer.send(email).await {
        Ok(()) => Ok(()),
        Err(err) => {
            let permanent = err
                .downcast_ref::<lettre::transport::smtp::Error>()
                .is_some_and(|e| e.is_permanent());
            Err((format!("{err:#}"), permanent))
        }
    })
}

/// The message of `letter` with its link (and code).
fn render(sender: &Sender, letter: Letter, to: &EmailAddress, secret: &tokens::Rekeyed) -> Option<Email> {
    let token = &secret.token;
    let url = |path: &str| format!("{}{path}?token={token}", sender.public_url);
    Some(match letter {
        Letter::MagicLink => super::magic_link(
            to,
            &url("/auth/confirm"),
            sender.link_minutes,
            secret.code.as_deref(),
        ),
        Letter::SignUpAttempt => super::sign_up_attempt(to, &url("/auth/confirm")),
        Letter::VerifyEmail => super::verify_email(to, &url("/auth/verify")),
        Letter::PasswordReset => super::password_reset(to, &url("/auth/reset")),
        Letter::AddEmail => super::add_email(to, &url("/auth/add-email")),
        Letter::SavedDigest => return None,
    })
}

/// How long until the next queued mail is due (zero if one is due now);
/// `None` when nothing is queued.
pub async fn next_due(pool: &PgPool) -> anyhow::Result<Option<Duration>> {
    let seconds: Option<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM min(next_attempt_at) - now())::float8
         FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL",
    )
    .fetch_one(pool)
    .await
    .context("failed to read the outbox")?;
    Ok(seconds
        .filter(|s| s.is_finite())
        .map(|s| Duration::from_secs_f64(s.max(0.0))))
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
