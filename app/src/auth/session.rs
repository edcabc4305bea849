//! The request as flows see it ([`caller`]): its session (loaded once), the
//! client address and the user agent. Nothing here decides anything.

use crate::error::{ctx, fail, unexpected};
use leptos::prelude::*;
use paws_inside::User;
use paws_inside::auth::{Caller, TypedSession};

/// This request's session (loaded: one query with a cookie, none without),
/// client address, user agent and trusted-browser key (two-step sign-in).
/// Read in place from the request's parts: `leptos_axum::extract` would
/// clone them, headers and all, once per value (a measurable share of a
/// guest's first request).
pub async fn caller() -> Result<Caller, ServerFnError> {
    use paws_inside::client_ip::ClientIp;
    let read = with_context::<http::request::Parts, _>(|parts| {
        let header = |name| parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok());
        (
            parts.extensions.get::<tower_sessions::Session>().cloned(),
            parts.extensions.get::<ClientIp>().map(|ip| ip.0),
            header(http::header::USER_AGENT)
                .next()
                .unwrap_or_default()
                .to_owned(),
            paws_inside::auth::cookies::trusted_key(header(http::header::COOKIE)),
        )
    });
    let Some((Some(session), ip, user_agent, trusted_browser)) = read else {
        return Err(unexpected(anyhow::anyhow!("session layer missing")));
    };
    let session = TypedSession::load(session).await.map_err(unexpected)?;
    Ok(Caller {
        session,
        ip,
        user_agent,
        trusted_browser,
    })
}

/// Who this request is, if anyone. No session cookie: no database work at all.
pub async fn current() -> Result<Option<User>, ServerFnError> {
    Ok(caller().await?.user().cloned())
}

/// The session's user, or a guest made for this contribution.
pub async fn user_or_mint(mint_key: Option<&str>) -> Result<User, ServerFnError> {
    let mut caller = caller().await?;
    paws_inside::auth::guest::user_or_mint(&ctx()?, &mut caller, mint_key)
        .await
        .map_err(fail)
}

/// The key a flow cookie holds in this request, if the browser sent it.
pub async fn flow_cookie(cookie: paws_inside::auth::cookies::FlowCookie) -> Option<String> {
    let https = ctx().ok()?.config.https();
    let headers = leptos_axum::extract::<http::HeaderMap>().await.ok()?;
    let values = headers.get_all(http::header::COOKIE);
    cookie.read(https, values.iter().filter_map(|v| v.to_str().ok()))
}

/// The client's IP address as the server's middleware resolved it (the socket
/// peer, or what a configured trusted proxy says).
pub async fn client_ip() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<axum::Extension<paws_inside::client_ip::ClientIp>>()
        .await
        .ok()
        .map(|ext| ext.0.0)
}

/// The session's user and `raw` parsed as a row id, or `None` when either is
/// missing: someone else's row and a malformed id both read as "not found".
pub async fn user_and_id(raw: &str) -> Result<Option<(User, uuid::Uuid)>, ServerFnError> {
    let Ok(id) = uuid::Uuid::parse_str(raw) else {
        return Ok(None);
    };
    Ok(current().await?.map(|user| (user, id)))
}

/// The first step passed for an account with two-step sign-in: to the code
/// page, holding the waiting sign-in's key in this browser only; `next`:
/// where to go after.
pub fn ask_second_step(key: uuid::Uuid, next: &str) -> Result<(), ServerFnError> {
    use paws_inside::auth::cookies::TWO_STEP;
    let secs = i64::from(paws_inside::auth::two_step::PENDING_MINUTES) * 60;
    let cookie = TWO_STEP.set(ctx()?.config.https(), &key.to_string(), secs);
    if let (Some(response), Ok(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    let next = paws_inside::redirect::safe_next(Some(next));
    leptos_axum::redirect(&format!(
        "/two-step?next={}",
        paws_inside::venues::filter::encode(&next)
    ));
    Ok(())
}
