//! Cross-site request forgery: every state-changing request must come from a
//! page of ours. Browsers always send `Origin` on POST; older ones send
//! `Sec-Fetch-Site` or `Referer`. A request with none of them did not come from
//! a browser page (curl, a server), and cannot carry someone else's cookie.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Refuses state-changing requests from other sites with 403; nothing runs.
pub async fn same_origin(State(public_url): State<Arc<str>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if allowed(req.headers(), &public_url) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused.",
        )
            .into_response()
    }
}

/// Whether the request's declared origin is ours: the public URL, or the host
/// the request was sent to.
pub fn allowed(headers: &HeaderMap, public_url: &str) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let ours = |url: &str| {
        let authority = url
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or(""));
        url == public_url
            || url.starts_with(&format!("{public_url}/"))
            || (host.is_some() && authority == host && url.starts_with("http"))
    };
    // Pages with `Referrer-Policy: no-referrer` (the sign-in link pages) make
    // browsers send `Origin: null` even to their own site; `Sec-Fetch-Site`,
    // which no page can forge, then decides.
    let origin = headers.get(header::ORIGIN).filter(|o| o.as_bytes() != b"null");
    if let Some(origin) = origin {
        return origin.to_str().is_ok_and(ours);
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    if headers.contains_key(header::ORIGIN) {
        return false;
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return referer.to_str().is_ok_and(ours);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::allowed;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn origin_rules() {
        let public = "https://paws.example";
        assert!(allowed(&headers(&[("origin", "https://paws.example")]), public));
        assert!(allowed(
            &headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]),
            public
        ));
        assert!(!allowed(&headers(&[("origin", "https://evil.example")]), public));
        assert!(!allowed(&headers(&[("origin", "null")]), public));
        assert!(allowed(
            &headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            public
        ));
        assert!(!allowed(
            &headers(&[("origin", "null"), ("sec-fetch-site", "cross-site")]),
            public
        ));
        assert!(!allowed(
            &headers(&[("origin", "https://paws.example.evil.example")]),
            public
        ));
        assert!(!allowed(
            &headers(&[("origin", "https://evil.example"), ("host", "paws.example")]),
            public
        ));
        assert!(allowed(&headers(&[("sec-fetch-site", "same-origin")]), public));
        assert!(!allowed(&headers(&[("sec-fetch-site", "cross-site")]), public));
        assert!(allowed(
            &headers(&[("referer", "https://paws.example/dogs")]),
            public
        ));
        assert!(!allowed(
            &headers(&[("referer", "https://evil.example/https://paws.example")]),
            public
        ));
        assert!(allowed(&headers(&[]), public));
    }
}
