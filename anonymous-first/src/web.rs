//! The axum face (feature `axum`): the session layer over the crate's store
//! (with [`touch`] for its rolling expiry), [`Caller`] as an extractor, [`same_origin`] for an app's own writes, and
//! a [`routes`] router of the address way in for an app to mount. Answers
//! are JSON, and so are the bodies it takes (a cross-site form cannot send
//! one without the browser asking first), small ones only; a request another
//! site's page started is refused before anything runs, and the session
//! cookie is `SameSite=Lax` besides. Each error maps to its status in one
//! place ([`IntoResponse`] for [`AddressError`] and [`RequestError`]).
//!
//! Per-client limits count the client address: the peer's
//! (`into_make_service_with_connect_info`), or, behind a proxy, the
//! [`ClientIp`] the app's trusted-proxy layer sets (without it every client
//! would be the proxy). A request with neither is refused, never unlimited.

use crate::address::{self, AddressError, RequestError};
use crate::client_ip::ClientIp;
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::{PgSessionStore, ProfileRow, TypedSession};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::net::SocketAddr;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The cookie that binds a mail's code to the browser that asked for it
/// (`__Host-` first when secure, so no other site or subdomain can plant it).
pub const BROWSER_COOKIE: &str = "af_browser";

/// Bodies the identity routes take, at most (an address, a code, a token).
pub const BODY_LIMIT: usize = 8 * 1024;

/// The session layer: an opaque id in an HttpOnly, `SameSite=Lax` cookie
/// (`Secure` when `secure`), set only when a flow opened a session, kept
/// `days` after the last visit.
pub fn session_layer<P: ProfileRow>(
    store: PgSessionStore<P>,
    cookie: &'static str,
    secure: bool,
    days: i64,
) -> SessionManagerLayer<PgSessionStore<P>> {
    SessionManagerLayer::new(store)
        .with_name(cookie)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(days)))
}

/// Rolling expiry without a write per request: after the handler, a
/// session is saved again (pushing its expiry and cookie out) at most once a
/// day. Cheap: the handler has loaded the session already, or there is none.
/// Mount inside [`session_layer`]: `.layer(from_fn(touch::<P>))`.
pub async fn touch<P: ProfileRow>(req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let res = next.run(req).await;
    if let Some(session) = session
        && let Ok(session) = TypedSession::<P>::load(session).await
    {
        session.touch_if_due().await;
    }
    res
}

impl<S: Send + Sync, P: ProfileRow> FromRequestParts<S> for Caller<P> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let session = TypedSession::load(session).await.map_err(unexpected)?;
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        // The app's trusted-proxy layer says who the client is; else the peer.
        let ip = match parts.extensions.get::<ClientIp>() {
            Some(ClientIp(ip)) => *ip,
            None => match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
                Some(peer) => peer.0.ip(),
                None => {
                    return Err(unexpected(anyhow::anyhow!(
                        "no client address: serve with `into_make_service_with_connect_info` or set `ClientIp`"
                    )));
                }
            },
        };
        let trusted_browser = crate::two_factor::trusted_key(
            parts
                .headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        Ok(Caller {
            session,
            ip: Some(ip),
            user_agent,
            trusted_browser,
        })
    }
}

