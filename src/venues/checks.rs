//! "Were you here with your dog? Dogs still welcome inside: yes / no." One
//! answer per person, venue and UTC day (a second tap that day changes it).
//! Answering is a contribution: it makes a guest like adding a dog does, and
//! the answers move on claim (`venue_checks` is in the ownership catalogue).
//! A "no" shows on the venue's page at once, dated and "not yet reviewed",
//! and waits in the admins' queue until one of them looks at the venue. Each
//! change recomputes the venue's stored verdict in its own transaction
//! (`verdicts::recompute`); the answer keeps the network it came from, which
//! counts once per venue and day.

use super::{Checks, RecentAnswer, verdicts};
use crate::auth::Caller;
use crate::context::Context;
use crate::errors::{Kind, failure};
use crate::limits::{LimitedAction, TooMany};
use anyhow::Context as _;
use sqlx::PgPool;
use uuid::Uuid;

/// Why an answer was not stored.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// No venue by that address (or, removing, no answer of the caller's).
    #[error("That place could not be found.")]
    NotFound,
    /// Neither yes nor no.
    #[error("Answer yes or no.")]
    Invalid,
    /// Too many answers today (or guests lately).
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(mints CheckError {
    NotFound => Kind::NotFound,
    Invalid => Kind::Invalid,
});

