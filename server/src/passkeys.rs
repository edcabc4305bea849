//! Passkey ceremonies for `public/passkeys.js`: JSON in, JSON out (the
//! browser's WebAuthn call sits between a start and its finish). Each route
//! converts the body, calls one flow of `paws_inside::auth::passkeys` and
//! answers an error as `{"error": …}` with its status, in [`failed`].

use crate::responses::json_error;
use crate::sessions::Identity;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paws_inside::auth::PasskeyError;
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

/// `POST /auth/passkey/register/start`.
pub async fn register_start(
    State(state): State<AppState>,
    Identity(caller): Identity,
    body: Option<Json<RegisterStart>>,
) -> Response {
    let name = body.map(|Json(b)| b.name).unwrap_or_default();
    started(register::start(&state.ctx, &caller, &name).await)
}

/// `POST /auth/passkey/register/finish`.
pub async fn register_finish(
    State(state): State<AppState>,
    Identity(mut caller): Identity,
    body: Option<Json<Finish>>,
) -> Response {
    let Some(Json(body)) = body else {
        return failed(PasskeyError::Malformed);
    };
    match register::finish(&state.ctx, &mut caller, &body.ceremony, body.credential).await {
        Ok(next) => Json(json!({ "next": next })).into_response(),
        Err(err) => failed(err),
    }
}

/// `POST /auth/passkey/sign-in/start`.
pub async fn sign_in_start(State(state): State<AppState>, Identity(caller): Identity) -> Response {
    started(sign_in::start(&state.ctx, &caller).await)
}

/// `POST /auth/passkey/sign-in/finish`.
pub async fn sign_in_finish(
    State(state): State<AppState>,
    Identity(mut caller): Identity,
    body: Option<Json<Finish>>,
) -> Response {
    let Some(Json(body)) = body else {
        return failed(PasskeyError::Malformed);
    };
    match sign_in::finish(
        &state.ctx,
        &mut caller,
        &body.ceremony,
        body.credential,
        &body.next,
    )
    .await
    {
        Ok(next) => Json(json!({ "next": next })).into_response(),
        Err(err) => failed(err),
    }
}

fn started(outcome: Result<Started, PasskeyError>) -> Response {
    match outcome {
        Ok(started) => {
            Json(json!({ "ceremony": started.ceremony, "options": started.options })).into_response()
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
