//! Thin server functions: validate input, call the data layer, map errors.

use leptos::prelude::*;
use paws_inside::{DirectoryPage, DirectoryQuery, VenueDetail};

#[cfg(feature = "ssr")]
use crate::error::{pool, unexpected};

/// The directory page for a URL's state: one page of the venues in view,
/// nearest first, with their count and the place suggestions (400 for a
/// search or city that is not text).
#[server(prefix = "/api", endpoint = "venues/directory")]
pub async fn directory(query: DirectoryQuery) -> Result<DirectoryPage, ServerFnError> {
    paws_inside::venues::flows::directory(&pool()?, &query)
        .await
        .map_err(crate::error::fail)
}

/// One venue by slug; `None` for unknown or malformed slugs (no query for the latter).
#[server(prefix = "/api", endpoint = "venues/get")]
pub async fn get_venue(slug: String) -> Result<Option<VenueDetail>, ServerFnError> {
    let Ok(slug) = paws_inside::Slug::parse(&slug) else {
        return Ok(None);
    };
    paws_inside::venues::page::venue_page(&pool()?, &slug)
        .await
        .map_err(unexpected)
}
