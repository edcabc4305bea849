//! Admin server functions. Every one checks the role on the server and answers
//! 403 to everyone else (guests, members, visitors) before touching anything.
// Suggestion edits post one argument per form field (works without JavaScript).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use paws_inside::moderation::{ClaimFailure, OpenReport, PendingSuggestion, UserRow, UserStats};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::{bad_request, pool, unexpected};

/// Everything on `/admin`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Suggestions waiting for review.
    pub suggestions: Vec<PendingSuggestion>,
    /// Open photo reports.
    pub reports: Vec<OpenReport>,
    /// Failed claim merges.
    pub failures: Vec<ClaimFailure>,
    /// Head counts.
    pub stats: UserStats,
}

/// The admin's user id, or 403.
#[cfg(feature = "ssr")]
async fn require_admin() -> Result<uuid::Uuid, ServerFnError> {
    let forbidden = || {
        crate::error::set_error_status(http::StatusCode::FORBIDDEN);
        ServerFnError::ServerError("Admins only.".to_owned())
    };
    // The session's one lookup reads the role from the users table, so a
    // revoked admin is refused on the very next request.
    match crate::auth::session::current().await? {
        Some(paws_inside::User::Member { id, admin: true, .. }) => Ok(id),
        _ => Err(forbidden()),
    }
}

/// The review queues and user counts.
#[server(prefix = "/api", endpoint = "admin/overview")]
pub async fn admin_overview() -> Result<Overview, ServerFnError> {
    use paws_inside::moderation::{self as admin, queries};
    require_admin().await?;
    let pool = pool()?;
    Ok(Overview {
        suggestions: admin::suggestions::pending(&pool).await.map_err(unexpected)?,
        reports: admin::reports::open(&pool).await.map_err(unexpected)?,
        failures: admin::failures::open(&pool).await.map_err(unexpected)?,
        stats: queries::user_stats(&pool).await.map_err(unexpected)?,
    })
}

/// Members whose address contains `query`.
#[server(prefix = "/api", endpoint = "admin/users")]
pub async fn admin_search_users(#[server(default)] query: String) -> Result<Vec<UserRow>, ServerFnError> {
    require_admin().await?;
    if query.trim().len() < 2 {
        return Ok(Vec::new());
    }
    paws_inside::moderation::queries::search_users(&pool()?, &query)
        .await
        .map_err(unexpected)
}

/// Saves edits to a suggestion; with `approve`, publishes it as a venue.
#[server(prefix = "/api", endpoint = "admin/suggestion")]
pub async fn admin_save_suggestion(
    #[server(default)] id: String,
    #[server(default)] name: String,
    #[server(default)] category: String,
    #[server(default)] address: String,
    #[server(default)] city: String,
    #[server(default)] dogs_inside: String,
    #[server(default)] size_limit: String,
    #[server(default)] water_bowl: String,
    #[server(default)] treats: String,
    #[server(default)] notes: String,
    #[server(default)] lat: String,
    #[server(default)] lng: String,
    #[server(default)] approve: Option<String>,
) -> Result<Option<String>, ServerFnError> {
    use paws_inside::moderation::suggestions::{ReviewError, save};
    let admin = require_admin().await?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| bad_request("Unknown suggestion."))?;
    let form = paws_inside::SuggestionForm {
        name,
        category,
        address,
        city,
        dogs_inside,
        size_limit,
        water_bowl,
        treats,
        notes,
        lat,
        lng,
    };
    let edited = form
        .validate()
        .map_err(|problems| bad_request(&problems.join(" ")))?;
    match save(&pool()?, admin, id, &edited, approve.is_some()).await {
        Ok(slug) => {
            leptos_axum::redirect("/admin");
            Ok(slug)
        }
        Err(ReviewError::Unexpected(err)) => Err(unexpected(err)),
        Err(user) => Err(bad_request(&user.to_string())),
    }
}

