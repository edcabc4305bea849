//! Leptos brings a no-JavaScript form's error back in the page's address
//! (`?__path=…&__err=…`), and a page shows whatever such an address says as
//! our own error message — so anyone could put their words on our page with
//! a link (a sign-in link's `next` included: "…now call this number").
//!
//! Only errors our server functions put in their redirect are shown: that
//! redirect also sets a short-lived cookie holding the error's SHA-256, and a
//! page asked for with an `__err` the cookie does not vouch for is sent to
//! the same address without it (a redirect, so the browser's address — which
//! the page reads again as it hydrates — holds no such text either).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use paws_inside::auth::cookies::FORM_ERROR;
use sha2::{Digest, Sha256};

/// How long a form's error stays showable after its redirect.
const VOUCH_SECS: i64 = 60;

/// The middleware; `https` as the settings say.
pub async fn guard(State(https): State<bool>, req: Request, next: Next) -> Response {
    let reading = matches!(*req.method(), Method::GET | Method::HEAD);
    if reading && let Some(err) = error_in(req.uri().query()) {
        let cookies = req.headers().get_all(header::COOKIE);
        let vouched = FORM_ERROR.read(https, cookies.iter().filter_map(|v| v.to_str().ok()));
        if vouched.as_deref() != Some(digest(err).as_str()) {
            return Redirect::to(&without_error(req.uri())).into_response();
        }
        return next.run(req).await;
    }
    let form_post = req.method() == Method::POST && req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if form_post && res.status().is_redirection() {
        let err = res
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.split_once('?'))
            .and_then(|(_, query)| error_in(Some(query)).map(digest));
        if let Some(hash) = err
            && let Ok(cookie) = HeaderValue::from_str(&FORM_ERROR.set(https, &hash, VOUCH_SECS))
        {
            res.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    res
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
fn without_error(uri: &axum::http::Uri) -> String {
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
    use super::{error_in, without_error};

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
