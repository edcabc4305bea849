//! A real OpenID Connect provider for tests: panva's certified `oidc-provider`
//! (npm, installed by `./test`) run by `scripts/oidc-provider.mjs`, one per
//! test, each test registering its own clients through dynamic
//! registration; and a browser that signs in through the provider's own
//! login form ([`follow`]). The first app's integration tests use it too.

use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free local port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running provider; killed when dropped.
pub struct Provider {
    child: Option<Child>,
    /// Its issuer URL, `http://127.0.0.1:PORT`.
    pub issuer: String,
    port: u16,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Provider {
    /// Starts a provider on a free port and waits until it answers.
    pub fn start() -> Self {
        let port = free_port();
        let mut provider = Self {
            child: None,
            issuer: format!("http://127.0.0.1:{port}"),
            port,
        };
        provider.restart();
        provider
    }

    /// Kills it (an outage).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (a new process: new keys, no clients).
    pub fn restart(&mut self) {
        self.stop();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/oidc-provider.mjs");
        let child = Command::new("node")
            .arg(script)
            .arg(self.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start node scripts/oidc-provider.mjs (./test installs node and oidc-provider)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "oidc-provider did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Registers a client with `redirect_uri`: its id and secret.
    pub async fn register(&self, redirect_uri: &str) -> (String, String) {
        let res = reqwest::Client::new()
            .post(format!("{}/reg", self.issuer))
            .json(&serde_json::json!({
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "client registration");
        let body: Value = res.json().await.unwrap();
        (
            body["client_id"].as_str().unwrap().to_owned(),
            body["client_secret"].as_str().unwrap().to_owned(),
        )
    }
}

/// Where a redirect goes, made absolute against `base`.
pub fn location(res: &reqwest::Response, base: &str) -> String {
    let loc = res
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap();
    if loc.starts_with("http") {
        loc.to_owned()
    } else {
        format!("{base}{loc}")
    }
}

/// Follows `url` (the provider's authorization URL) in `browser` (a client
/// that keeps cookies and follows no redirects) until the provider sends it
/// back to `home`: that callback URL, not yet opened. `login` is typed in
/// the provider's form; `None` cancels there instead.
pub async fn follow(
    p: &Provider,
    browser: &reqwest::Client,
    url: String,
    home: &str,
    login: Option<&str>,
) -> String {
    let mut url = url;
    for _ in 0..10 {
        if url.starts_with(home) {
            return url;
        }
        let res = browser.get(&url).send().await.unwrap();
        if res.status().is_redirection() {
            url = location(&res, &p.issuer);
            continue;
        }
        let page = res.text().await.unwrap();
        assert!(
            page.contains("name=\"login\""),
            "the provider's login form: {page}"
        );
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let res = match login {
            Some(login) => browser
                .post(&action)
                .form(&[("prompt", "login"), ("login", login), ("password", "any")])
                .send()
                .await
                .unwrap(),
            None => browser.get(format!("{action}/abort")).send().await.unwrap(),
        };
        assert_eq!(res.status(), 303, "provider form");
        url = location(&res, &p.issuer);
    }
    panic!("the provider never sent the browser back");
}
