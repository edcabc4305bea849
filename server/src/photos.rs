//! Photo upload (`POST /api/photos`, multipart) and photo files (`GET /media/..`).
//! The upload works as a plain HTML form (answers 303 back to the page) and
//! from script (`Accept: application/json`, answers JSON), and mints a guest
//! lazily like every other contribution.

use crate::routes::json_error;
use crate::sessions::Identity;
use crate::startup::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::{Caller, MintError, TypedSession};
use paws_inside::photos::Photo;
use paws_inside::photos::queries::{self as rows, Subject};
use paws_inside::photos::{PhotoError, UploadError};
use serde::Serialize;
use tower_sessions::Session;
use uuid::Uuid;

/// The parsed form, before any database work.
#[derive(Default)]
struct UploadForm {
    file: Option<Vec<u8>>,
    dog: Option<String>,
    venue: Option<String>,
    mint_key: Option<String>,
    return_to: Option<String>,
    too_large: bool,
}

#[derive(Serialize)]
struct Uploaded {
    photo: Photo,
    thumb_url: String,
    display_url: String,
}

/// Why an upload failed, as the person should read it.
enum Failure {
    Rejected(StatusCode, String, &'static str),
    Unexpected(anyhow::Error),
}

impl From<UploadError> for Failure {
    fn from(err: UploadError) -> Self {
        match err {
            UploadError::Rejected(e @ PhotoError::TooLarge { .. }) => {
                Self::Rejected(StatusCode::PAYLOAD_TOO_LARGE, e.to_string(), e.code())
            }
            UploadError::Rejected(e) => {
                Self::Rejected(StatusCode::UNPROCESSABLE_ENTITY, e.to_string(), e.code())
            }
            UploadError::Unexpected(e) => Self::Unexpected(e),
        }
    }
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
    let limit = state.photos.limits.max_bytes;
    let form = read_form(multipart, limit).await;
    let return_to = form
        .return_to
        .as_deref()
        .map(str::trim)
        .filter(|p| paws_inside::redirect::safe_next(Some(p)) == *p)
        .unwrap_or("/dogs")
        .to_owned();
    let result = store(&state, &mut caller, form).await;
    match (result, wants_json) {
        (Ok(photo), true) => {
            let body = Uploaded {
                thumb_url: photo.thumb_url(),
                display_url: photo.display_url(),
                photo,
            };
            (StatusCode::CREATED, Json(body)).into_response()
        }
        (Ok(_), false) => Redirect::to(&return_to).into_response(),
        (Err(Failure::Rejected(status, message, _)), true) => json_error(status, &message),
        (Err(Failure::Rejected(_, _, code)), false) => {
            let sep = if return_to.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{return_to}{sep}photo_error={code}")).into_response()
        }
        (Err(Failure::Unexpected(err)), json) => {
            tracing::error!(error = ?err, "photo upload failed");
            if json {
                json_error(StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED)
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED).into_response()
            }
        }
    }
}

async fn store(state: &AppState, caller: &mut Caller, form: UploadForm) -> Result<Photo, Failure> {
    if form.too_large {
        let max_mb = state.photos.limits.max_bytes / (1024 * 1024);
        return Err(UploadError::Rejected(PhotoError::TooLarge { max_mb }).into());
    }
    let Some(bytes) = form.file else {
        return Err(UploadError::Rejected(PhotoError::Empty).into());
    };
    let dog = match form.dog.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| not_yours())?),
        None => None,
    };
    let venue = match form.venue.as_deref().filter(|s| !s.is_empty()) {
        Some(slug) => Some(
            rows::venue_id(&state.pool, slug)
                .await
                .map_err(Failure::Unexpected)?
                .ok_or_else(|| {
                    Failure::Rejected(
                        StatusCode::NOT_FOUND,
                        "That venue does not exist.".into(),
                        "no_venue",
                    )
                })?,
        ),
        None => None,
    };
    let user = paws_inside::auth::guest::user_or_mint(&state.auth, caller, form.mint_key.as_deref())
        .await
        .map_err(|err| match err {
            MintError::TooMany(_) => rate_limited(),
            MintError::Unexpected(err) => Failure::Unexpected(err),
        })?;
    if paws_inside::limits::hit(
        &state.pool,
        &state.auth.settings.limits,
        paws_inside::limits::LimitedAction::Upload,
        &user.id().to_string(),
    )
    .await
    .map_err(Failure::Unexpected)?
    .is_err()
    {
        return Err(rate_limited());
    }
    if let Some(dog) = dog
        && !rows::dog_is_owned(&state.pool, user.id(), dog)
            .await
            .map_err(Failure::Unexpected)?
    {
        return Err(not_yours());
    }
    Ok(state
        .photos
        .upload(&state.pool, user.id(), Subject { dog, venue }, bytes)
        .await?)
}

fn not_yours() -> Failure {
    Failure::Rejected(
        StatusCode::NOT_FOUND,
        "That dog could not be found.".into(),
        "no_pet",
    )
}

/// Reads the multipart body, keeping at most `limit + 1` bytes of the file.
async fn read_form(mut multipart: Multipart, limit: usize) -> UploadForm {
    let mut form = UploadForm::default();
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
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) if buf.len() + chunk.len() > limit => {
                        form.too_large = true;
                        return form;
                    }
                    Ok(Some(chunk)) => buf.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(err) => {
                        form.too_large = err.status() == StatusCode::PAYLOAD_TOO_LARGE;
                        return form;
                    }
                }
            }
            form.file = Some(buf);
        } else {
            let value = field.text().await.unwrap_or_default();
            let value = value.chars().take(512).collect::<String>();
            match name.as_str() {
                "dog" => form.dog = Some(value),
                "venue" => form.venue = Some(value),
                "mint_key" => form.mint_key = Some(value),
                "return_to" => form.return_to = Some(value),
                _ => {}
            }
        }
    }
    form
}

/// `GET /media/{key}/{file}`: a stored photo, immutable under its key.
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

/// Too many guests or uploads from this client: 429 with a message.
fn rate_limited() -> Failure {
    Failure::Rejected(
        StatusCode::TOO_MANY_REQUESTS,
        paws_inside::photos::photo_error_message("rate_limited").to_owned(),
        "rate_limited",
    )
}
