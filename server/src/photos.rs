//! Photo upload (`POST /api/photos`, multipart) and photo files (`GET
//! /photos/..`). The upload works as a plain HTML form (answers 303 back to the
//! page) and from script (`Accept: application/json`, answers JSON); the use
//! case is `paws_inside::photos::flows::upload`, this only reads the body and
//! answers.

use crate::responses::json_error;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::Caller;
use paws_inside::auth::TypedSession;
use paws_inside::errors::{Failure, Kind};
use paws_inside::photos::flows::{self, Target, Upload, UploadError};
use paws_inside::photos::{Photo, PhotoStore};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

#[derive(Serialize)]
struct Uploaded {
    photo: Photo,
    thumb_url: String,
    display_url: String,
}

/// The form's address: what the photo is of and where a plain form goes back
/// to, known before the body is read.
#[derive(Default, Deserialize)]
struct Query {
    dog: Option<String>,
    venue: Option<String>,
    return_to: Option<String>,
}

/// Room for the multipart framing around a maximal photo.
pub const FRAMING: usize = 256 * 1024;

/// `POST /api/photos`. What can be decided from the request alone (the
/// client's uploads in flight, the session, the size it announces, what it is
/// of, the hourly limit, a full decode queue) is decided before a byte of the
/// body is read; only then does the upload take a place, and its body has
/// `UPLOAD_BODY_SECONDS` to arrive (else 408, and the place is free again).
pub async fn upload(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    uri: Uri,
    multipart: Multipart,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let query = axum::extract::Query::<Query>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let max_bytes = state.photos.limits.max_bytes;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let early = if announced.is_some_and(|n| n > max_bytes + FRAMING) {
        let max_mb = max_bytes / (1024 * 1024);
        Err(paws_inside::photos::PhotoError::TooLarge { max_mb }.into())
    } else {
        let target = Target {
            dog: query.dog,
            venue: query.venue,
        };
        flows::precheck(&state.ctx, &caller, &target).await
    };
    let outcome = match early {
        Err(err) => {
            // Nothing of the body is kept, but a browser sending it only reads
            // the answer once it has sent it all: take the rest (within the
            // limit) and drop it. A client that asked first (`Expect:
            // 100-continue`) or announced too much is not asked to send it.
            let expects = headers.contains_key(header::EXPECT);
            if !expects && announced.is_none_or(|n| n <= max_bytes + FRAMING) {
                discard(multipart).await;
            }
            Err((err, safe_return(query.return_to.as_deref())))
        }
        Ok(place) => {
            // A body sent slowly or not at all holds its place only this long.
            let read = tokio::time::timeout(state.upload_body, read_form(multipart, max_bytes)).await;
            let Ok((mut upload, return_to)) = read else {
                drop(place);
                tracing::info!("an upload's body did not arrive in time");
                let return_to = safe_return(query.return_to.as_deref());
                return answer(Err((UploadError::TooSlow, return_to)), wants_json);
            };
            upload.place = Some(place);
            let return_to = return_to.or(query.return_to);
            let return_to = safe_return(return_to.as_deref());
            flows::upload(&state.ctx, &mut caller, upload)
                .await
                .map(|photo| (photo, return_to.clone()))
                .map_err(|e| (e, return_to))
        }
    };
    answer(outcome, wants_json)
}

/// The answer: JSON for script, a redirect back for a plain form.
fn answer(outcome: Result<(Photo, String), (UploadError, String)>, wants_json: bool) -> Response {
    match (outcome, wants_json) {
        (Ok((photo, _)), true) => {
            let body = Uploaded {
                thumb_url: photo.thumb_url(),
                display_url: photo.display_url(),
                photo,
            };
            (StatusCode::CREATED, Json(body)).into_response()
        }
        (Ok((_, return_to)), false) => Redirect::to(&return_to).into_response(),
        (Err((err, return_to)), json) => {
            if let Some(cause) = err.unexpected() {
                tracing::error!(error = ?cause, "photo upload failed");
            }
            let status =
                StatusCode::from_u16(err.kind().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut res = match (json, err.kind()) {
                (true, _) => json_error(status, &err.to_string()),
                (false, Kind::Unexpected) => (status, app::UNEXPECTED).into_response(),
                // The rest of the body is not waited for: the connection closes
                // with the answer (a redirect would be read no sooner).
                (false, Kind::TooSlow) => (status, err.to_string()).into_response(),
                // Without JavaScript, back to the page with a code it explains.
                (false, _) => {
                    let sep = if return_to.contains('?') { '&' } else { '?' };
                    Redirect::to(&format!("{return_to}{sep}photo_error={}", err.code())).into_response()
                }
            };
            if let Kind::TooMany(seconds) | Kind::Busy(seconds) = err.kind()
                && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, value);
            }
            if err.kind() == Kind::TooSlow {
                res.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            res
        }
    }
}