/// Rejects a suggestion with a reason the suggester will see.
#[server(prefix = "/api", endpoint = "admin/reject")]
pub async fn admin_reject_suggestion(
    #[server(default)] id: String,
    #[server(default)] reason: String,
) -> Result<(), ServerFnError> {
    use paws_inside::moderation::suggestions::{ReviewError, reject};
    let admin = require_admin().await?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| bad_request("Unknown suggestion."))?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(bad_request("Give a short reason (up to 500 characters)."));
    }
    match reject(&pool()?, admin, id, reason).await {
        Ok(()) => {
            leptos_axum::redirect("/admin");
            Ok(())
        }
        Err(ReviewError::Unexpected(err)) => Err(unexpected(err)),
        Err(user) => Err(bad_request(&user.to_string())),
    }
}

/// Hides, deletes or dismisses a reported photo.
#[server(prefix = "/api", endpoint = "admin/report")]
pub async fn admin_resolve_report(
    #[server(default)] id: String,
    #[server(default)] action: String,
) -> Result<(), ServerFnError> {
    use paws_inside::moderation::reports::{Resolution, resolve};
    let admin = require_admin().await?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| bad_request("Unknown report."))?;
    let how = Resolution::parse(&action).ok_or_else(|| bad_request("Choose hide, delete or dismiss."))?;
    if let Some(key) = resolve(&pool()?, admin, id, how).await.map_err(unexpected)?
        && let Some(photos) = use_context::<paws_inside::photos::PhotoService>()
    {
        photos.store.remove(&key).await;
    }
    leptos_axum::redirect("/admin");
    Ok(())
}

/// Reruns a failed claim merge.
#[server(prefix = "/api", endpoint = "admin/retry")]
pub async fn admin_retry_claim(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let admin = require_admin().await?;
    let id: i64 = id.parse().map_err(|_| bad_request("Unknown failure."))?;
    paws_inside::moderation::failures::retry(&pool()?, Some(admin), id)
        .await
        .map_err(|e| -> ServerFnError {
            tracing::error!(error = ?e, id, "claim retry failed");
            ServerFnError::ServerError(format!("The merge failed again: {e}"))
        })?;
    leptos_axum::redirect("/admin");
    Ok(())
}

/// A venue's current details for the edit form (admins only).
#[server(prefix = "/api", endpoint = "admin/venue")]
pub async fn admin_venue(
    #[server(default)] slug: String,
) -> Result<Option<paws_inside::VenueDetail>, ServerFnError> {
    require_admin().await?;
    let Ok(slug) = paws_inside::Slug::parse(&slug) else {
        return Ok(None);
    };
    paws_inside::venues::queries::by_slug(&pool()?, &slug)
        .await
        .map_err(unexpected)
}

/// Saves an admin's edit of a public venue.
#[server(prefix = "/api", endpoint = "admin/venue-edit")]
pub async fn admin_update_venue(
    #[server(default)] slug: String,
    #[server(default)] name: String,
    #[server(default)] category: String,
    #[server(default)] address: String,
    #[server(default)] city: String,
    #[server(default)] dogs_inside: String,
    #[server(default)] size_limit: String,
    #[server(default)] water_bowl: String,
    #[server(default)] treats: String,
    #[server(default)] notes: String,
    #[server(default)] lat: String,
    #[server(default)] lng: String,
) -> Result<(), ServerFnError> {
    let admin = require_admin().await?;
    let form = paws_inside::SuggestionForm {
        name,
        category,
        address,
        city,
        dogs_inside,
        size_limit,
        water_bowl,
        treats,
        notes,
        lat,
        lng,
    };
    let edited = form
        .validate()
        .map_err(|problems| bad_request(&problems.join(" ")))?;
    if edited.location.is_none() {
        return Err(bad_request("A venue needs a location on the map."));
    }
    if !paws_inside::moderation::venues::update(&pool()?, admin, &slug, &edited)
        .await
        .map_err(unexpected)?
    {
        return Err(crate::error::not_found("That venue does not exist."));
    }
    leptos_axum::redirect(&format!("/venues/{slug}"));
    Ok(())
}
