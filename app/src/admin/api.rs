//! Admin server functions: each converts its form and calls one flow of
//! `paws_inside::moderation::flows`, which answers 403 to everyone but an
//! admin (checked on the users table's current row) before touching anything.
// Suggestion edits post one argument per form field (works without JavaScript).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use paws_inside::moderation::Overview;

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};
#[cfg(feature = "ssr")]
use paws_inside::moderation::{Page, flows};

/// The review queues (one page each, oldest first) and user counts.
#[server(prefix = "/api", endpoint = "admin/overview")]
pub async fn admin_overview(#[server(default)] page: u32) -> Result<Overview, ServerFnError> {
    flows::overview(&ctx()?, &caller().await?, Page(page))
        .await
        .map_err(fail)
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
        ..Default::default()
    };
    let slug = flows::save_suggestion(&ctx()?, &caller().await?, &id, &form, approve.is_some())
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/admin");
    Ok(slug)
}

/// Rejects a suggestion with a reason the suggester will see.
#[server(prefix = "/api", endpoint = "admin/reject")]
pub async fn admin_reject_suggestion(
    #[server(default)] id: String,
    #[server(default)] reason: String,
) -> Result<(), ServerFnError> {
    flows::reject_suggestion(&ctx()?, &caller().await?, &id, &reason)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/admin");
    Ok(())
}

/// Hides, deletes or dismisses a reported photo.
#[server(prefix = "/api", endpoint = "admin/report")]
pub async fn admin_resolve_report(
    #[server(default)] id: String,
    #[server(default)] action: String,
) -> Result<(), ServerFnError> {
    flows::resolve_report(&ctx()?, &caller().await?, &id, &action)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/admin");
    Ok(())
}

/// Closes a "dogs not welcome inside" answer: `dismiss` or `updated`.
#[server(prefix = "/api", endpoint = "admin/check")]
pub async fn admin_resolve_check(
    #[server(default)] id: String,
    #[server(default)] verdict: String,
) -> Result<(), ServerFnError> {
    flows::resolve_check(&ctx()?, &caller().await?, &id, &verdict)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/admin");
    Ok(())
}

/// Reruns a failed claim merge.
#[server(prefix = "/api", endpoint = "admin/retry")]
pub async fn admin_retry_claim(#[server(default)] id: String) -> Result<(), ServerFnError> {
    flows::retry_failure(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/admin");
    Ok(())
}

/// A venue's current details for the edit form (admins only).
#[server(prefix = "/api", endpoint = "admin/venue")]
pub async fn admin_venue(
    #[server(default)] slug: String,
) -> Result<Option<paws_inside::VenueDetail>, ServerFnError> {
    flows::venue(&ctx()?, &caller().await?, &slug).await.map_err(fail)
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
    #[server(default)] website: String,
    #[server(default)] phone: String,
    #[server(default)] opening_hours: String,
) -> Result<(), ServerFnError> {
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
        ..Default::default()
    };
    let door = paws_inside::moderation::venues::DoorForm {
        website,
        phone,
        opening_hours,
    };
    flows::update_venue(&ctx()?, &caller().await?, &slug, &form, &door)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!("/venues/{slug}"));
    Ok(())
}
