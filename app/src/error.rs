//! Turning infrastructure failures into user-safe server function errors.

use leptos::prelude::ServerFnError;

/// What a visitor sees when something failed on our side; details go to the log.
#[cfg(feature = "ssr")]
pub const UNEXPECTED: &str = "Something went wrong on our side. Please try again in a moment.";

/// Logs the full error chain and returns a message that leaks nothing.
#[cfg(feature = "ssr")]
pub fn unexpected(err: anyhow::Error) -> ServerFnError {
    tracing::error!(error = ?err, "server function failed");
    ServerFnError::ServerError(UNEXPECTED.to_owned())
}

/// A user mistake: answers 400 with `message` shown as is.
#[cfg(feature = "ssr")]
pub fn bad_request(message: &str) -> ServerFnError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::BAD_REQUEST);
    }
    ServerFnError::ServerError(message.to_owned())
}

/// Not found (or not yours): answers 404 with `message`.
#[cfg(feature = "ssr")]
pub fn not_found(message: &str) -> ServerFnError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    ServerFnError::ServerError(message.to_owned())
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
