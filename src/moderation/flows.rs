//! The admin's use cases. Each checks first that the caller holds the admin
//! role now (the session's one lookup reads it from the users table, so a
//! revoke takes effect on the next request), then does one decision in one
//! transaction with its audit row.

use super::checks::{self, Verdict};
use super::fields::{REJECT_REASON, WEBSITE};
use super::reports::{self, Resolution};
use super::suggestions::{self, ReviewError};
use super::{Overview, Page, Queue, failures, queries, venues};
use crate::SuggestionForm;
use crate::auth::Caller;
use crate::context::Context;
use crate::errors::{Kind, failure};
use crate::text::{Field, Text};
use crate::venues::VenueDetail;
use uuid::Uuid;

/// A field's text, or its message as `Invalid`.
pub(super) fn read(field: &Field, raw: &str) -> Result<Text, ModerationError> {
    field
        .read(raw)
        .map_err(|e| ModerationError::Invalid(e.to_string()))
}

/// Why an admin action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    /// Not an admin (guests, members, visitors alike).
    #[error("Admins only.")]
    Forbidden,
    /// No such thing (any more).
    #[error("{0}")]
    NotFound(&'static str),
    /// The input or the state is not right.
    #[error("{0}")]
    Invalid(String),
    /// A failed merge failed again; the admin sees why (and it is logged).
    #[error("The merge failed again: {0}")]
    RetryFailed(anyhow::Error),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(no_limit ModerationError {
    Forbidden => Kind::Forbidden,
    NotFound => Kind::NotFound,
    Invalid => Kind::Invalid,
    RetryFailed => Kind::Unexpected,
});

impl From<ReviewError> for ModerationError {
    fn from(err: ReviewError) -> Self {
        match err {
            ReviewError::Unexpected(err) => Self::Unexpected(err),
            user => Self::Invalid(user.to_string()),
        }
    }
}

/// The admin's id, or `Forbidden`.
pub fn require_admin(caller: &Caller) -> Result<Uuid, ModerationError> {
    match caller.user() {
        Some(user) if crate::auth::is_admin(Some(user)) => Ok(user.id()),
        _ => Err(ModerationError::Forbidden),
    }
}

/// One page of each review queue, and the head counts.
pub async fn overview(ctx: &Context, caller: &Caller, page: Page) -> Result<Overview, ModerationError> {
    require_admin(caller)?;
    let page = Page(page.0.min(Page::MAX));
    Ok(Overview {
        page,
        suggestions: Queue::of(suggestions::pending(&ctx.pool, page).await?),
        reports: Queue::of(reports::open(&ctx.pool, page).await?),
        doubts: Queue::of(checks::open(&ctx.pool, page).await?),
        failures: Queue::of(failures::open(&ctx.pool, page).await?),
        stats: queries::user_stats(&ctx.pool).await?,
    })
}

fn suggestion_id(raw: &str) -> Result<Uuid, ModerationError> {
    Uuid::parse_str(raw).map_err(|_| ModerationError::Invalid("Unknown suggestion.".into()))
}

/// Saves edits to a suggestion; with `approve`, publishes it as a venue and
/// returns the venue's slug.
pub async fn save_suggestion(
    ctx: &Context,
    caller: &Caller,
    id: &str,
    form: &SuggestionForm,
    approve: bool,
) -> Result<Option<String>, ModerationError> {
    let admin = require_admin(caller)?;
    let id = suggestion_id(id)?;
    let edited = form
        .validate()
        .map_err(|problems| ModerationError::Invalid(problems.join(" ")))?;
    let published = suggestions::save(&ctx.pool, admin, id, &edited, approve).await?;
    if published.is_some() {
        ctx.public_changed();
    }
    Ok(published)
}

/// Rejects a suggestion with a reason the suggester will see.
pub async fn reject_suggestion(
    ctx: &Context,
    caller: &Caller,
    id: &str,
    reason: &str,
) -> Result<(), ModerationError> {
    let admin = require_admin(caller)?;
    let id = suggestion_id(id)?;
    let reason = read(&REJECT_REASON, reason)?;
    Ok(suggestions::reject(&ctx.pool, admin, id, reason.as_str()).await?)
}

/// Hides, deletes (row, then files) or dismisses a reported photo.
pub async fn resolve_report(
    ctx: &Context,
    caller: &Caller,
    id: &str,
    action: &str,
) -> Result<(), ModerationError> {
    let admin = require_admin(caller)?;
    let id = Uuid::parse_str(id).map_err(|_| ModerationError::Invalid("Unknown report.".into()))?;
    let how = Resolution::parse(action)
        .ok_or_else(|| ModerationError::Invalid("Choose hide, delete or dismiss.".into()))?;
    let done = reports::resolve(&ctx.pool, admin, id, how).await?;
    if done.withdrawn {
        ctx.public_changed();
    }
    if let Some(key) = done.remove {
        ctx.photos.store.remove(&key).await;
    }
    Ok(())
}

/// Closes a "dogs not welcome" answer (and the venue's other open ones).
pub async fn resolve_check(
    ctx: &Context,
    caller: &Caller,
    id: &str,
    verdict: &str,
) -> Result<(), ModerationError> {
    let admin = require_admin(caller)?;
    let id = Uuid::parse_str(id).map_err(|_| ModerationError::Invalid("Unknown answer.".into()))?;
    let verdict = Verdict::parse(verdict)
        .ok_or_else(|| ModerationError::Invalid("Choose dismiss or updated.".into()))?;
    // A reviewed "no" shows as reviewed, a dismissed one stops counting:
    // the venue's page and verdict change.
    if !checks::resolve(&ctx.pool, admin, id, verdict).await? {
        return Err(ModerationError::NotFound(
            "That answer was closed already, or changed to yes.",
        ));
    }
    ctx.public_changed();
    Ok(())
}

/// Reruns a failed claim merge (moving the guest's rows exactly once).
pub async fn retry_failure(ctx: &Context, caller: &Caller, id: &str) -> Result<(), ModerationError> {
    let admin = require_admin(caller)?;
    let id: i64 = id
        .parse()
        .map_err(|_| ModerationError::Invalid("Unknown failure.".into()))?;
    match failures::retry(&ctx.pool, Some(admin), id).await {
        Ok(failures::Retry::Merged { account, moved }) => {
            // As after a sign-in's merge: the verdicts catch up (the claim hook).
            let claim = anonymous_first::Claimed {
                account,
                promoted: false,
                merged: vec![moved],
            };
            ctx.identity.hooks.claimed(claim).await;
            Ok(())
        }
        Ok(failures::Retry::NothingToDo) => Ok(()),
        Err(err) => {
            tracing::error!(error = ?err, id, "claim retry failed");
            Err(ModerationError::RetryFailed(err))
        }
    }
}

/// A venue's current details for the edit form.
pub async fn venue(
    ctx: &Context,
    caller: &Caller,
    slug: &str,
) -> Result<Option<VenueDetail>, ModerationError> {
    require_admin(caller)?;
    let Ok(slug) = crate::Slug::parse(slug) else {
        return Ok(None);
    };
    Ok(crate::venues::queries::by_slug(&ctx.pool, &slug).await?)
}

/// Saves an admin's edit of a public venue (the form is its whole state):
/// the website, phone and opening hours replace what was there, empty removes
/// them (what an OpenStreetMap mapper set, say). A bad one is refused and
/// nothing is written.
pub async fn update_venue(
    ctx: &Context,
    caller: &Caller,
    slug: &str,
    form: &SuggestionForm,
    door: &venues::DoorForm,
) -> Result<(), ModerationError> {
    let admin = require_admin(caller)?;
    let website = read(&WEBSITE, &door.website)?.non_empty();
    let website = match website.as_ref().map(Text::as_str) {
        None => None,
        Some(w) if crate::venues::door::website_host(w).is_some() => Some(w),
        Some(_) => {
            return Err(ModerationError::Invalid(
                "A website starts with https:// or http:// and a host name (up to 300 characters), or leave it empty.".into(),
            ));
        }
    };
    let door = door.read(website).map_err(ModerationError::Invalid)?;
    let Ok(slug) = crate::Slug::parse(slug) else {
        return Err(ModerationError::NotFound("That venue does not exist."));
    };
    let edited = form
        .validate()
        .map_err(|problems| ModerationError::Invalid(problems.join(" ")))?;
    if edited.location.is_none() {
        return Err(ModerationError::Invalid(
            "A venue needs a location on the map.".into(),
        ));
    }
    if !venues::update(&ctx.pool, admin, slug.as_str(), &edited, &door).await? {
        return Err(ModerationError::NotFound("That venue does not exist."));
    }
    ctx.public_changed();
    Ok(())
}
