//! The worker's side of the outbox: one due row at a time, locked while the
//! mail server is talked to, marked in the same transaction.

use super::{Letter, Link, Sender, Sent};
use crate::email::EmailAddress;
use crate::mail::Email;
use crate::tokens;
use anyhow::Context as _;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// A link with less life than this left is not worth sending.
const LAST_USEFUL_SECONDS: f64 = 60.0;

/// Why a try failed, and whether trying again is pointless.
type Failure = (String, bool);

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
    let outcome = match (EmailAddress::parse(&recipient), token, user, since) {
        (Err(_), ..) => Err(("not an address".to_owned(), true)),
        (Ok(to), Some(token), _, _) => attempt(pool, sender, (&kind, &to, token), seconds_left).await?,
        (Ok(to), None, Some(user), Some(since)) => own(pool, sender, &kind, &to, user, since).await?,
        _ => Err(("a row with neither a token nor a user".to_owned(), true)),
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
    .bind(sent.as_str())
    .bind(wait.as_secs_f64())
    .execute(&mut *tx)
    .await
    .context("failed to mark the email")?;
    tx.commit().await.context("failed to mark the email")?;
    match (error, sent) {
        (None, _) => crate::counters::mail("sent"),
        (Some(error), sent) => {
            crate::counters::mail(sent.as_str());
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
async fn attempt(
    pool: &PgPool,
    sender: &Sender,
    (kind, to, token): (&str, &EmailAddress, Uuid),
    seconds_left: f64,
) -> anyhow::Result<Result<(), Failure>> {
    let for_good = |why: &str| Ok(Err((why.to_owned(), true)));
    if seconds_left <= LAST_USEFUL_SECONDS {
        return for_good("its link expired before it could be sent");
    }
    let Some(letter) = Letter::parse(kind) else {
        return for_good("not a letter with a link");
    };
    // A sign-in mail carries a code beside its link, for reading the mail on
    // another device than the one that asked.
    let with_code = letter == Letter::MagicLink;
    let Some(secret) = tokens::rekey(pool, token, with_code).await? else {
        return for_good("its link was used, replaced by a newer one or expired");
    };
    let link = Link {
        url: format!("{}{}?token={}", sender.public_url, letter.path(), secret.token),
        code: secret.code,
        minutes: sender.link_minutes,
    };
    deliver(sender, &sender.words.letter(letter, to, &link)).await
}

/// A mail of the app's own kind, rendered now by its words.
async fn own(
    pool: &PgPool,
    sender: &Sender,
    kind: &str,
    to: &EmailAddress,
    user: Uuid,
    since: f64,
) -> anyhow::Result<Result<(), Failure>> {
    match sender.words.own(pool, kind, to, user, since).await? {
        Some(email) => deliver(sender, &email).await,
        None => Ok(Err(("not wanted any more or nothing to tell".to_owned(), true))),
    }
}

/// Hands `email` to the mail server; the error says whether to stop trying.
async fn deliver(sender: &Sender, email: &Email) -> anyhow::Result<Result<(), Failure>> {
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

/// A worker for an app without one of its own: sends what is due, then
/// sleeps until the next mail falls due or `poll` has passed (a mail queued
/// meanwhile waits at most that long). Runs until its task is dropped.
pub async fn work(pool: PgPool, sender: Sender, poll: Duration) {
    loop {
        match send_next(&pool, &sender).await {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(err) => tracing::error!(error = ?err, "mail worker"),
        }
        let wait = match next_due(&pool).await {
            // Due now but not ours to take (another worker is sending it).
            Ok(Some(due)) => due.clamp(Duration::from_millis(200), poll),
            _ => poll,
        };
        tokio::time::sleep(wait).await;
    }
}
