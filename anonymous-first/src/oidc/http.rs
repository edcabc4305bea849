//! The HTTP client OpenID Connect uses: our reqwest (rustls with ring), no
//! redirects (a provider's endpoints are exact, and following them would let
//! a discovery document point us anywhere), a timeout, and bounded bodies.

use anyhow::Context as _;
use oidc_http as reqwest;
use openidconnect::{HttpRequest, HttpResponse};
use std::future::Future;
use std::time::Duration;

/// The largest answer read from a provider (discovery, keys, tokens).
const MAX_BODY: usize = 512 * 1024;

/// A provider's HTTP client.
#[derive(Clone, Default)]
pub struct Http {
    inner: Option<reqwest::Client>,
}

/// What went wrong talking to a provider.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// No answer, or a broken one.
    #[error("provider request failed: {0}")]
    Request(#[from] reqwest::Error),
    /// An answer over 512 KiB.
    #[error("provider answer over {MAX_BODY} bytes")]
    TooLarge,
    /// The request or answer could not be converted.
    #[error("provider request could not be built: {0}")]
    Build(String),
}

impl Http {
    /// The client (installs the process-wide rustls provider once).
    pub fn new() -> anyhow::Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("failed to build the OpenID Connect HTTP client")?;
        Ok(Self { inner: Some(inner) })
    }

    /// What openidconnect calls for each request.
    pub(super) fn client(
        &self,
    ) -> impl Fn(
        HttpRequest,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>>
    + use<> {
        let inner = self.inner.clone();
        move |request| {
            let inner = inner.clone();
            Box::pin(async move {
                let inner = inner.ok_or_else(|| HttpError::Build("no client configured".to_owned()))?;
                send(&inner, request).await
            })
        }
    }
}

async fn send(client: &reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let mut response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(HttpError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    let mut answer = HttpResponse::new(bytes);
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}
