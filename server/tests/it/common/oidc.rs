//! The real OpenID Connect provider of the identity crate's tests
//! ([`provider`]: `oidc-provider`, one per test), and this app's steps
//! around it: an app with providers registered at it, a browser pressing a
//! provider's button and coming back.

#[path = "../../../../anonymous-first/tests/it/oidc_provider.rs"]
mod provider;

pub use provider::{Provider, follow, location};

use super::{Browser, TestApp, fresh_database, settings, spawn_with};

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
    let url = location(&res, &app.address);
    assert!(url.starts_with(&p.issuer), "start goes to the provider: {url}");
    follow(p, b, url, &app.address, login).await
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
