//! Saving a place, taking it off the list, and reading the list. Saving is a
//! contribution (a guest is made if needed, after the venue is known), bounded
//! per person ([`MAX_SAVED`]) and rate-limited; removing only ever touches the
//! caller's own row (`… AND user_id = $2`: anyone else's is "not found").

use super::{MAX_SAVED, PAGE, SavedPage, SavedPlace};
use crate::auth::Caller;
use crate::context::Context;
use crate::errors::{Kind, failure};
use crate::limits::{LimitedAction, TooMany};
use anyhow::Context as _;

/// Why a place was not saved or removed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// No venue by that address (or, removing, not on the caller's list).
    #[error("That place could not be found.")]
    NotFound,
    /// The list is full.
    #[error("You have saved {MAX_SAVED} places, the most one list can hold. Remove one to save another.")]
    Full,
    /// Too many saves lately (or guests).
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(mints SaveError {
    NotFound => Kind::NotFound,
    Full => Kind::Invalid,
});

/// Why the digest choice was not stored.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// A guest, or a member without a proven address.
    #[error("Only an account with a confirmed email address can get the weekly email.")]
    NoAddress,
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(no_limit DigestError {
    NoAddress => Kind::Forbidden,
});

/// Saves the venue `slug` for the caller (a guest is made if needed). Saving
/// a place already saved changes nothing and is no error.
pub async fn save(
    ctx: &Context,
    caller: &mut Caller,
    slug: &str,
    mint_key: Option<&str>,
) -> Result<(), SaveError> {
    let venue = venue_id(&ctx.pool, slug).await?.ok_or(SaveError::NotFound)?;
    let user = crate::auth::guest::user_or_mint(ctx, caller, mint_key).await?;
    let owner = user.id().to_string();
    ctx.limit(&[(LimitedAction::SavePlace, &owner)])
        .await?
        .map_err(SaveError::TooMany)?;
    let mut tx = ctx.pool.begin().await.context("no database connection")?;
    // The owner's row is the list's lock: two saves at 199 take turns, and
    // the count below (a statement of its own, after the lock) sees the
    // other's row.
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE")
        .bind(user.id())
        .execute(&mut *tx)
        .await
        .context("failed to lock the list")?;
    let (already, count): (bool, i64) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM saved_places WHERE user_id = $1 AND venue_id = $2),
                (SELECT count(*) FROM saved_places WHERE user_id = $1)",
    )
    .bind(user.id())
    .bind(venue)
    .fetch_one(&mut *tx)
    .await
    .context("failed to count saved places")?;
    if already {
        return Ok(());
    }
    if count >= MAX_SAVED {
        return Err(SaveError::Full);
    }
    sqlx::query("INSERT INTO saved_places (user_id, venue_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(user.id())
        .bind(venue)
        .execute(&mut *tx)
        .await
        .context("failed to save the place")?;
    tx.commit().await.context("failed to save the place")?;
    Ok(())
}

/// Takes `slug` off the caller's list; not on it (or not the caller's) is "not found".
pub async fn remove(ctx: &Context, caller: &Caller, slug: &str) -> Result<(), SaveError> {
    let (Some(user), Ok(slug)) = (caller.user(), crate::Slug::parse(slug)) else {
        return Err(SaveError::NotFound);
    };
    let done = sqlx::query(
        "DELETE FROM saved_places s USING venues v
         WHERE s.venue_id = v.id AND v.slug = $1 AND s.user_id = $2",
    )
    .bind(slug.as_str())
    .bind(user.id())
    .execute(&ctx.pool)
    .await
    .context("failed to remove the saved place")?;
    if done.rows_affected() == 0 {
        return Err(SaveError::NotFound);
    }
    Ok(())
}

/// Which of `slugs` (at most 100 are looked at) the caller has saved: for a
/// page served from the shared cache, asked by the browser per session.
pub async fn saved_among(ctx: &Context, caller: &Caller, slugs: &[String]) -> anyhow::Result<Vec<String>> {
    let Some(user) = caller.user() else {
        return Ok(Vec::new());
    };
    let slugs: Vec<&str> = slugs.iter().take(100).map(String::as_str).collect();
    sqlx::query_scalar(
        "SELECT v.slug FROM saved_places s JOIN venues v ON v.id = s.venue_id
         WHERE s.user_id = $1 AND v.slug = ANY($2)",
    )
    .bind(user.id())
    .bind(&slugs)
    .fetch_all(&ctx.pool)
    .await
    .context("failed to read saved places")
}

/// `/saved`: one page of the caller's list, what changed near it since they
/// last looked (the look is recorded), and the digest choice for a member.
/// Nobody signed in and no guest: an empty page, nothing written.
pub async fn page(ctx: &Context, caller: &Caller, page: i64) -> anyhow::Result<SavedPage> {
    let Some(user) = caller.user() else {
        return Ok(SavedPage {
            page: 1,
            ..SavedPage::default()
        });
    };
    let page = page.max(1);
    let places: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT v.slug, v.name, v.city, to_char(s.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY')
         FROM saved_places s JOIN venues v ON v.id = s.venue_id
         WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id LIMIT $2 OFFSET $3",
    )
    .bind(user.id())
    .bind(PAGE)
    .bind((page - 1) * PAGE)
    .fetch_all(&ctx.pool)
    .await
    .context("failed to read saved places")?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM saved_places WHERE user_id = $1")
        .bind(user.id())
        .fetch_one(&ctx.pool)
        .await
        .context("failed to count saved places")?;
    let since = super::changes::look(&ctx.pool, user.id()).await?;
    let changes = super::changes::since(&ctx.pool, user.id(), since).await?;
    let digest = super::digest::choice(&ctx.pool, user.id()).await?;
    Ok(SavedPage {
        places: places
            .into_iter()
            .map(|(slug, name, city, saved_on)| SavedPlace {
                slug,
                name,
                city,
                saved_on,
            })
            .collect(),
        total,
        page,
        changes,
        digest,
    })
}

/// Turns the caller's weekly email on or off. Turning it on starts the week
/// now: the first digest covers the days from here.
pub async fn set_digest(ctx: &Context, caller: &Caller, on: bool) -> Result<(), DigestError> {
    let user = caller.user().ok_or(DigestError::NoAddress)?;
    if super::digest::choice(&ctx.pool, user.id()).await?.is_none() {
        return Err(DigestError::NoAddress);
    }
    sqlx::query(
        "INSERT INTO saved_watch AS w (user_id, digest, digest_sent_at) VALUES ($1, $2, now())
         ON CONFLICT (user_id) DO UPDATE SET digest = $2,
           digest_sent_at = CASE WHEN $2 AND NOT w.digest THEN now() ELSE w.digest_sent_at END",
    )
    .bind(user.id())
    .bind(on)
    .execute(&ctx.pool)
    .await
    .context("failed to store the digest choice")?;
    Ok(())
}

use crate::venues::queries::venue_id;
