//! Answers more than one route gives, in one place.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answer for the browser's scripts: `{"error": message}` with `status`.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}