/// The address way in by code, to mount at the root: `POST /auth/email`
/// (`{"email", "next"}`: mails a link and a code, the same answer for any
/// address) and `POST /auth/code` (`{"request", "code"}`, only in the
/// browser that asked). A link is the app's: its page names the account
/// and what comes along before its POST calls
/// [`address::sign_in_with_link`] (so a mail scanner's GET signs nobody in,
/// and no guest comes along unchosen).
pub fn routes<P, S>() -> Router<S>
where
    P: ProfileRow,
    S: Clone + Send + Sync + 'static,
    Identity: FromRef<S>,
{
    Router::new()
        .route("/auth/email", post(ask::<P>))
        .route("/auth/code", post(code::<P>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(same_origin))
}

/// Refuses a write another site's page started (`Sec-Fetch-Site`, or an
/// `Origin` that is not this host), before anything runs. For an app's own
/// routes too: `.layer(axum::middleware::from_fn(same_origin))`.
pub async fn same_origin(req: Request, next: Next) -> Response {
    let reading = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let headers = req.headers();
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(|o| o.split_once("://").map_or(o, |(_, rest)| rest));
    let cross =
        matches!(site, Some("cross-site" | "same-site")) || origin_host.is_some_and(|o| Some(o) != host);
    if !reading && cross {
        return error(
            StatusCode::FORBIDDEN,
            "Refused: this came from another site.".into(),
            None,
        );
    }
    next.run(req).await
}

#[derive(Deserialize)]
struct Ask {
    email: String,
    #[serde(default)]
    next: String,
}

async fn ask<P: ProfileRow>(
    State(id): State<Identity>,
    headers: HeaderMap,
    caller: Caller<P>,
    Json(ask): Json<Ask>,
) -> Result<Response, RequestError> {
    let key = browser_key(&id, &headers);
    let sent = address::request_link(&id, &caller, &ask.email, &ask.next, key.as_deref()).await?;
    let cookie = browser_cookie(&id, &sent.browser_key, id.config.link_minutes * 60);
    let mut res = (StatusCode::ACCEPTED, Json(json!({ "request": sent.request }))).into_response();
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

/// The browser key's cookie: HttpOnly, `SameSite=Lax`, and when secure
/// `__Host-` with `Secure` (then no subdomain or plain-http answer can plant
/// one). `max_age` 0 clears it.
fn browser_cookie(id: &Identity, key: &str, max_age: i64) -> HeaderValue {
    let (prefix, secure) = if id.config.secure_cookies {
        ("__Host-", "; Secure")
    } else {
        ("", "")
    };
    let cookie =
        format!("{prefix}{BROWSER_COOKIE}={key}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    // The key is hex (`tokens::generate`): always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(""))
}

#[derive(Deserialize)]
struct Code {
    request: String,
    code: String,
}

/// How a way in went, as the browser reads it.
#[derive(Serialize)]
struct SignedIn {
    user: uuid::Uuid,
    next: String,
    /// One per guest that came along: promoted, merged or merge_failed.
    outcomes: Vec<&'static str>,
}

fn signed_in(ended: crate::ending::Ended) -> Json<SignedIn> {
    Json(SignedIn {
        user: ended.user,
        outcomes: ended.outcomes.iter().map(|o| o.as_str()).collect(),
        next: ended.next,
    })
}

async fn code<P: ProfileRow>(
    State(id): State<Identity>,
    headers: HeaderMap,
    mut caller: Caller<P>,
    Json(code): Json<Code>,
) -> Result<Response, AddressError> {
    let key = browser_key(&id, &headers);
    let ended =
        address::sign_in_with_code(&id, &mut caller, &code.request, &code.code, key.as_deref()).await?;
    // Used up: the key binds nothing any more.
    let mut res = signed_in(ended).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, browser_cookie(&id, "", 0));
    Ok(res)
}

/// The browser key this request's cookie holds (only the `__Host-` one when
/// secure: a plain one could have been planted).
fn browser_key(id: &Identity, headers: &HeaderMap) -> Option<String> {
    let prefix = if id.config.secure_cookies { "__Host-" } else { "" };
    let name = format!("{prefix}{BROWSER_COOKIE}=");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name.as_str()))
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
}

fn unexpected(err: anyhow::Error) -> Response {
    tracing::error!(error = ?err, "identity request failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side.".into(),
        None,
    )
}

fn error(status: StatusCode, message: String, retry_after: Option<i64>) -> Response {
    let mut res = (status, Json(json!({ "error": message }))).into_response();
    if let Some(secs) = retry_after {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

impl IntoResponse for AddressError {
    fn into_response(self) -> Response {
        if let Self::SecondFactor(key) = &self {
            // The waiting sign-in's key goes to this browser only, for
            // `two_factor::finish` with the code.
            let body = json!({ "error": self.to_string(), "second_step": key });
            return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
        }
        let status = match &self {
            Self::Used | Self::Expired | Self::TriedOut => StatusCode::GONE,
            Self::Unknown => StatusCode::NOT_FOUND,
            Self::Changed => StatusCode::CONFLICT,
            Self::NotRecent(_) | Self::Banned(_) | Self::Acting => StatusCode::FORBIDDEN,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::WrongCode(_)
            | Self::MalformedCode
            | Self::OtherBrowser
            | Self::LeftBehind
            | Self::WrongPassword
            | Self::Weak(_)
            | Self::NotYours
            | Self::AddressTaken => StatusCode::BAD_REQUEST,
            Self::Unexpected(_) | Self::SecondFactor(_) => return unexpected(anyhow::anyhow!("{self:?}")),
        };
        let retry = match &self {
            Self::TooMany(over) => Some(over.retry_after),
            _ => None,
        };
        error(status, self.to_string(), retry)
    }
}

impl IntoResponse for RequestError {
    fn into_response(self) -> Response {
        match self {
            Self::Invalid(why) => error(StatusCode::BAD_REQUEST, why, None),
            Self::TooMany(over) => error(
                StatusCode::TOO_MANY_REQUESTS,
                over.to_string(),
                Some(over.retry_after),
            ),
            Self::Unexpected(err) => unexpected(err),
        }
    }
}