/// The answering network as stored: a digest of the venue and the network
/// (IPv4 address, IPv6 /64: `limits::client_subject`), equal for one network
/// at one venue, so it counts once a day, without keeping the address.
fn network_key(venue: Uuid, ip: std::net::IpAddr) -> String {
    use sha2::{Digest, Sha256};
    let subject = crate::limits::client_subject(ip);
    let digest = Sha256::digest(format!("paws-answer\0{venue}\0{subject}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// `yes` / `no` as the form sends them.
fn parse_answer(raw: &str) -> Option<bool> {
    match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// Stores the caller's answer for today (a guest is made if needed, after the
/// input is known to be good) and returns the venue's counts as they are now.
pub async fn answer(
    ctx: &Context,
    caller: &mut Caller,
    slug: &str,
    answer: &str,
    mint_key: Option<&str>,
) -> Result<Checks, CheckError> {
    let welcome = parse_answer(answer).ok_or(CheckError::Invalid)?;
    let venue = venue_id(&ctx.pool, slug).await?.ok_or(CheckError::NotFound)?;
    let user = crate::auth::guest::user_or_mint(ctx, caller, mint_key).await?;
    let owner = user.id().to_string();
    ctx.limit(&[(LimitedAction::DogCheck, &owner)])
        .await?
        .map_err(CheckError::TooMany)?;
    let network = caller.ip.map(|ip| network_key(venue, ip));
    let mut tx = ctx.pool.begin().await.context("failed to begin the answer")?;
    // Changing today's answer puts a "no" in the queue or takes it out (the
    // queue reads `welcome`); the same answer again changes nothing, so a
    // "no" an admin closed stays closed.
    let stored = sqlx::query(
        "INSERT INTO venue_checks (venue_id, user_id, welcome, network) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, slot) DO UPDATE
         SET welcome = EXCLUDED.welcome, network = EXCLUDED.network, created_at = now(),
             reviewed_at = NULL, resolution = NULL
         WHERE venue_checks.welcome IS DISTINCT FROM EXCLUDED.welcome",
    )
    .bind(venue)
    .bind(user.id())
    .bind(welcome)
    .bind(network)
    .execute(&mut *tx)
    .await
    .context("failed to store the answer")?;
    // After the answer's own row (its foreign-key checks take the venue's
    // key-share lock, which the recomputation's lock leaves alone).
    let changed = stored.rows_affected() > 0 && verdicts::recompute(&mut tx, &[venue]).await? > 0;
    tx.commit().await.context("failed to commit the answer")?;
    // Pages list every answer of the year, a "no" at once: any new or
    // changed answer is a public change.
    if stored.rows_affected() > 0 || changed {
        ctx.public_changed();
    }
    summary(&ctx.pool, slug, Some(user.id()))
        .await?
        .ok_or(CheckError::NotFound)
}

/// Removes one of the caller's answers (from "My contributions"). Anyone
/// else's, or one already removed, is "not found". Every answer shows on the
/// venue's page and weighs in its verdict: its removal is a public change.
pub async fn remove(ctx: &Context, caller: &Caller, id: &str) -> Result<(), CheckError> {
    let (Some(user), Ok(id)) = (caller.user(), Uuid::parse_str(id)) else {
        return Err(CheckError::NotFound);
    };
    let mut tx = ctx.pool.begin().await.context("failed to begin removing")?;
    let venue: Option<Uuid> =
        sqlx::query_scalar("DELETE FROM venue_checks WHERE id = $1 AND user_id = $2 RETURNING venue_id")
            .bind(id)
            .bind(user.id())
            .fetch_optional(&mut *tx)
            .await
            .context("failed to remove the answer")?;
    let Some(venue) = venue else {
        return Err(CheckError::NotFound);
    };
    verdicts::recompute(&mut tx, &[venue]).await?;
    tx.commit().await.context("failed to commit the removal")?;
    ctx.public_changed();
    Ok(())
}

/// The venue's counts and the caller's answer today (`None` for an unknown venue).
pub async fn for_venue(ctx: &Context, caller: &Caller, slug: &str) -> anyhow::Result<Option<Checks>> {
    summary(&ctx.pool, slug, caller.user().map(|u| u.id())).await
}

use super::queries::venue_id;

/// One statement (the venue page's only one for this): the yes count and
/// latest day, and the person's answer for today; `None` for no such venue.
async fn summary(pool: &PgPool, slug: &str, user: Option<Uuid>) -> anyhow::Result<Option<Checks>> {
    let Ok(slug) = crate::Slug::parse(slug) else {
        return Ok(None);
    };
    let row: Option<(i64, Option<String>, Option<bool>)> = sqlx::query_as(
        "SELECT count(c.id) FILTER (WHERE c.welcome),
                to_char(max(c.checked_on) FILTER (WHERE c.welcome), 'FMDD Mon YYYY'),
                bool_or(c.welcome) FILTER (WHERE c.user_id = $2
                                             AND c.checked_on = (now() AT TIME ZONE 'UTC')::date)
         FROM venues v LEFT JOIN venue_checks c ON c.venue_id = v.id
         WHERE v.slug = $1 GROUP BY v.id",
    )
    .bind(slug.as_str())
    .bind(user)
    .fetch_optional(pool)
    .await
    .context("failed to count the answers")?;
    let Some((confirmations, last_confirmed_on, mine_today)) = row else {
        return Ok(None);
    };
    Ok(Some(Checks {
        confirmations,
        last_confirmed_on,
        mine_today,
        recent: recent(pool, slug.as_str()).await?,
    }))
}

/// Answers the venue page lists, newest first.
const RECENT: i64 = 6;

/// The latest answers of the last year (dismissed "no"s left out: they do
/// not count), for the page to show dated.
async fn recent(pool: &PgPool, slug: &str) -> anyhow::Result<Vec<RecentAnswer>> {
    sqlx::query_as(
        "SELECT c.welcome, to_char(c.checked_on, 'FMDD Mon YYYY') AS day,
                c.reviewed_at IS NOT NULL AS reviewed
         FROM venues v JOIN venue_checks c ON c.venue_id = v.id
         WHERE v.slug = $1 AND c.checked_on >= (now() AT TIME ZONE 'UTC')::date - $2
           AND (c.welcome OR c.resolution IS DISTINCT FROM 'dismissed')
         ORDER BY c.checked_on DESC, c.created_at DESC LIMIT $3",
    )
    .bind(slug)
    .bind(super::verdict::MAX_AGE_DAYS)
    .bind(RECENT)
    .fetch_all(pool)
    .await
    .context("failed to list the latest answers")
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers() {
        assert_eq!(super::parse_answer("yes"), Some(true));
        assert_eq!(super::parse_answer("no"), Some(false));
        assert_eq!(super::parse_answer("Yes"), None);
        assert_eq!(super::parse_answer(""), None);
    }

    #[test]
    fn one_network_one_key_per_venue() {
        let (a, b) = (uuid::Uuid::nil(), uuid::Uuid::from_u128(1));
        let ip = |s: &str| s.parse().unwrap();
        let key = super::network_key(a, ip("2001:db8:1:2::1"));
        assert_eq!(key, super::network_key(a, ip("2001:db8:1:2::beef")), "one /64");
        assert_ne!(key, super::network_key(a, ip("2001:db8:1:3::1")));
        assert_ne!(key, super::network_key(b, ip("2001:db8:1:2::1")), "another venue");
        assert_eq!(key.len(), 32);
    }
}
