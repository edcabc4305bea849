//! Saved places' plain routes. Saving and removing are plain form POSTs, so
//! the Save button on a card of the cached home page works without any script
//! (a plain `<form method="post">`); `public/saved.js` sends the same forms
//! with `Accept: application/json` and gets JSON. Whether this browser saved
//! a place is never in a shared page: `GET /api/saved/state` answers it per
//! session. The digest's one-click unsubscribe (RFC 8058) is a POST with the
//! mailed token, no sign-in.

use crate::responses::json_error;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::Caller;
use paws_inside::errors::{Failure, Kind};
use paws_inside::saved::{digest, flows};
use serde::Deserialize;

/// The Save and Remove forms.
#[derive(Deserialize)]
pub struct PlaceForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    mint_key: Option<String>,
}

/// `POST /saved/save`: saves the place (making a guest if needed); a plain
/// form lands on `/saved`, which shows the list with it.
pub async fn save(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    Form(form): Form<PlaceForm>,
) -> Response {
    let outcome = flows::save(&state.ctx, &mut caller, &form.slug, form.mint_key.as_deref()).await;
    answer(outcome, &headers, "/saved?saved=1", true)
}

/// `POST /saved/remove`: takes the place off the caller's own list.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(form): Form<PlaceForm>,
) -> Response {
    let outcome = flows::remove(&state.ctx, &caller, &form.slug).await;
    answer(outcome, &headers, "/saved?removed=1", false)
}

/// The places a page asks about, comma-separated slugs.
#[derive(Deserialize)]
pub struct StateQuery {
    #[serde(default)]
    slugs: String,
}

/// `GET /api/saved/state?slugs=a,b`: `{"saved": [...]}`, the ones among them
/// this session saved. Never cached anywhere.
pub async fn saved_state(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StateQuery>,
) -> Response {
    let slugs: Vec<String> = q
        .slugs
        .split(',')
        .filter(|s| !s.is_empty())
        .take(100)
        .map(str::to_owned)
        .collect();
    match flows::saved_among(&state.ctx, &caller, &slugs).await {
        Ok(saved) => (
            [(header::CACHE_CONTROL, "no-store, private")],
            axum::Json(serde_json::json!({ "saved": saved })),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "saved state failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED)
        }
    }
}

/// The digest checkbox on `/saved`.
#[derive(Deserialize)]
pub struct DigestForm {
    #[serde(default)]
    digest: Option<String>,
}

/// `POST /saved/digest`: turns the weekly email on (the box ticked) or off.
pub async fn set_digest(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<DigestForm>,
) -> Response {
    let on = form.digest.as_deref() == Some("on");
    match flows::set_digest(&state.ctx, &caller, on).await {
        Ok(()) => Redirect::to(if on {
            "/saved?digest=on"
        } else {
            "/saved?digest=off"
        })
        .into_response(),
        Err(err) if err.kind() == Kind::Forbidden => Redirect::to("/saved?error=no_address").into_response(),
        Err(err) => {
            tracing::error!(error = ?err.unexpected(), "digest choice failed");
            (StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED).into_response()
        }
    }
}

/// The unsubscribe POST: the mailed token; a mail client's one-click sends
/// `List-Unsubscribe=One-Click` with it (RFC 8058).
#[derive(Deserialize)]
pub struct UnsubscribeForm {
    #[serde(default)]
    token: String,
    #[serde(default, rename = "List-Unsubscribe")]
    one_click: Option<String>,
}

/// The token of the one-click URL (`?token=`).
#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `POST /saved/unsubscribe?token=…`: turns the digest off for whoever the
/// token was mailed to. A mail client gets 200; the page's button a redirect
/// to the page saying so.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
    Form(form): Form<UnsubscribeForm>,
) -> Response {
    let token = if form.token.is_empty() {
        &q.token
    } else {
        &form.token
    };
    let one_click = form.one_click.as_deref() == Some("One-Click");
    match (digest::unsubscribe(&state.ctx.pool, token).await, one_click) {
        (Ok(true), true) => (StatusCode::OK, "You will get no more weekly emails.").into_response(),
        (Ok(false), true) => (StatusCode::NOT_FOUND, "Not a link we sent.").into_response(),
        (Ok(true), false) => Redirect::to("/saved/unsubscribe?done=1").into_response(),
        (Ok(false), false) => Redirect::to("/saved/unsubscribe?unknown=1").into_response(),
        (Err(err), _) => {
            tracing::error!(error = ?err, "unsubscribe failed");
            (StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED).into_response()
        }
    }
}

/// JSON for the script, else a redirect: to `done`, or back to `/saved`
/// with a code the page explains in its own words (never ours in the URL).
fn answer(outcome: Result<(), flows::SaveError>, headers: &HeaderMap, done: &str, saved: bool) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let err = match outcome {
        Ok(()) if wants_json => return axum::Json(serde_json::json!({ "saved": saved })).into_response(),
        Ok(()) => return Redirect::to(done).into_response(),
        Err(err) => err,
    };
    if let Some(cause) = err.unexpected() {
        tracing::error!(error = ?cause, "saving a place failed");
    }
    let status = StatusCode::from_u16(err.kind().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = match (wants_json, err.kind()) {
        (true, Kind::Unexpected) => json_error(status, app::UNEXPECTED),
        (true, _) => json_error(status, &err.to_string()),
        (false, Kind::Unexpected) => (status, app::UNEXPECTED).into_response(),
        (false, Kind::NotFound) => Redirect::to("/saved?error=not_found").into_response(),
        (false, Kind::TooMany(_)) => Redirect::to("/saved?error=too_many").into_response(),
        (false, _) => Redirect::to("/saved?error=full").into_response(),
    };
    if let Kind::TooMany(seconds) = err.kind()
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, value);
    }
    res
}
