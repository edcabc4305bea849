//! `GET /api/venues/box`: what the map draws for the visible area. The map
//! script calls it on every pan and zoom, so it is a plain route (no
//! server-function machinery) with a flat query: the box's edges, the map's
//! `zoom`, and the filter exactly as it reads in the page URL.
//! `GET /api/venues/places?prefix=Ber`: the place field's suggestions as typed.

use crate::responses::json_error;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use paws_inside::venues::flows::DirectoryError;
use paws_inside::venues::grid::MAX_ZOOM;
use paws_inside::{BBox, VenueFilter};

/// Answers a [`paws_inside::MapView`] (markers, or clusters when too many are
/// in view); 400 for a box that is not one (missing or non-finite edges,
/// south above north), a zoom that is not a whole number in 0..=22, or a
/// search or city that is not text (the page's own filter never is: the page
/// leaves such text out).
pub async fn in_box(
    State(pool): State<sqlx::PgPool>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let edge = |name: &str| value(name).and_then(|v| v.parse::<f64>().ok());
    let area = match (edge("south"), edge("west"), edge("north"), edge("east")) {
        (Some(south), Some(west), Some(north), Some(east)) => BBox::new(south, west, north, east),
        _ => None,
    };
    let Some(area) = area else {
        return json_error(StatusCode::BAD_REQUEST, "That map area is not valid.");
    };
    let zoom = match value("zoom").map(|z| z.parse::<u8>().ok().filter(|z| *z <= MAX_ZOOM)) {
        None => None,
        Some(Some(zoom)) => Some(zoom),
        Some(None) => return json_error(StatusCode::BAD_REQUEST, "That map zoom is not valid."),
    };
    let (filter, left_out) = VenueFilter::read(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if let Some(problem) = left_out.first() {
        return json_error(StatusCode::BAD_REQUEST, &problem.to_string());
    }
    match paws_inside::venues::flows::map_view(&pool, area, zoom, &filter).await {
        Ok(view) => ([(header::CACHE_CONTROL, "no-cache")], Json(view)).into_response(),
        Err(DirectoryError::Invalid(problem)) => json_error(StatusCode::BAD_REQUEST, &problem.to_string()),
        Err(DirectoryError::Unexpected(err)) => {
            tracing::error!(error = ?err, "box query failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED)
        }
    }
}

/// Most places suggested for a typed prefix.
const PLACES_SUGGESTED: i64 = 10;

/// The places whose name starts with `prefix` (any case), the most venues
/// first, at most ten, as a JSON list of names; 400 for a prefix that is not
/// text a person typed (read as the city field is).
pub async fn places(
    State(pool): State<sqlx::PgPool>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let typed = pairs
        .iter()
        .find(|(k, _)| k == "prefix")
        .map_or("", |(_, v)| v.as_str());
    let prefix = match paws_inside::venues::filter::CITY.read_optional(typed.trim()) {
        Ok(prefix) => prefix.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        Err(problem) => return json_error(StatusCode::BAD_REQUEST, &problem.to_string()),
    };
    match paws_inside::venues::places::places(&pool, &prefix, PLACES_SUGGESTED).await {
        Ok(names) => ([(header::CACHE_CONTROL, "no-cache")], Json(names)).into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "place suggestions failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED)
        }
    }
}
