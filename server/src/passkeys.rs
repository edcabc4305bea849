//! Passkey ceremonies for `public/passkeys.js`: JSON in, JSON out (the
//! browser's WebAuthn call sits between a start and its finish). Each route
//! converts the body, calls one flow of `paws_inside::auth::passkeys` and
//! answers an error as `{"error": …}` with its status, in [`failed`].

use crate::responses::json_error;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paws_inside::auth::Caller;
use paws_inside::auth::PasskeyError;
use paws_inside::auth::cookies::PASSKEY;
use paws_inside::auth::passkeys::{Started, register, sign_in};
use paws_inside::errors::{Failure, Kind};
use serde::Deserialize;
use serde_json::{Value, json};

/// Starting a registration: the passkey's name.
#[derive(Deserialize)]
pub struct RegisterStart {
    #[serde(default)]
    name: String,
}

/// A ceremony's answer: its id and the browser's credential.
#[derive(Deserialize)]
pub struct Finish {
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: Value,
    /// Where to go after signing in.
    #[serde(default)]
    next: String,
}

/// How long a prompt's cookie lives (a prompt itself lasts minutes).
const COOKIE_SECS: i64 = 10 * 60;

/// `POST /auth/passkey/register/start`.
pub async fn register_start(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Option<Json<RegisterStart>>,
) -> Response {
    let name = body.map(|Json(b)| b.name).unwrap_or_default();
    let https = state.ctx.config.https();
    let held = PASSKEY.read(https, crate::auth::cookie_values(&headers));
    started(
        register::start(&state.ctx, &caller, &name, held.as_deref()).await,
        https,
    )
}

/// `POST /auth/passkey/register/finish`.
pub async fn register_finish(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    body: Option<Json<Finish>>,
) -> Response {
    let Some(Json(body)) = body else {
        return failed(PasskeyError::Malformed);
    };
    let held = PASSKEY.read(state.ctx.config.https(), crate::auth::cookie_values(&headers));
    match register::finish(
        &state.ctx,
        &mut caller,
        &body.ceremony,
        body.credential,
        held.as_deref(),
    )
    .await
    {
        Ok(ended) => Json(json!({ "next": ended.next })).into_response(),
        Err(err) => failed(err),
    }
}

/// `POST /auth/passkey/sign-in/start`.
pub async fn sign_in_start(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> Response {
    let https = state.ctx.config.https();
    let held = PASSKEY.read(https, crate::auth::cookie_values(&headers));
    started(sign_in::start(&state.ctx, &caller, held.as_deref()).await, https)
}

/// `POST /auth/passkey/sign-in/finish`.
pub async fn sign_in_finish(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    body: Option<Json<Finish>>,
) -> Response {
    let Some(Json(body)) = body else {
        return failed(PasskeyError::Malformed);
    };
    let held = PASSKEY.read(state.ctx.config.https(), crate::auth::cookie_values(&headers));
    let finished = sign_in::finish(
        &state.ctx,
        &mut caller,
        &body.ceremony,
        body.credential,
        &body.next,
        held.as_deref(),
    )
    .await;
    match finished {
        Ok(ended) => Json(json!({ "next": ended.next })).into_response(),
        Err(err) => failed(err),
    }
}

/// A started ceremony, with the cookie that binds its answer to this browser.
fn started(outcome: Result<Started, PasskeyError>, https: bool) -> Response {
    match outcome {
        Ok(started) => {
            let mut res =
                Json(json!({ "ceremony": started.ceremony, "options": started.options })).into_response();
            if let Ok(cookie) = HeaderValue::from_str(&PASSKEY.set(https, &started.browser_key, COOKIE_SECS))
            {
                res.headers_mut().append(header::SET_COOKIE, cookie);
            }
            res
        }
        Err(err) => failed(err),
    }
}

fn failed(err: PasskeyError) -> Response {
    let kind = err.kind();
    if kind == Kind::Unexpected {
        tracing::error!(error = ?err.unexpected(), "passkey ceremony failed");
    }
    let status = StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = json_error(status, &err.to_string());
    if let Kind::TooMany(secs) = kind
        && let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string())
    {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res
}
