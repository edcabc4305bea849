//! The two sign-in POSTs that are plain routes rather than server functions,
//! because they answer with redirects and rotate the session: confirming a
//! sign-in link (`POST /auth/confirm`) and signing out (`POST /auth/sign-out`).

use crate::startup::AppState;
use app::auth::session::{NOTICE_KEY, USER_KEY, sign_in};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::ClaimChoice;
use paws_inside::SessionUser;
use paws_inside::db::claim::{self, ClaimError, Outcome, Proof};
use serde::Deserialize;
use tower_sessions::Session;

/// The confirm page's form.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    bring_requester: Option<String>,
    #[serde(default)]
    bring_this_browser: Option<String>,
}

/// Consumes the link, claims guest data, signs in under a new session id and
/// answers 303 to the link's `next` path. A dead link goes back to its confirm
/// page, which explains and offers a new link (with a 4xx status).
pub async fn confirm(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let browser = session.get::<SessionUser>(USER_KEY).await.ok().flatten();
    let choice = ClaimChoice {
        bring_requester: form.bring_requester.as_deref() == Some("true"),
        bring_this_browser: form.bring_this_browser.as_deref() == Some("true"),
    };
    match claim::claim(
        &state.pool,
        Proof::MagicLink,
        &form.token,
        browser.as_ref(),
        choice,
    )
    .await
    {
        Ok(claimed) => {
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if let Err(err) = sign_in(&session, &state.pool, &claimed.user, agent).await {
                tracing::error!(error = ?err, "claim committed but the session could not be written");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Your sign-in went through, but this browser could not be updated. Please sign in again.",
                )
                    .into_response();
            }
            let notice = notice(&claimed.outcomes, claimed.created);
            if session.insert(NOTICE_KEY, notice).await.is_err() {
                tracing::warn!("could not store the sign-in notice");
            }
            tracing::info!(user = %claimed.user.id, outcomes = ?claimed.outcomes, "signed in by email link");
            Redirect::to(&claimed.next).into_response()
        }
        Err(ClaimError::Unexpected(err)) => failed(err),
        Err(_) => back_to("confirm", &form.token),
    }
}

/// What to tell the person on the next page.
fn notice(outcomes: &[Outcome], created: bool) -> String {
    if outcomes.contains(&Outcome::MergeFailed) {
        return "You are signed in. Your guest dogs and photos are safe and will join your account shortly."
            .to_owned();
    }
    let moved = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Merged(data) => Some(*data),
            _ => None,
        })
        .fold(paws_inside::GuestData::default(), |a, b| paws_inside::GuestData {
            dogs: a.dogs + b.dogs,
            photos: a.photos + b.photos,
            suggestions: a.suggestions + b.suggestions,
        });
    match (outcomes.contains(&Outcome::Promoted), moved.is_empty(), created) {
        (_, false, _) => format!("You are signed in. Your {} came with you.", moved.describe()),
        (true, true, _) => {
            "You are signed in. Everything you added as a guest is now in your account.".to_owned()
        }
        (false, true, true) => "Welcome to Paws Inside! Your account is ready.".to_owned(),
        (false, true, false) => "You are signed in.".to_owned(),
    }
}

/// A link form with only a token (and, for resets, the new password).
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// Where a dead link's form goes back to: its page, which explains (4xx).
fn back_to(page: &str, token: &str) -> Response {
    let token = if paws_inside::db::tokens::hash(token).is_some() {
        token
    } else {
        ""
    };
    Redirect::to(&format!("/auth/{page}?token={token}")).into_response()
}

fn failed(err: anyhow::Error) -> Response {
    tracing::error!(error = ?err, "link confirmation failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; nothing was changed. Please open the link again.",
    )
        .into_response()
}

/// Confirms the address given at sign-up. Signed in as that account: back to
/// the account page; otherwise to sign-in (confirming never signs anyone in).
pub async fn verify(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<TokenForm>,
) -> Response {
    match claim::verify_email(&state.pool, &form.token).await {
        Ok(id) => {
            let current = session.get::<SessionUser>(USER_KEY).await.ok().flatten();
            if current.is_some_and(|u| u.id == id) {
                let _ = session
                    .insert(NOTICE_KEY, "Your email address is confirmed.")
                    .await;
                Redirect::to("/account").into_response()
            } else {
                Redirect::to("/sign-in?verified=1").into_response()
            }
        }
        Err(ClaimError::Unexpected(err)) => failed(err),
        Err(_) => back_to("verify", &form.token),
    }
}

/// Sets a new password from a reset link, ends every other session, signs this
/// browser in (bringing its guest only if this browser asked for the link).
pub async fn reset(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    use paws_inside::db::tokens::{self, Peek, Purpose};
    let email = match tokens::peek(&state.pool, Purpose::PasswordReset, &form.token).await {
        Ok(Peek::Valid(row)) => row.email,
        Ok(_) => return back_to("reset", &form.token),
        Err(err) => return failed(err),
    };
    if let Err(problem) = paws_inside::password::check(&form.password, &email) {
        let message: String = problem
            .to_string()
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        return Redirect::to(&format!("/auth/reset?token={}&error={message}", form.token)).into_response();
    }
    let hash = match state.hasher.hash(form.password).await {
        Ok(hash) => hash,
        Err(err) => return failed(err),
    };
    let browser = session.get::<SessionUser>(USER_KEY).await.ok().flatten();
    let proof = Proof::PasswordReset(&hash);
    match claim::claim(
        &state.pool,
        proof,
        &form.token,
        browser.as_ref(),
        ClaimChoice::default(),
    )
    .await
    {
        Ok(claimed) => {
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if let Err(err) = sign_in(&session, &state.pool, &claimed.user, agent).await {
                return failed(err);
            }
            let _ = session
                .insert(
                    NOTICE_KEY,
                    "Your new password is saved. Every other device was signed out.",
                )
                .await;
            Redirect::to("/account").into_response()
        }
        Err(ClaimError::Unexpected(err)) => failed(err),
        Err(_) => back_to("reset", &form.token),
    }
}

/// Ends the session server-side (the row is deleted, the cookie removed).
pub async fn sign_out(session: Session) -> Response {
    if let Err(err) = session.flush().await {
        tracing::error!(error = ?err, "sign-out failed");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Could not sign out; please try again.",
        )
            .into_response();
    }
    Redirect::to("/").into_response()
}
