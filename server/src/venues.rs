//! `GET /api/venues/box`: the map's markers for the visible area. The map
//! script calls it on every pan and zoom, so it is a plain route (no
//! server-function machinery) with a flat query: the box's edges plus the
//! filter exactly as it reads in the page URL (`q`, `city`, `category`, flags).

use crate::responses::json_error;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use paws_inside::{BBox, VenueFilter};

/// Answers the markers inside the box that match the filter; 400 for a box
/// that is not one (missing or non-finite edges, south above north).
pub async fn in_box(
    State(pool): State<sqlx::PgPool>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let edge = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<f64>().ok())
    };
    let area = match (edge("south"), edge("west"), edge("north"), edge("east")) {
        (Some(south), Some(west), Some(north), Some(east)) => BBox::new(south, west, north, east),
        _ => None,
    };
    let Some(area) = area else {
        return json_error(StatusCode::BAD_REQUEST, "That map area is not valid.");
    };
    let filter = VenueFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    match paws_inside::venues::queries::in_box(&pool, area, &filter).await {
        Ok(markers) => ([(header::CACHE_CONTROL, "no-cache")], Json(markers)).into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "box query failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED)
        }
    }
}
