//! Server functions of sign-in by email link: ask for a link, look at one
//! (never consuming it), and the one-time notice shown after a sign-in. The
//! confirming POSTs are plain routes in the server crate (`/auth/confirm`,
//! `/auth/verify`, `/auth/reset`).

use leptos::prelude::*;
use paws_inside::LinkCheck;

#[cfg(feature = "ssr")]
use super::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{bad_request, unexpected};
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};

/// Sends a sign-in link and code. Answers the same whether or not the address
/// has an account (the page that asks for the code); the email goes out in the
/// background.
#[server(prefix = "/api", endpoint = "auth/magic-link")]
pub async fn request_magic_link(
    #[server(default)] email: String,
    #[server(default)] next: String,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    use paws_inside::auth::cookies::SIGN_IN;
    let ctx = ctx()?;
    // A bot gets the same page and cookie, with a code field that nothing opens.
    let asked = if crate::bot::caught("magic_link", &website, &form_started) {
        paws_inside::auth::links::Requested {
            request: uuid::Uuid::new_v4(),
            browser_key: paws_inside::auth::tokens::generate().map_err(unexpected)?,
        }
    } else {
        let held = super::session::flow_cookie(SIGN_IN).await;
        paws_inside::auth::links::request_link(&ctx, &caller().await?, &email, &next, held.as_deref())
            .await
            .map_err(fail)?
    };
    // The mail's code works only where this cookie is; gone when the link would be.
    let cookie = SIGN_IN.set(
        ctx.config.https(),
        &asked.browser_key,
        ctx.config.link_minutes * 60,
    );
    if let (Some(response), Ok(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    leptos_axum::redirect(&format!("/sign-in?sent={}", asked.request));
    Ok(())
}

/// What a link will do, for its confirm page. Looking never uses the link up;
/// a dead link answers 410 (used, expired) or 404 (unknown).
#[server(prefix = "/api", endpoint = "auth/link")]
pub async fn check_link(
    #[server(default)] token: String,
    #[server(default)] kind: String,
) -> Result<LinkCheck, ServerFnError> {
    use paws_inside::auth::tokens::Purpose;
    let purpose = Purpose::parse(&kind).ok_or_else(|| bad_request("Unknown kind of link."))?;
    let check = paws_inside::auth::links::preview(&ctx()?, &caller().await?, purpose, &token)
        .await
        .map_err(unexpected)?;
    let status = match check {
        LinkCheck::Valid(_) => None,
        LinkCheck::Used | LinkCheck::Expired | LinkCheck::TriedOut => Some(http::StatusCode::GONE),
        LinkCheck::Unknown => Some(http::StatusCode::NOT_FOUND),
    };
    if let (Some(status), Some(response)) = (status, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(status);
    }
    Ok(check)
}

/// The one-time message left by a sign-in ("Your 2 dogs came with you"),
/// removed as it is read. No session, no work.
#[server(prefix = "/api", endpoint = "auth/notice")]
pub async fn take_notice() -> Result<Option<String>, ServerFnError> {
    Ok(paws_inside::auth::farewell::take_notice(&caller().await?.session).await)
}
