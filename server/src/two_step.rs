//! Two-step sign-in's routes: [`ask`] sends a browser whose first step
//! passed to the code page, holding the waiting sign-in's key in an HttpOnly
//! cookie; `POST /auth/two-step` ([`finish`]) takes the code, signs in and
//! goes on to where the sign-in was headed. Plain forms, so they work before
//! any script.

use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::cookies::{TWO_STEP, trusted_cookie};
use paws_inside::auth::{Caller, TwoStepError, two_step};
use paws_inside::errors::Failure;
use serde::Deserialize;

/// How long the code page's cookie lives: as long as the waiting sign-in.
const COOKIE_SECS: i64 = two_step::PENDING_MINUTES as i64 * 60;

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
    res
}

/// The first step passed for an account with two-step sign-in: to the code
/// page, with the waiting sign-in's key in this browser only. `next`: where
/// to go after, when the sign-in did not say (empty: where it said).
pub fn ask(https: bool, key: uuid::Uuid, next: &str) -> Response {
    let to = match next {
        "" => "/two-step".to_owned(),
        next => format!("/two-step?next={}", paws_inside::venues::filter::encode(next)),
    };
    let res = Redirect::to(&to).into_response();
    with_cookie(res, &TWO_STEP.set(https, &key.to_string(), COOKIE_SECS))
}

/// The code page's form.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    trust: Option<String>,
    #[serde(default)]
    next: String,
}

/// `POST /auth/two-step`: finishes the waiting sign-in with the code, then
/// 303 to where it was headed; a problem goes back to the code page, which
/// says it in its words.
pub async fn finish(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let https = state.ctx.config.https();
    let values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let key = TWO_STEP.read(https, values);
    let trust = form.trust.is_some();
    match two_step::finish(&state.ctx, &mut caller, key.as_deref(), &form.code, trust).await {
        Ok((ended, trusted)) => {
            let next = match form.next.as_str() {
                "" => ended.next,
                next => paws_inside::redirect::safe_next(Some(next)),
            };
            let res = with_cookie(Redirect::to(&next).into_response(), &TWO_STEP.clear(https));
            match trusted {
                Some(key) => with_cookie(res, &trusted_cookie(https, &key)),
                None => res,
            }
        }
        Err(err) => {
            let code = match &err {
                TwoStepError::WrongCode => "wrong_code",
                TwoStepError::Expired => "expired",
                TwoStepError::TooMany(_) => "too_many",
                TwoStepError::Banned(_) => "banned",
                TwoStepError::LeftBehind => "left_behind",
                TwoStepError::Unexpected(_) => {
                    tracing::error!(error = ?err.unexpected(), "second step failed");
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong on our side; nothing was changed. Please try again.",
                    )
                        .into_response();
                }
                _ => "changed",
            };
            let next = match form.next.as_str() {
                "" => String::new(),
                next => format!(
                    "&next={}",
                    paws_inside::venues::filter::encode(&paws_inside::redirect::safe_next(Some(next)))
                ),
            };
            let res = Redirect::to(&format!("/two-step?error={code}{next}")).into_response();
            match code {
                // The waiting sign-in is gone: so is its cookie.
                "expired" | "banned" => with_cookie(res, &TWO_STEP.clear(https)),
                _ => res,
            }
        }
    }
}
