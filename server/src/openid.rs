//! "Sign in with …" routes: leaving for the provider, its answer, and the
//! confirm page's POST. Plain routes, because each answers with a redirect
//! and a cookie; each converts its input, calls one flow of
//! `paws_inside::auth::oidc` and maps the error in [`failed`].

use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::Caller;
use paws_inside::auth::OidcError;
use paws_inside::auth::cookies::OPENID;
use paws_inside::auth::oidc::FLOW_MINUTES;
use paws_inside::auth::oidc::Finished;
use paws_inside::auth::oidc::finish::{self, Callback};
use paws_inside::auth::oidc::start::{self, Intent};
use paws_inside::errors::{Failure, Kind};
use serde::Deserialize;

/// The sign-in page's (or account page's) provider button.
#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    next: String,
    /// `link` from the account page; anything else signs in.
    #[serde(default)]
    intent: String,
}

/// `POST /auth/oidc/{id}/start`: 303 to the provider, with the cookie that
/// binds its answer to this browser.
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<StartForm>,
) -> Response {
    let intent = if form.intent == "link" {
        Intent::Link
    } else {
        Intent::SignIn
    };
    match start::start(&state.ctx, &caller, &id, &form.next, intent).await {
        Ok(started) => {
            let mut res = Redirect::to(&started.url).into_response();
            let https = state.ctx.config.https();
            let cookie = OPENID.set(https, &started.browser_key, FLOW_MINUTES * 60);
            if let Ok(cookie) = HeaderValue::from_str(&cookie) {
                res.headers_mut().append(header::SET_COOKIE, cookie);
            }
            res
        }
        Err(err) => failed(err, caller.user().is_some_and(|u| !u.is_guest())),
    }
}

/// `GET /auth/oidc/{id}/callback`: checks the provider's answer and signs in
/// (303 to `next`), links (303 to the account page) or asks (the confirm page).
pub async fn callback(
    State(state): State<AppState>,
    mut caller: Caller,
    Path(id): Path<String>,
    Query(answer): Query<Callback>,
    headers: HeaderMap,
) -> Response {
    let https = state.ctx.config.https();
    let key = OPENID.read(https, crate::auth::cookie_values(&headers));
    let member = caller.user().is_some_and(|u| !u.is_guest());
    match finish::finish(&state.ctx, &mut caller, &id, &answer, key.as_deref()).await {
        Ok(done) => finished(done, https),
        Err(OidcError::SecondFactor(key)) => crate::two_step::ask(https, key, ""),
        Err(err) => failed(err, member),
    }
}

/// The confirm page's choice.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    choice: String,
}

/// `POST /auth/oidc/confirm`: links the provider to the account with its
/// address (`choice=link`) or makes it an account of its own.
pub async fn confirm(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let https = state.ctx.config.https();
    let key = OPENID.read(https, crate::auth::cookie_values(&headers));
    let member = caller.user().is_some_and(|u| !u.is_guest());
    match finish::confirm(&state.ctx, &mut caller, key.as_deref(), form.choice == "link").await {
        Ok(done) => finished(done, https),
        Err(OidcError::SecondFactor(key)) => crate::two_step::ask(https, key, ""),
        Err(err) => failed(err, member),
    }
}

fn finished(done: Finished, https: bool) -> Response {
    let to = match done {
        Finished::SignedIn { next } => next,
        Finished::Linked => "/account?linked=1".to_owned(),
        Finished::Confirm => return Redirect::to("/auth/oidc/confirm").into_response(),
    };
    let mut res = Redirect::to(&to).into_response();
    if let Ok(gone) = HeaderValue::from_str(&OPENID.clear(https)) {
        res.headers_mut().append(header::SET_COOKIE, gone);
    }
    res
}

/// The page that explains: the account page for a member (linking), the
/// sign-in page otherwise. Only a code goes in the URL; the page has the text.
fn failed(err: OidcError, member: bool) -> Response {
    if err.kind() == Kind::Unexpected {
        tracing::error!(error = ?err.unexpected(), "OpenID Connect sign-in failed");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side; nothing was changed. Please try again.",
        )
            .into_response();
    }
    if let OidcError::ProviderDown(cause) = &err {
        tracing::warn!(error = ?cause, "OpenID Connect provider unreachable");
    }
    let page = if member { "/account" } else { "/sign-in" };
    Redirect::to(&format!("{page}?error={}", err.code())).into_response()
}
