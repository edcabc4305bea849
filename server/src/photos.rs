//! Photo upload (`POST /api/photos`, multipart) and photo files (`GET
//! /photos/..`). The upload works as a plain HTML form (answers 303 back to the
//! page) and from script (`Accept: application/json`, answers JSON); the use
//! case is `paws_inside::photos::flows::upload`, this only reads the body and
//! answers.

use crate::responses::json_error;
use crate::sessions::Identity;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::TypedSession;
use paws_inside::errors::{Failure, Kind};
use paws_inside::photos::Photo;
use paws_inside::photos::flows::{self, Upload};
use serde::Serialize;
use tower_sessions::Session;

#[derive(Serialize)]
struct Uploaded {
    photo: Photo,
    thumb_url: String,
    display_url: String,
}

/// `POST /api/photos`.
pub async fn upload(
    State(state): State<AppState>,
    Identity(mut caller): Identity,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let form = read_form(multipart, state.photos.limits.max_bytes).await;
    let (upload, return_to) = form;
    match (flows::upload(&state.ctx, &mut caller, upload).await, wants_json) {
        (Ok(photo), true) => {
            let body = Uploaded {
                thumb_url: photo.thumb_url(),
                display_url: photo.display_url(),
                photo,
            };
            (StatusCode::CREATED, Json(body)).into_response()
        }
        (Ok(_), false) => Redirect::to(&return_to).into_response(),
        (Err(err), json) => {
            if let Some(cause) = err.unexpected() {
                tracing::error!(error = ?cause, "photo upload failed");
            }
            let status =
                StatusCode::from_u16(err.kind().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match (json, err.kind()) {
                (true, _) => json_error(status, &err.to_string()),
                (false, Kind::Unexpected) => (status, app::UNEXPECTED).into_response(),
                // Without JavaScript, back to the page with a code it explains.
                (false, _) => {
                    let sep = if return_to.contains('?') { '&' } else { '?' };
                    Redirect::to(&format!("{return_to}{sep}photo_error={}", err.code())).into_response()
                }
            }
        }
    }
}

/// Reads the multipart body, keeping at most `limit + 1` bytes of the file,
/// and where a plain form goes back to (a path of ours, else `/dogs`).
async fn read_form(mut multipart: Multipart, limit: usize) -> (Upload, String) {
    let mut form = Upload::default();
    let mut return_to = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => {
                // The body limit cut the stream: that is a file over the limit.
                form.too_large = err.status() == StatusCode::PAYLOAD_TOO_LARGE;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let mut buf = Vec::new();
            let whole = loop {
                match field.chunk().await {
                    Ok(Some(chunk)) if buf.len() + chunk.len() > limit => {
                        form.too_large = true;
                        break false;
                    }
                    Ok(Some(chunk)) => buf.extend_from_slice(&chunk),
                    Ok(None) => break true,
                    Err(err) => {
                        form.too_large = err.status() == StatusCode::PAYLOAD_TOO_LARGE;
                        break false;
                    }
                }
            };
            // A body cut off (too large, aborted, malformed) is no file at all:
            // nothing is decoded, no guest is made for it.
            if !whole {
                break;
            }
            form.file = Some(buf);
        } else {
            let value = field.text().await.unwrap_or_default();
            let value = value.chars().take(512).collect::<String>();
            match name.as_str() {
                // `pet`: the field's name on pages rendered before the rename.
                "dog" | "pet" => form.dog = Some(value),
                "venue" => form.venue = Some(value),
                "mint_key" => form.mint_key = Some(value),
                "return_to" => return_to = Some(value),
                _ => {}
            }
        }
    }
    let return_to = return_to
        .as_deref()
        .map(str::trim)
        .filter(|p| paws_inside::redirect::safe_next(Some(p)) == *p)
        .unwrap_or("/dogs")
        .to_owned();
    (form, return_to)
}

/// `GET /media/{key}/{file}`, the address before the rename: a permanent
/// redirect to the same file under `/photos`.
pub async fn moved(Path((key, file)): Path<(String, String)>) -> Response {
    if paws_inside::photos::PhotoStore::photo_id(&key).is_none() || !file.ends_with(".jpg") {
        return StatusCode::NOT_FOUND.into_response();
    }
    Redirect::permanent(&format!("/photos/{key}/{file}")).into_response()
}

/// `GET /photos/{key}/{file}`: a stored photo, immutable under its key.
pub async fn serve(
    State(state): State<AppState>,
    session: Session,
    Path((key, file)): Path<(String, String)>,
) -> Response {
    let variant = file.strip_suffix(".jpg").unwrap_or("");
    let Some(path) = state.photos.store.path(&key, variant) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Hidden photos (moderation) are only shown to admins, and never cached
    // where someone else could be served them.
    let cache = match paws_inside::moderation::reports::is_public(&state.pool, &key).await {
        Ok(true) => "public, max-age=31536000, immutable",
        Ok(false) if viewer_is_admin(session).await => "private, no-store",
        Ok(false) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "photo lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn viewer_is_admin(session: Session) -> bool {
    // The session's one lookup reads the role from the users table.
    TypedSession::load(session)
        .await
        .is_ok_and(|s| matches!(s.user(), Some(paws_inside::User::Member { admin: true, .. })))
}
