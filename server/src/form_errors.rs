//! Leptos brings a no-JavaScript form's error back in the page's address
//! (`?__path=…&__err=…`), and a page shows whatever such an address says as
//! our own error message — so anyone could put their words on our page with
//! a link (a sign-in link's `next` included: "…now call this number"); and a
//! person would see `__err=U2Vy…` in their address bar.
//!
//! So the error never stays in an address. When a server function answers a
//! form post with such a redirect, the two parameters move into a short-lived
//! HttpOnly cookie (with a digest of the page they are for) and the browser
//! is sent to the clean address. That page's request gets them back inside
//! the server only (Leptos renders the error as before), and its response
//! clears the cookie: shown once. Any address that does carry them is someone
//! else's words, and is sent to the same address without them.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::cookies::FORM_ERROR;
use sha2::{Digest, Sha256};

/// How long a form's error waits for its page.
const FLASH_SECS: i64 = 60;
/// Bigger errors are not carried (ours are a sentence; cookies hold ~4 KB).
const MAX_FLASH: usize = 3_000;

/// The middleware; `https` as the settings say.
pub async fn guard(State(https): State<bool>, mut req: Request, next: Next) -> Response {
    let reading = matches!(*req.method(), Method::GET | Method::HEAD);
    if reading && has_error(req.uri().query()) {
        return Redirect::to(&without_error(req.uri())).into_response();
    }
    let flash = reading
        .then(|| {
            let cookies = req.headers().get_all(header::COOKIE);
            FORM_ERROR.read(https, cookies.iter().filter_map(|v| v.to_str().ok()))
        })
        .flatten()
        .and_then(|value| for_page(&value, req.uri().path()));
    if let Some(params) = &flash
        && let Some(uri) = with_params(req.uri(), params)
    {
        *req.uri_mut() = uri;
    }
    let form_post = req.method() == Method::POST && req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if flash.is_some()
        && let Ok(gone) = HeaderValue::from_str(&FORM_ERROR.clear(https))
    {
        res.headers_mut().append(header::SET_COOKIE, gone);
    }
    if form_post && res.status().is_redirection() {
        carry(&mut res, https);
    }
    res
}

/// Moves a redirect's error parameters into the cookie; the redirect goes to
/// the clean address.
fn carry(res: &mut Response, https: bool) {
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.parse::<Uri>().ok())
    else {
        return;
    };
    if !has_error(location.query()) {
        return;
    }
    let params: Vec<&str> = location
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| p.starts_with("__err=") || p.starts_with("__path="))
        .collect();
    let value = format!("{}&__for={}", params.join("&"), digest(location.path()));
    let clean = without_error(&location);
    let (Ok(cookie), Ok(clean)) = (
        HeaderValue::from_str(&FORM_ERROR.set(https, &value, FLASH_SECS)),
        HeaderValue::from_str(&clean),
    ) else {
        return;
    };
    if value.len() <= MAX_FLASH {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res.headers_mut().insert(header::LOCATION, clean);
}

/// The error parameters a cookie holds, if it was left for a page at `path`.
fn for_page(value: &str, path: &str) -> Option<String> {
    let (params, page) = value.rsplit_once("&__for=")?;
    (page == digest(path) && has_error(Some(params))).then(|| params.to_owned())
}

/// `uri` with `params` added to its query (inside the server only).
fn with_params(uri: &Uri, params: &str) -> Option<Uri> {
    let query = match uri.query() {
        Some(q) if !q.is_empty() => format!("{q}&{params}"),
        _ => params.to_owned(),
    };
    format!("{}?{query}", uri.path()).parse().ok()
}

/// Whether a query string carries Leptos' error parameters.
fn has_error(query: Option<&str>) -> bool {
    error_in(query).is_some() || query.is_some_and(|q| q.split('&').any(|p| p.starts_with("__path=")))
}

/// The raw `__err` value of a query string, if it has one.
fn error_in(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("__err="))
        .filter(|v| !v.is_empty())
}

fn digest(err: &str) -> String {
    Sha256::digest(err.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The address without Leptos' error parameters.
fn without_error(uri: &Uri) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("__err=") && !p.starts_with("__path="))
        .collect();
    match kept.is_empty() {
        true => uri.path().to_owned(),
        false => format!("{}?{}", uri.path(), kept.join("&")),
    }
}

#[cfg(test)]
mod tests {
    use super::{error_in, for_page, with_params, without_error};

    #[test]
    fn a_carried_error_is_for_its_page_only() {
        let value = format!(
            "__path=%2Fapi%2Fx&__err=U2Vy&__for={}",
            super::digest("/dogs/new")
        );
        assert_eq!(
            for_page(&value, "/dogs/new").as_deref(),
            Some("__path=%2Fapi%2Fx&__err=U2Vy")
        );
        assert_eq!(for_page(&value, "/account"), None);
        assert_eq!(for_page("__err=U2Vy", "/dogs/new"), None);
        let uri: axum::http::Uri = "/dogs/new?x=1".parse().unwrap();
        let inside = with_params(&uri, "__path=%2Fapi%2Fx&__err=U2Vy").unwrap();
        assert_eq!(inside.to_string(), "/dogs/new?x=1&__path=%2Fapi%2Fx&__err=U2Vy");
    }

    #[test]
    fn finds_and_strips_the_error() {
        assert_eq!(error_in(Some("a=1&__path=/api/x&__err=U2Vy")), Some("U2Vy"));
        assert_eq!(error_in(Some("a=1")), None);
        let uri: axum::http::Uri = "/dogs/new?x=1&__path=%2Fapi%2Fx&__err=U2Vy".parse().unwrap();
        assert_eq!(without_error(&uri), "/dogs/new?x=1");
        let bare: axum::http::Uri = "/account?__err=U2Vy&__path=/api/x".parse().unwrap();
        assert_eq!(without_error(&bare), "/account");
    }
}
