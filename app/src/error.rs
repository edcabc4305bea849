//! Turning infrastructure failures into user-safe server function errors.

use leptos::prelude::ServerFnError;

/// What a visitor sees when something failed on our side; details go to the log.
#[cfg(feature = "ssr")]
pub const UNEXPECTED: &str = paws_inside::errors::UNEXPECTED;

/// Logs the full error chain and returns a message that leaks nothing.
#[cfg(feature = "ssr")]
pub fn unexpected(err: anyhow::Error) -> ServerFnError {
    tracing::error!(error = ?err, "server function failed");
    ServerFnError::ServerError(UNEXPECTED.to_owned())
}

/// A user mistake: answers 400 with `message` shown as is.
#[cfg(feature = "ssr")]
pub fn bad_request(message: &str) -> ServerFnError {
    set_error_status(http::StatusCode::BAD_REQUEST);
    ServerFnError::ServerError(message.to_owned())
}

/// Sets the status of a failed call (or of the page being rendered). A plain
/// form post to a server function (no JavaScript, `Accept: text/html`) keeps
/// its redirect back to the form's page instead, which carries the error in
/// the URL for the form to show.
#[cfg(feature = "ssr")]
pub(crate) fn set_error_status(status: http::StatusCode) {
    use leptos::prelude::use_context;
    let form_post = use_context::<http::request::Parts>().is_some_and(|req| {
        req.method == http::Method::POST
            && req.uri.path().starts_with("/api/")
            && req
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    });
    if !form_post && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// 429 with `Retry-After` and `message` (which says how long to wait).
#[cfg(feature = "ssr")]
pub fn too_many(retry_after: i64, message: &str) -> ServerFnError {
    set_error_status(http::StatusCode::TOO_MANY_REQUESTS);
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) = http::HeaderValue::from_str(&retry_after.to_string())
    {
        response.insert_header(http::header::RETRY_AFTER, value);
    }
    ServerFnError::ServerError(message.to_owned())
}

/// The services every flow uses, which the server put into the request context.
#[cfg(feature = "ssr")]
pub fn ctx() -> Result<paws_inside::context::Context, ServerFnError> {
    leptos::prelude::use_context::<paws_inside::context::Context>()
        .ok_or_else(|| unexpected(anyhow::anyhow!("no Context in the request context")))
}

/// A flow's error as the answer of a server function — the one place they
/// are mapped: the person's mistake with its message and status, 429 with
/// `Retry-After`, or (logged) ours with a message that leaks nothing.
#[cfg(feature = "ssr")]
pub fn fail<E: paws_inside::errors::Failure>(err: E) -> ServerFnError {
    use paws_inside::errors::Kind;
    if let Kind::TooMany(retry) = err.kind() {
        return too_many(retry, &err.to_string());
    }
    if let Some(cause) = err.unexpected() {
        tracing::error!(error = ?cause, "server function failed");
    }
    let status =
        http::StatusCode::from_u16(err.kind().status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    set_error_status(status);
    ServerFnError::ServerError(err.to_string())
}

/// The connection pool the server put into the request context.
#[cfg(feature = "ssr")]
pub fn pool() -> Result<sqlx::PgPool, ServerFnError> {
    leptos::prelude::use_context::<sqlx::PgPool>()
        .ok_or_else(|| unexpected(anyhow::anyhow!("no database pool in the request context")))
}

/// The message to show for a failed server call.
pub fn user_message(err: &ServerFnError) -> String {
    match err {
        ServerFnError::ServerError(msg) => msg.clone(),
        _ => "We could not reach Paws Inside. Check your connection and try again.".to_owned(),
    }
}

/// Shows the error of the last submission of an action (`action.value()`), if any.
pub fn action_error<T: Send + Sync + 'static>(
    value: impl leptos::prelude::With<Value = Option<Result<T, ServerFnError>>> + Send + Sync + 'static,
) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    move || {
        value.with(|v| match v {
            Some(Err(err)) => Some(view! { <p class="error" role="alert">{user_message(err)}</p> }),
            _ => None,
        })
    }
}
