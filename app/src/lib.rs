//! Paws Inside UI: the HTML shell, routes and pages. Compiled twice: with `ssr`
//! into the server, and with `hydrate` into the wasm bundle. Pages are rendered
//! by the server only (Leptos islands mode); the interactive parts are
//! `#[island]`s that hydrate on their own, so the browser downloads the code of
//! those parts and nothing else: the venue map and photos, the photo upload,
//! the dog, suggestion, sign-in and sign-up forms (they keep what was typed when
//! the server says no), "Add your dog" and the admin's review forms. The home
//! page has no island: `public/home.js` drives it, and it loads no WASM. Every
//! island but the venue map and the hydration mark is lazy: its own WASM chunk,
//! fetched by the pages that have it (builds run `cargo leptos --split`).

#![recursion_limit = "256"]

pub mod account;
pub mod admin;
pub mod auth;
pub mod bot;
#[cfg(feature = "ssr")]
mod csp;
pub mod dogs;
mod error;
pub mod layout;
mod not_found;
pub mod photos;
mod preload;
pub mod saved;
pub mod suggestions;
pub mod venues;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

#[cfg(feature = "ssr")]
pub use error::UNEXPECTED;
pub use not_found::NotFound;

/// Site settings the HTML shell needs; they never reach the wasm bundle as code,
/// only as `<meta>` tags read by the map script.
#[derive(Clone, Debug)]
pub struct ShellConfig {
    /// Map tile URL template, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    pub tile_url: String,
    /// Attribution HTML required by the tile server.
    pub tile_attribution: String,
    /// Origins sign-in forms redirect to (the OpenID Connect providers).
    pub form_targets: Vec<String>,
}

/// The full HTML document. Runs on the server only; `<App/>` is what hydrates.
pub fn shell(options: LeptosOptions, config: ShellConfig) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) =
        http::HeaderValue::from_str(&csp::policy(&nonce, &config.tile_url, &config.form_targets))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
    #[cfg(feature = "ssr")]
    let home = use_context::<http::request::Parts>().is_some_and(|req| req.uri.path() == "/");
    #[cfg(not(feature = "ssr"))]
    let home = false;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#2f5d50" />
                <meta name="paws-tile-url" content=config.tile_url />
                <meta name="paws-tile-attribution" content=config.tile_attribution />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Leaflet's CSS first: ours overrides it (the map's cluster bubbles).
                <link rel="stylesheet" href="/vendor/leaflet/leaflet.css" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <script defer src="/vendor/leaflet/leaflet.js"></script>
                <script defer src="/map.js"></script>
                // Marks the Save buttons this visitor used (asked per session: the pages are shared).
                <script defer src="/saved.js"></script>
                <AutoReload options=options.clone() />
                // The home page has no island: home.js drives it (venues/home.rs).
                {if home { view! { <script defer src="/home.js"></script> }.into_any() } else {
                    view! { <HydrationScripts options islands=true /> }.into_any()
                }}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header, routed pages, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    preload::provide();
    auth::UserState::provide();
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Paws Inside".to_owned() } else { format!("{page} · Paws Inside") }
        } />
        <Meta name="description" content="Cafés, restaurants, bars, shops and hotels where dogs are welcome inside." />
        <Router>
            <layout::Header />
            <main id="main" class="page">
                <auth::Notice />
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=venues::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/venues/:slug") view=venues::VenuePage ssr=SsrMode::Async />
                    <Route path=path!("/dogs") view=dogs::MyDogs ssr=SsrMode::Async />
                    <Route path=path!("/dogs/new") view=dogs::NewDog ssr=SsrMode::Async />
                    <Route path=path!("/dogs/:id") view=dogs::DogPage ssr=SsrMode::Async />
                    <Route path=path!("/dogs/:id/edit") view=dogs::EditDog ssr=SsrMode::Async />
                    <Route path=path!("/dogs/:id/delete") view=dogs::DeleteDog ssr=SsrMode::Async />
                    <Route path=path!("/suggest") view=suggestions::SuggestPage ssr=SsrMode::Async />
                    <Route path=path!("/suggestions") view=suggestions::MySuggestions ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=auth::SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/auth/confirm") view=auth::ConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("/auth/oidc/confirm") view=auth::OidcConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("/auth/add-email") view=auth::AddEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/auth/change-email") view=auth::ChangeEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/auth/undo-email") view=auth::UndoEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-up") view=auth::SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view=auth::ForgotPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/auth/verify") view=auth::VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/auth/reset") view=auth::ResetPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/account/delete") view=account::DeleteAccountPage ssr=SsrMode::Async />
                    <Route path=path!("/account/two-step") view=account::TwoStepSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/two-step") view=auth::TwoStepPage ssr=SsrMode::Async />
                    <Route path=path!("/mine") view=account::MinePage ssr=SsrMode::Async />
                    <Route path=path!("/saved") view=saved::SavedPage ssr=SsrMode::Async />
                    <Route path=path!("/saved/unsubscribe") view=saved::UnsubscribePage ssr=SsrMode::Async />
                    <Route path=path!("/mine/suggestions/:id") view=account::MySuggestionPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=admin::AdminPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/venue") view=admin::VenueEditPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/funnel") view=admin::FunnelPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/people") view=admin::PeoplePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/people/:id") view=admin::PersonAdminPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=admin::AuditPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <layout::Footer />
        </Router>
        <HydrationMark />
    }
}

/// The last island on every page. Islands hydrate in document order (each lazy
/// one after its chunk arrived), so when this one runs, every island above it is
/// interactive: it marks `<body data-hydrated>` for browser tests and the curious.
#[island]
fn HydrationMark() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.dataset().set("hydrated", "true");
        }
    });
}

/// Entry point of the wasm bundle: sets up the islands runtime (the script
/// that loads the bundle then hydrates each `<leptos-island>` on the page).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A server function that answers with a redirect (every form here does on
    // success) loads that page: there is no client-side router in islands mode.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let _ = window().location().set_href(to);
    });
    leptos::mount::hydrate_islands();
}
