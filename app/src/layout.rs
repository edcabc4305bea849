//! Site chrome: header with the brand and skip link, footer.

use leptos::prelude::*;
use leptos_router::components::A;

/// The top bar on every page.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">
                    <PawIcon />
                </span>
                <span class="brand-name">"Paws Inside"</span>
            </A>
            <nav class="site-nav" aria-label="Main">
                <A href="/dogs">"My dogs"</A>
                <A href="/suggest">"Suggest a place"</A>
                <A href="/suggestions">"My suggestions"</A>
            </nav>
            <UserBadge />
        </header>
    }
}

/// Who you are: nothing for readers; guests are nudged to sign in (they are
/// treated as signed out in account UI).
#[component]
fn UserBadge() -> impl IntoView {
    let state = crate::auth::UserState::get();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match state.user.await {
                    Ok(Some(user)) if user.is_anonymous => Some(view! {
                        <p class="user-badge" data-testid="guest-badge">"Sign in to keep your dogs"</p>
                    }.into_any()),
                    Ok(Some(user)) => Some(view! {
                        <p class="user-badge">{user.display_name.unwrap_or_else(|| "Signed in".into())}</p>
                    }.into_any()),
                    _ => None,
                }
            })}
        </Transition>
    }
}

/// The footer on every page.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"Made for Bentley and every dog who would rather not wait outside."</p>
            <p class="muted">"Venue details are suggested by dog owners — call ahead if in doubt."</p>
        </footer>
    }
}

/// The paw-print logo, inline so it costs no request.
#[component]
pub fn PawIcon() -> impl IntoView {
    view! {
        <svg viewBox="0 0 32 32" width="28" height="28" focusable="false">
            <ellipse cx="16" cy="21" rx="7" ry="6" fill="currentColor" />
            <ellipse cx="7" cy="13" rx="3" ry="4" fill="currentColor" />
            <ellipse cx="12.5" cy="7.5" rx="3" ry="4" fill="currentColor" />
            <ellipse cx="19.5" cy="7.5" rx="3" ry="4" fill="currentColor" />
            <ellipse cx="25" cy="13" rx="3" ry="4" fill="currentColor" />
        </svg>
    }
}
