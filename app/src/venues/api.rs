//! Thin server functions: validate input, call the data layer, map errors.

use leptos::prelude::*;
use paws_inside::{VenueDetail, VenueFilter, VenueSummary};

#[cfg(feature = "ssr")]
use crate::error::{pool, unexpected};

/// Venues matching the filter (at most the list limit), ordered by city and name.
#[server(prefix = "/api", endpoint = "venues/search")]
pub async fn search_venues(filter: VenueFilter) -> Result<Vec<VenueSummary>, ServerFnError> {
    paws_inside::venues::queries::search(&pool()?, &filter)
        .await
        .map_err(unexpected)
}

/// Every city with at least one venue, for the city filter.
#[server(prefix = "/api", endpoint = "venues/cities")]
pub async fn list_cities() -> Result<Vec<String>, ServerFnError> {
    paws_inside::venues::queries::cities(&pool()?)
        .await
        .map_err(unexpected)
}

/// One venue by slug; `None` for unknown or malformed slugs (no query for the latter).
#[server(prefix = "/api", endpoint = "venues/get")]
pub async fn get_venue(slug: String) -> Result<Option<VenueDetail>, ServerFnError> {
    let Ok(slug) = paws_inside::Slug::parse(&slug) else {
        return Ok(None);
    };
    paws_inside::venues::queries::by_slug(&pool()?, &slug)
        .await
        .map_err(unexpected)
}
