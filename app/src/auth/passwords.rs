//! Server functions of email + password: sign up, sign in, and asking for a
//! reset link. Each converts the form, calls one flow of
//! `paws_inside::auth` and answers with the page to go to.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};

/// Starts a sign-up: the address's inbox gets a link that finishes it (or,
/// for an address with an account, tells its owner). The answer, the cookies
/// and who this browser is are the same either way.
#[server(prefix = "/api", endpoint = "auth/sign-up")]
pub async fn sign_up(
    #[server(default)] email: String,
    #[server(default)] password: String,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    if !crate::bot::caught("sign_up", &website, &form_started) {
        paws_inside::auth::sign_up::sign_up(&ctx()?, &caller().await?, &email, password)
            .await
            .map_err(fail)?;
    }
    leptos_axum::redirect("/sign-up?sent=1");
    Ok(())
}

/// Signs in with email and password; a guest in this browser is merged in.
#[server(prefix = "/api", endpoint = "auth/sign-in")]
pub async fn sign_in_password(
    #[server(default)] email: String,
    #[server(default)] password: String,
    #[server(default)] next: String,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    use paws_inside::auth::SignInError;
    if crate::bot::caught("sign_in", &website, &form_started) {
        return Err(fail(SignInError::Mismatch));
    }
    let mut caller = caller().await?;
    match paws_inside::auth::password::sign_in(&ctx()?, &mut caller, &email, password).await {
        Err(SignInError::SecondFactor(key)) => super::session::ask_second_step(key, &next),
        outcome => {
            outcome.map_err(fail)?;
            leptos_axum::redirect(&paws_inside::redirect::safe_next(Some(&next)));
            Ok(())
        }
    }
}

/// Emails a password-reset link if the address has an account; the answer is
/// the same either way.
#[server(prefix = "/api", endpoint = "auth/forgot")]
pub async fn request_password_reset(#[server(default)] email: String) -> Result<(), ServerFnError> {
    paws_inside::auth::password::request_reset(&ctx()?, &caller().await?, &email)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}
