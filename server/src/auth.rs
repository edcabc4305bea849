//! The identity routes that are plain form POSTs rather than server
//! functions, because they answer with redirects after opening a session:
//! confirming a sign-in link or typing its code, confirming an address,
//! setting a new password, changing an address and undoing it, signing out. Each converts the form, calls one flow of `paws_inside::auth`
//! and maps its error in [`answer`].

use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::ClaimChoice;
use paws_inside::auth::Caller;
use paws_inside::auth::cookies::SIGN_IN;
use paws_inside::auth::{LinkError, links};
use paws_inside::errors::{Failure, Kind};
use serde::Deserialize;

/// A link page's form: the token, the choices, and a password (the new one
/// for a reset; for an address confirmation, the one chosen at sign-up).
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    bring_requester: Option<String>,
    #[serde(default)]
    bring_this_browser: Option<String>,
    #[serde(default)]
    password: String,
}

impl LinkForm {
    fn choice(&self) -> ClaimChoice {
        ClaimChoice {
            bring_requester: self.bring_requester.as_deref() == Some("true"),
            bring_this_browser: self.bring_this_browser.as_deref() == Some("true"),
        }
    }
}

/// `POST /auth/confirm`: signs in by link, then 303 to the link's `next`.
pub async fn confirm(
    State(state): State<AppState>,
    mut caller: Caller,
    Form(form): Form<LinkForm>,
) -> Response {
    match links::sign_in_with_link(&state.ctx, &mut caller, &form.token, form.choice()).await {
        Ok(ended) => Redirect::to(&ended.next).into_response(),
        Err(err) => answer(err, "confirm", &form.token, state.ctx.config.https()),
    }
}

/// The sign-in page's code form: which mail (its token's id) and the code.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    request: String,
    #[serde(default)]
    code: String,
}

/// `POST /auth/code`: signs in with the code from a sign-in mail, then 303 to
/// the link's `next`; a problem goes back to the code form, which explains.
pub async fn code(
    State(state): State<AppState>,
    mut caller: Caller,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let https = state.ctx.config.https();
    let browser_key = SIGN_IN.read(https, cookie_values(&headers));
    let outcome = links::sign_in_with_code(
        &state.ctx,
        &mut caller,
        &form.request,
        &form.code,
        browser_key.as_deref(),
    )
    .await;
    match outcome {
        Ok(ended) => {
            let mut res = Redirect::to(&ended.next).into_response();
            if let Ok(gone) = HeaderValue::from_str(&SIGN_IN.clear(https)) {
                res.headers_mut().append(header::SET_COOKIE, gone);
            }
            res
        }
        Err(LinkError::SecondFactor(key)) => {
            let mut res = crate::two_step::ask(https, key, "");
            if let Ok(gone) = HeaderValue::from_str(&SIGN_IN.clear(https)) {
                res.headers_mut().append(header::SET_COOKIE, gone);
            }
            res
        }
        Err(err) => {
            let request = uuid::Uuid::parse_str(&form.request).map_or(String::new(), |id| id.to_string());
            let problem = match err.kind() {
                Kind::Unexpected => {
                    tracing::error!(error = ?err.unexpected(), "sign-in by code failed");
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong on our side; nothing was changed. Please try again.",
                    )
                        .into_response();
                }
                _ if !err.code().is_empty() => err.code(),
                _ => "code_dead",
            };
            Redirect::to(&format!("/sign-in?sent={request}&error={problem}")).into_response()
        }
    }
}

/// The request's `Cookie` header values.
pub(crate) fn cookie_values(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
}

/// `POST /auth/verify`: confirms a sign-up's address and signs in.
pub async fn verify(
    State(state): State<AppState>,
    mut caller: Caller,
    Form(form): Form<LinkForm>,
) -> Response {
    let choice = form.choice();
    match links::confirm_address(&state.ctx, &mut caller, &form.token, choice, &form.password).await {
        Ok(_) => Redirect::to("/account").into_response(),
        Err(err) => answer(err, "verify", &form.token, state.ctx.config.https()),
    }
}

/// `POST /auth/reset`: sets the new password, ends every other session.
pub async fn reset(
    State(state): State<AppState>,
    mut caller: Caller,
    Form(form): Form<LinkForm>,
) -> Response {
    let choice = form.choice();
    match links::reset_password(&state.ctx, &mut caller, &form.token, choice, form.password).await {
        Ok(_) => Redirect::to("/account").into_response(),
        Err(err) => answer(err, "reset", &form.token, state.ctx.config.https()),
    }
}

/// `POST /auth/add-email`: puts the link's address on the account signed in
/// here, then back to the account page.
pub async fn add_email(
    State(state): State<AppState>,
    mut caller: Caller,
    Form(form): Form<LinkForm>,
) -> Response {
    match paws_inside::auth::add_email::confirm(&state.ctx, &mut caller, &form.token).await {
        Ok(()) => Redirect::to("/account?email=added").into_response(),
        Err(err) => answer(err, "add-email", &form.token, state.ctx.config.https()),
    }
}

/// `POST /auth/change-email`: makes the link's new address the account's.
pub async fn change_email(
    State(state): State<AppState>,
    mut caller: Caller,
    Form(form): Form<LinkForm>,
) -> Response {
    match paws_inside::auth::change_email::confirm(&state.ctx, &mut caller, &form.token).await {
        Ok(()) => Redirect::to("/account?email=changed").into_response(),
        Err(err) => answer(err, "change-email", &form.token, state.ctx.config.https()),
    }
}

/// `POST /auth/undo-email`: puts the old address back; every device is signed out.
pub async fn undo_email(State(state): State<AppState>, Form(form): Form<LinkForm>) -> Response {
    match paws_inside::auth::change_email::undo(&state.ctx, &form.token).await {
        Ok(()) => Redirect::to("/auth/undo-email?done=1").into_response(),
        Err(err) => answer(err, "undo-email", &form.token, state.ctx.config.https()),
    }
}

/// `POST /auth/sign-out`: ends the session server-side and removes the cookie.
pub async fn sign_out(mut caller: Caller) -> Response {
    match paws_inside::auth::account::sign_out(&mut caller).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(err) => {
            tracing::error!(error = ?err.unexpected(), "sign-out failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Could not sign out; please try again.",
            )
                .into_response()
        }
    }
}

/// A failed link form goes back to its page, which explains: a dead link
/// with its 4xx status, anything the person can fix with the message.
fn answer(err: LinkError, page: &str, token: &str, https: bool) -> Response {
    if let LinkError::SecondFactor(key) = err {
        return crate::two_step::ask(https, key, "");
    }
    let token = if paws_inside::auth::tokens::hash(token).is_some() {
        token
    } else {
        ""
    };
    match err.kind() {
        Kind::Unexpected => {
            tracing::error!(error = ?err.unexpected(), "link confirmation failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; nothing was changed. Please open the link again.",
            )
                .into_response()
        }
        Kind::Gone | Kind::NotFound => Redirect::to(&format!("/auth/{page}?token={token}")).into_response(),
        _ => {
            // A code, not the sentence: the page says it in its own words, so
            // nobody can put text of theirs on our page through a link.
            Redirect::to(&format!("/auth/{page}?token={token}&error={}", err.code())).into_response()
        }
    }
}
