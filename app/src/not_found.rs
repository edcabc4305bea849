//! The 404 page, with a real 404 status on the server.

use crate::layout::PawIcon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Shown for unknown paths and unknown venues.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <section class="empty-state not-found">
            <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
            <h1>"We sniffed everywhere, but this page isn’t here"</h1>
            <p>"The link may be old, or the place may have moved on."</p>
            <A href="/" attr:class="button">"Browse dog-friendly places"</A>
        </section>
    }
}
