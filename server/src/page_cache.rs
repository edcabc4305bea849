//! A micro-cache for the public directory pages (`/` with its filters, and
//! venue pages) as visitors without a session see them.
//!
//! Rendering the home page costs milliseconds of CPU; most visitors have no
//! session (guests are only minted when they contribute), so for them the page
//! is the same for everyone but its CSP nonce. A rendered page is kept for a
//! few seconds and served with a fresh nonce. A flow that changes what these
//! pages show says so after its commit (`Context::public_changed`, wired to
//! [`PageCache::changed`]): the cache empties at once (the generation bumps),
//! so a visitor never sees a page older than the last such change here, and
//! the change is announced to the other instances through Postgres
//! (`crate::notify`), which empty theirs a few milliseconds later (and within
//! the lifetime should an announcement be lost). Other requests — a dog added,
//! a guest made, anything refused — leave the pages be, however many arrive.
//! Requests carrying a cookie always render, and their pages are never kept.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Pages bigger than this are not kept.
const MAX_PAGE: usize = 512 * 1024;
/// At most this many pages (filter combinations) are kept: with the page limit,
/// a visitor cycling through query strings can pin at most 64 MB, for seconds.
const MAX_ENTRIES: usize = 128;

/// The cache; cheap to clone.
#[derive(Clone)]
pub struct PageCache(Arc<Inner>);

struct Inner {
    ttl: Duration,
    generation: AtomicU64,
    pages: Mutex<HashMap<String, Page>>,
    /// Woken after a local public change, for the announcement to other instances.
    written: tokio::sync::Notify,
}

struct Page {
    generation: u64,
    stored: Instant,
    nonce: String,
    csp: String,
    body: Bytes,
}

impl PageCache {
    /// A cache keeping pages for `ttl` (zero turns it off).
    pub fn new(ttl: Duration) -> Self {
        Self(Arc::new(Inner {
            ttl,
            generation: AtomicU64::new(0),
            pages: Mutex::default(),
            written: tokio::sync::Notify::new(),
        }))
    }

    /// Whether pages are kept at all.
    pub fn enabled(&self) -> bool {
        !self.0.ttl.is_zero()
    }

    /// Resolves after the next local public change (at once if one happened
    /// since the last call: changes in between count as one).
    pub async fn written(&self) {
        self.0.written.notified().await;
    }

    fn fresh(&self, key: &str) -> Option<(String, String, Bytes)> {
        let generation = self.0.generation.load(Ordering::SeqCst);
        let pages = self.0.pages.lock().ok()?;
        let page = pages.get(key)?;
        (page.generation == generation && page.stored.elapsed() < self.0.ttl)
            .then(|| (page.nonce.clone(), page.csp.clone(), page.body.clone()))
    }

    fn store(&self, key: String, page: Page) {
        let Ok(mut pages) = self.0.pages.lock() else {
            return;
        };
        if pages.len() >= MAX_ENTRIES {
            let ttl = self.0.ttl;
            pages.retain(|_, p| p.stored.elapsed() < ttl);
            if pages.len() >= MAX_ENTRIES {
                return;
            }
        }
        pages.insert(key, page);
    }

    /// Forgets every page after a change on another instance.
    pub fn invalidate(&self) {
        self.0.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Forgets every page after a public change here, and has it announced.
    pub fn changed(&self) {
        self.invalidate();
        self.0.written.notify_one();
    }
}

/// Whether a request may be answered from (and fill) the cache.
fn cacheable(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && !req.headers().contains_key(header::COOKIE)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && (path == "/"
            || path
                .strip_prefix("/venues/")
                .is_some_and(|s| !s.is_empty() && !s.contains('/')))
}

/// The middleware.
pub async fn layer(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    if cache.0.ttl.is_zero() || !cacheable(&req) {
        return next.run(req).await;
    }
    let key = req.uri().to_string();
    if let Some((nonce, csp, body)) = cache.fresh(&key) {
        paws_inside::metrics::global().page_cache.inc("hit");
        return serve(&nonce, &csp, &body);
    }
    paws_inside::metrics::global().page_cache.inc("miss");
    // A change finishing while this page renders makes the page stale: it is
    // stored under the generation seen before rendering, so it is never served.
    let generation = cache.0.generation.load(Ordering::SeqCst);
    let res = next.run(req).await;
    let csp = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let nonce = csp.as_deref().and_then(nonce_in);
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let (Some(csp), Some(nonce), true, StatusCode::OK, false) = (
        csp.clone(),
        nonce,
        html,
        res.status(),
        res.headers().contains_key(header::SET_COOKIE),
    ) else {
        return res;
    };
    let (parts, body) = res.into_parts();
    // The page is already rendered in full (async SSR mode), so collecting it
    // costs no extra wait; only its size decides whether it is kept.
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "page body failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if body.len() > MAX_PAGE {
        return Response::from_parts(parts, Body::from(body));
    }
    let stored = Page {
        generation,
        stored: Instant::now(),
        nonce,
        csp,
        body: body.clone(),
    };
    cache.store(key, stored);
    Response::from_parts(parts, Body::from(body))
}

/// The page with a new nonce in place of the one it was rendered with.
fn serve(old: &str, csp: &str, body: &Bytes) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let html = String::from_utf8_lossy(body).replace(old, &nonce);
    let mut res = Response::new(Body::from(html));
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&csp.replace(old, &nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    res
}

/// The nonce of `'nonce-…'` in a CSP.
fn nonce_in(csp: &str) -> Option<String> {
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let len = csp[start..].find('\'')?;
    Some(csp[start..start + len].to_owned()).filter(|n| n.len() >= 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nonce() {
        let csp = "default-src 'self'; script-src 'self' 'nonce-AbCdEfGhIjKlMnOpQrSt' 'wasm-unsafe-eval'";
        assert_eq!(nonce_in(csp).as_deref(), Some("AbCdEfGhIjKlMnOpQrSt"));
        assert_eq!(nonce_in("script-src 'self'"), None);
        assert_eq!(
            nonce_in("script-src 'nonce-short'"),
            None,
            "too short to replace safely"
        );
    }
}
