//! Thin server functions: validate input, call the data layer, map errors.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use paws_inside::{MapMarker, VenueDetail, VenueFilter, VenueSummary};

#[cfg(feature = "ssr")]
use crate::error::{bad_request, pool, unexpected};

/// Venues matching the filter (at most the list limit), ordered by city and name.
#[server(prefix = "/api", endpoint = "venues/search")]
pub async fn search_venues(filter: VenueFilter) -> Result<Vec<VenueSummary>, ServerFnError> {
    paws_inside::db::venues::search(&pool()?, &filter)
        .await
        .map_err(unexpected)
}

/// Every city with at least one venue, for the city filter.
#[server(prefix = "/api", endpoint = "venues/cities")]
pub async fn list_cities() -> Result<Vec<String>, ServerFnError> {
    paws_inside::db::venues::cities(&pool()?)
        .await
        .map_err(unexpected)
}

/// Markers for the visible map area. A GET so browsers and proxies may cache it.
#[server(prefix = "/api", endpoint = "venues/box", input = GetUrl)]
pub async fn venues_in_box(
    south: f64,
    west: f64,
    north: f64,
    east: f64,
    #[server(default)] filter: VenueFilter,
) -> Result<Vec<MapMarker>, ServerFnError> {
    let Some(bbox) = paws_inside::BBox::new(south, west, north, east) else {
        return Err(bad_request("That map area is not valid."));
    };
    paws_inside::db::venues::in_box(&pool()?, bbox, &filter)
        .await
        .map_err(unexpected)
}

/// The filter part of a [`venues_in_box`] query string (`filter[city]=…`),
/// encoded here the way the endpoint decodes it, so the map script only has
/// to add the visible area's edges.
#[cfg(feature = "ssr")]
pub fn box_query(filter: &VenueFilter) -> String {
    #[derive(serde::Serialize)]
    struct Args<'a> {
        filter: &'a VenueFilter,
    }
    serde_qs::to_string(&Args { filter }).unwrap_or_default()
}

/// One venue by slug; `None` for unknown or malformed slugs (no query for the latter).
#[server(prefix = "/api", endpoint = "venues/get")]
pub async fn get_venue(slug: String) -> Result<Option<VenueDetail>, ServerFnError> {
    let Ok(slug) = paws_inside::Slug::parse(&slug) else {
        return Ok(None);
    };
    paws_inside::db::venues::by_slug(&pool()?, &slug)
        .await
        .map_err(unexpected)
}
