//! Server functions of sign-in by email link: ask for a link, look at one
//! (never consuming it), and the one-time notice shown after a claim. The
//! confirming POST is a plain route in the server crate (`/auth/confirm`).

use leptos::prelude::*;
use paws_inside::LinkCheck;

#[cfg(feature = "ssr")]
use crate::error::{bad_request, pool, unexpected};

/// What the server tells the sign-in flow about itself.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Base URL for links in emails, e.g. `https://pawsinside.example`.
    pub public_url: String,
    /// How long a sign-in link works.
    pub link_minutes: i64,
    /// How recent a sign-in must be to delete the account.
    pub reauth_minutes: i64,
    /// Fastest a person fills a form, in milliseconds (bot friction).
    pub form_min_fill_ms: u64,
    /// New guests allowed per client IP (IPv6 /64) per hour.
    pub guests_per_client_per_hour: i32,
}

/// Per address: a few links per quarter hour is plenty for a person.
#[cfg(feature = "ssr")]
const PER_EMAIL: paws_inside::db::rate_limit::Limit = paws_inside::db::rate_limit::Limit {
    name: "magic_link_email",
    max: 3,
    window_secs: 900,
};
/// Per client IP (IPv6 by /64): a household or office, not a spray of addresses.
#[cfg(feature = "ssr")]
const PER_CLIENT: paws_inside::db::rate_limit::Limit = paws_inside::db::rate_limit::Limit {
    name: "magic_link_client",
    max: 10,
    window_secs: 900,
};

/// Sends a sign-in link. Answers the same whether or not the address has an
/// account; the email goes out in the background.
#[server(prefix = "/api", endpoint = "auth/magic-link")]
pub async fn request_magic_link(
    #[server(default)] email: String,
    #[server(default)] next: String,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    use paws_inside::db::{rate_limit, tokens};
    if crate::bot::caught("magic_link", &website, &form_started) {
        leptos_axum::redirect("/sign-in?sent=1");
        return Ok(());
    }
    let email = paws_inside::EmailAddress::parse(&email).map_err(|e| bad_request(&e.to_string()))?;
    let next = paws_inside::redirect::safe_next(Some(&next));
    let pool = pool()?;
    let client = crate::auth::session::client_ip()
        .await
        .map(rate_limit::client_subject)
        .unwrap_or_default();
    for (limit, subject) in [(PER_CLIENT, client.as_str()), (PER_EMAIL, email.as_str())] {
        if let Err(retry) = rate_limit::hit(&pool, limit, subject).await.map_err(unexpected)? {
            return Err(too_many(
                retry.0,
                "We have sent several links already. Please check your inbox (and spam folder).",
            ));
        }
    }
    let config = use_context::<AuthConfig>().ok_or_else(|| unexpected(anyhow::anyhow!("no AuthConfig")))?;
    let mailer = use_context::<paws_inside::mail::Mailer>()
        .ok_or_else(|| unexpected(anyhow::anyhow!("no Mailer in the request context")))?;
    let guest = crate::auth::session::current()
        .await
        .filter(|u| u.is_anonymous)
        .map(|u| u.id);
    let token = tokens::issue(
        &pool,
        tokens::Purpose::MagicLink,
        email.as_str(),
        guest,
        &next,
        config.link_minutes,
    )
    .await
    .map_err(unexpected)?;
    let url = format!("{}/auth/confirm?token={token}", config.public_url);
    mailer.send_in_background(paws_inside::mail::magic_link(&email, &url, config.link_minutes));
    leptos_axum::redirect("/sign-in?sent=1");
    Ok(())
}

/// 429 with `Retry-After` and a message a person can act on.
#[cfg(feature = "ssr")]
pub(crate) fn too_many(retry_after: i64, lead: &str) -> ServerFnError {
    crate::error::set_error_status(http::StatusCode::TOO_MANY_REQUESTS);
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) = http::HeaderValue::from_str(&retry_after.to_string())
    {
        response.insert_header(http::header::RETRY_AFTER, value);
    }
    let minutes = (retry_after + 59) / 60;
    ServerFnError::ServerError(format!(
        "{lead} Please try again in {minutes} minute{}.",
        if minutes == 1 { "" } else { "s" }
    ))
}

/// What a link will do, for its confirm page. Looking never uses the link up;
/// a dead link answers 410 (used, expired) or 404 (unknown).
#[server(prefix = "/api", endpoint = "auth/link")]
pub async fn check_link(
    #[server(default)] token: String,
    #[server(default)] kind: String,
) -> Result<LinkCheck, ServerFnError> {
    let purpose =
        paws_inside::db::tokens::Purpose::parse(&kind).ok_or_else(|| bad_request("Unknown kind of link."))?;
    let browser = crate::auth::session::current().await;
    let check = paws_inside::db::claim::preview(&pool()?, purpose, &token, browser.as_ref())
        .await
        .map_err(unexpected)?;
    let status = match check {
        LinkCheck::Valid(_) => None,
        LinkCheck::Used | LinkCheck::Expired => Some(http::StatusCode::GONE),
        LinkCheck::Unknown => Some(http::StatusCode::NOT_FOUND),
    };
    if let (Some(status), Some(response)) = (status, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(status);
    }
    Ok(check)
}

/// The one-time message left by a claim ("Your 2 dogs came with you"), removed
/// as it is read. No session, no work.
#[server(prefix = "/api", endpoint = "auth/notice")]
pub async fn take_notice() -> Result<Option<String>, ServerFnError> {
    let Ok(session) = crate::auth::session::handle().await else {
        return Ok(None);
    };
    let key = crate::auth::session::NOTICE_KEY;
    // Look first: removing marks the session modified, which would cost a write per page.
    let notice = session.get::<String>(key).await.ok().flatten();
    if notice.is_some() {
        let _ = session.remove::<String>(key).await;
    }
    Ok(notice)
}
