//! An admin acting as a member, as plain form POSTs: they work before the
//! page is interactive and answer with a redirect once the session has
//! rotated. Each converts the form, calls one flow of
//! `paws_inside::moderation::people_flows` and answers its error in words.

use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::Caller;
use paws_inside::errors::{Failure, Kind};
use paws_inside::moderation::flows::ModerationError;
use paws_inside::moderation::people_flows;
use serde::Deserialize;

/// The person an admin acts as.
#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    id: String,
}

/// `POST /admin/act-as`: this browser acts as the member; to the home page.
pub async fn act_as(
    State(state): State<AppState>,
    mut caller: Caller,
    Form(form): Form<ActForm>,
) -> Response {
    match people_flows::act_as(&state.ctx, &mut caller, &form.id).await {
        Ok(next) => Redirect::to(&next).into_response(),
        Err(err) => answer(err),
    }
}

/// `POST /auth/stop-acting`: the admin is themselves again, on the person's page.
pub async fn stop_acting(State(state): State<AppState>, mut caller: Caller) -> Response {
    match people_flows::stop_acting(&state.ctx, &mut caller).await {
        Ok(next) => Redirect::to(&next).into_response(),
        Err(err) => answer(err),
    }
}

/// The error's status and sentence (a short page of words, not a redirect:
/// nothing changed, and the browser's back button returns to the form).
fn answer(err: ModerationError) -> Response {
    let kind = err.kind();
    if kind == Kind::Unexpected {
        tracing::error!(error = ?err.unexpected(), "acting as a member failed");
    }
    let status = StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}
