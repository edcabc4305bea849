//! Paws Inside UI: the HTML shell, routes and pages. Compiled twice: with `ssr`
//! into the server, and with `hydrate` into the wasm bundle that takes over the
//! server-rendered page in the browser.

#![recursion_limit = "256"]

pub mod account;
pub mod admin;
pub mod auth;
pub mod bot;
#[cfg(feature = "ssr")]
mod csp;
mod error;
pub mod layout;
mod not_found;
pub mod pets;
pub mod photos;
mod routes;
pub mod suggestions;
pub mod venues;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{Route, Router, Routes},
    path,
};

pub use not_found::NotFound;

/// Site settings the HTML shell needs; they never reach the wasm bundle as code,
/// only as `<meta>` tags read by the map script.
#[derive(Clone, Debug)]
pub struct ShellConfig {
    /// Map tile URL template, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    pub tile_url: String,
    /// Attribution HTML required by the tile server.
    pub tile_attribution: String,
}

/// The full HTML document. Runs on the server only; `<App/>` is what hydrates.
pub fn shell(options: LeptosOptions, config: ShellConfig) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = http::HeaderValue::from_str(&csp::policy(&nonce, &config.tile_url))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
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
                <HashedStylesheet options=options.clone() id="leptos" />
                <link rel="stylesheet" href="/vendor/leaflet/leaflet.css" />
                <script defer src="/vendor/leaflet/leaflet.js"></script>
                <script defer src="/map.js"></script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
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
                    <Route path=path!("/venues/:slug") view={Lazy::<routes::Venue>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dogs") view={Lazy::<routes::Dogs>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dogs/new") view={Lazy::<routes::NewDog>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dogs/:id") view={Lazy::<routes::Dog>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dogs/:id/edit") view={Lazy::<routes::EditDog>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dogs/:id/delete") view={Lazy::<routes::DeleteDog>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/suggest") view={Lazy::<routes::Suggest>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/suggestions") view={Lazy::<routes::Suggestions>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view={Lazy::<routes::SignIn>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/auth/confirm") view={Lazy::<routes::Confirm>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/sign-up") view={Lazy::<routes::SignUp>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view={Lazy::<routes::ForgotPassword>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/auth/verify") view={Lazy::<routes::Verify>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/auth/reset") view={Lazy::<routes::Reset>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<routes::Account>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin") view={Lazy::<routes::Admin>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/venue") view={Lazy::<routes::AdminVenue>::new()} ssr=SsrMode::Async />
                </Routes>
            </main>
            <layout::Footer />
        </Router>
    }
}

/// Entry point of the wasm bundle: hydrates the server-rendered body.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy routes: a page loaded directly waits for its WASM chunk before it
    // hydrates, so hydration is asynchronous (what `hydrate_lazy` does, plus the mark).
    wasm_bindgen_futures::spawn_local(async {
        leptos::mount::hydrate_from_async(document().body().expect("a <body>"), App)
            .await
            .forget();
        // Lets browser tests (and curious people) tell a hydrated page from plain HTML.
        if let Some(body) = document().body() {
            let _ = body.dataset().set("hydrated", "true");
        }
    });
}