/// Reads what is left of a refused upload's body without keeping it, for a
/// few seconds at most.
async fn discard(mut multipart: Multipart) {
    let drain = async {
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
}

/// A path of ours to go back to, else `/dogs`.
fn safe_return(raw: Option<&str>) -> String {
    raw.map(str::trim)
        .filter(|p| paws_inside::redirect::safe_next(Some(p)) == *p)
        .unwrap_or("/dogs")
        .to_owned()
}

/// Reads the multipart body, keeping at most `limit + 1` bytes of the file,
/// and where a plain form goes back to.
async fn read_form(mut multipart: Multipart, limit: usize) -> (Upload, Option<String>) {
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
    (form, return_to)
}

/// `GET /media/{key}/{file}`, the address before the rename: a permanent
/// redirect to the same file under `/photos`.
pub async fn moved(Path((key, file)): Path<(String, String)>) -> Response {
    if PhotoStore::photo_id(&key).is_none() || !file.ends_with(".jpg") {
        return StatusCode::NOT_FOUND.into_response();
    }
    Redirect::permanent(&format!("/photos/{key}/{file}")).into_response()
}

/// How long a browser or CDN may show a photo without asking again. The bytes
/// under a key never change, but moderation can withdraw them: after this a
/// cache revalidates (a cheap 304 while the photo is public, 404 once hidden
/// or deleted), so a withdrawn photo is gone from every cache within it.
const PUBLIC_PHOTO: &str = "public, max-age=300, must-revalidate";

/// `GET /photos/{key}/{file}`: a stored photo, if it is still public (or the
/// viewer is an admin).
pub async fn serve(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Path((key, file)): Path<(String, String)>,
) -> Response {
    let variant = file.strip_suffix(".jpg").unwrap_or("");
    let store = &state.photos.store;
    if !PhotoStore::is_valid_key(&key) || !paws_inside::photos::store::VARIANTS.contains(&variant) {
        return StatusCode::NOT_FOUND.into_response();
    }
    // Hidden photos (moderation) are only shown to admins, and never cached
    // where someone else could be served them.
    let cache = match paws_inside::moderation::reports::is_public(&state.pool, &key).await {
        Ok(true) => PUBLIC_PHOTO,
        Ok(false) if viewer_is_admin(session).await => "private, no-store",
        Ok(false) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "photo lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    // The key and variant name the bytes for good: they are the validator.
    let etag = format!("\"{key}-{variant}\"");
    let revalidated = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    let head = |status: StatusCode| {
        let mut res = status.into_response();
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        if let Ok(etag) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, etag);
        }
        res
    };
    let found = if revalidated {
        store
            .exists(&key, variant)
            .await
            .map(|found| found.then(|| head(StatusCode::NOT_MODIFIED)))
    } else {
        store.get(&key, variant).await.map(|bytes| {
            bytes.map(|bytes| {
                let mut res = head(StatusCode::OK);
                let h = res.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
                h.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                *res.body_mut() = axum::body::Body::from(bytes);
                res
            })
        })
    };
    match found {
        Ok(Some(res)) => res,
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        // The store (a bucket across the network) is down: the photo is not gone.
        Err(err) => {
            tracing::error!(error = ?err, "photo read failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

async fn viewer_is_admin(session: Session) -> bool {
    // The session's one lookup reads the role from the users table.
    TypedSession::load(session)
        .await
        .is_ok_and(|s| paws_inside::auth::is_admin(s.user()))
}
