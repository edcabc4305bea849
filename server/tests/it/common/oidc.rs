//! A real OpenID Connect provider for tests: panva's certified `oidc-provider`
//! (npm, installed by `./test`) run by `scripts/oidc-provider.mjs`, one per
//! test. Each test app registers its own client through dynamic registration,
//! and a test [`Browser`] signs in through the provider's own login form.

use super::{Browser, TestApp, fresh_database, settings, spawn_with};
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        let port = super::mail::free_port();
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

/// The app with providers `ids` (each its own client at `provider`), on a
/// port chosen first so the redirect URIs can be registered.
pub async fn spawn_with_providers(provider: &Provider, ids: &[&str], extra: &[(&str, &str)]) -> TestApp {
    let port = super::mail::free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut env: Vec<(String, String)> = vec![
        ("PAWS_BIND".into(), format!("127.0.0.1:{port}")),
        ("PUBLIC_URL".into(), public.clone()),
        ("OIDC_PROVIDERS".into(), ids.join(",")),
    ];
    for id in ids {
        let (client, secret) = provider
            .register(&format!("{public}/auth/oidc/{id}/callback"))
            .await;
        let upper = id.to_uppercase();
        env.push((format!("OIDC_{upper}_ISSUER"), provider.issuer.clone()));
        env.push((format!("OIDC_{upper}_CLIENT_ID"), client));
        env.push((format!("OIDC_{upper}_CLIENT_SECRET"), secret));
        env.push((format!("OIDC_{upper}_LABEL"), format!("Test {id}")));
    }
    let mut pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pairs.extend_from_slice(extra);
    spawn_with(settings(&fresh_database().await, &pairs)).await
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

/// Presses provider `id`'s button on `b` (`intent` "link" or "sign_in") and
/// follows the provider until it sends the browser back: the callback URL,
/// not yet opened. `login` is typed in the provider's form; `None` cancels
/// there instead.
pub async fn to_callback(
    app: &TestApp,
    p: &Provider,
    b: &Browser,
    id: &str,
    intent: &str,
    login: Option<&str>,
) -> String {
    let res = super::flows::post_form(
        app,
        b,
        &format!("/auth/oidc/{id}/start"),
        &[("next", "/dogs"), ("intent", intent)],
    )
    .await;
    assert_eq!(res.status(), 303, "start");
    let mut url = location(&res, &app.address);
    assert!(url.starts_with(&p.issuer), "start goes to the provider: {url}");
    for _ in 0..10 {
        if url.starts_with(&app.address) {
            return url;
        }
        let res = b.get(&url).send().await.unwrap();
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
            Some(login) => b
                .post(&action)
                .form(&[("prompt", "login"), ("login", login), ("password", "any")])
                .send()
                .await
                .unwrap(),
            None => b.get(format!("{action}/abort")).send().await.unwrap(),
        };
        assert_eq!(res.status(), 303, "provider form");
        url = location(&res, &p.issuer);
    }
    panic!("the provider never sent the browser back");
}

/// Opens the callback URL in `b`: where the app sends it next.
pub async fn open_callback(b: &Browser, url: &str, app: &TestApp) -> String {
    let res = b.get(url).send().await.unwrap();
    assert_eq!(res.status(), 303, "callback answers with a redirect");
    location(&res, &app.address)
}

/// Signs `b` in at provider `id` as `login`: where the app sends it.
pub async fn sign_in(app: &TestApp, p: &Provider, b: &Browser, id: &str, login: &str) -> String {
    let url = to_callback(app, p, b, id, "sign_in", Some(login)).await;
    open_callback(b, &url, app).await
}
