//! Site chrome: header with the brand, menu, account state and skip link; footer.

use leptos::prelude::*;
use leptos_router::components::A;

/// The top bar on every page: one row at any width — the brand, a menu (a
/// `<details>`: opens without JavaScript, a button to the keyboard and screen
/// readers) and the account state. Few tab stops, so the page's own first
/// control (the home page's search) is the fifth.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <ActingBanner />
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">
                    <PawIcon />
                </span>
                <span class="brand-name">"Paws Inside"</span>
            </A>
            <details class="menu">
                <summary>
                    <span class="menu-icon" aria-hidden="true"></span>
                    "Menu"
                </summary>
                <nav class="site-nav" aria-label="Main">
                    <A href="/dogs">"My dogs"</A>
                    <A href="/saved">"Saved places"</A>
                    <A href="/suggest">"Suggest a place"</A>
                    <A href="/suggestions">"My suggestions"</A>
                </nav>
            </details>
            <UserBadge />
        </header>
    }
}

/// Who you are: a "Sign in" link for readers; guests see what they would keep
/// ("Your dogs: 2 · Keep them", to the sign-in that claims them); members see
/// their address and a sign-out button (a POST, so no link can sign anyone out).
/// Rendered for the request's own session only: a request with a cookie is
/// never served from or stored in the shared page cache (`page_cache.rs`), so
/// a cached page always says "Sign in".
#[component]
fn UserBadge() -> impl IntoView {
    let state = crate::auth::UserState::get();
    let location = leptos_router::hooks::use_location();
    let sign_in_href = move || {
        let here = location.pathname.get();
        if here == "/sign-in" || here.starts_with("/auth/") {
            "/sign-in".to_owned()
        } else {
            format!("/sign-in?next={}", urlencode(&here))
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match state.user.await {
                    Ok(Some(user)) if user.is_guest() => {
                        // A failed count still offers the way to keep them.
                        let text = match guest_dogs().await {
                            Ok(n) if n > 0 => format!("Your dogs: {n} · Keep them"),
                            _ => "Keep what you added".to_owned(),
                        };
                        view! {
                            <a class="user-badge user-badge-wide" href=sign_in_href data-testid="guest-badge">{text}</a>
                        }.into_any()
                    }
                    Ok(Some(user)) => view! {
                        <form class="user-badge user-badge-wide" method="post" action="/auth/sign-out" data-testid="member-badge">
                            <a href="/account" class="user-name" data-testid="account-link">{user.label().unwrap_or("Your account").to_owned()}</a>
                            <button type="submit" class="link-button">"Sign out"</button>
                        </form>
                    }.into_any(),
                    _ => view! { <a class="user-badge" href=sign_in_href>"Sign in"</a> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// While an admin acts as a member: whom, until when, and a one-click way
/// back (a plain form POST, so it works before the page is interactive).
/// Only ever rendered for a request carrying a cookie, which the shared page
/// cache never serves nor keeps.
#[component]
fn ActingBanner() -> impl IntoView {
    let acting = Resource::new(|| (), |_| acting_now());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                acting.await.ok().flatten().map(|a| view! {
                    <aside class="acting-banner" aria-label="Acting as someone" data-testid="acting-banner">
                        <p>{format!("You are acting as {} until {}. Their sign-in and ways in stay as they are.", a.name, a.until)}</p>
                        <form method="post" action="/auth/stop-acting">
                            <button type="submit" class="button">"Stop acting"</button>
                        </form>
                    </aside>
                })
            })}
        </Suspense>
    }
}

/// Whom this browser acts as (an admin's hour as a member), if anyone.
#[server(prefix = "/api", endpoint = "header/acting")]
pub async fn acting_now() -> Result<Option<paws_inside::moderation::people::Acting>, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    Ok(paws_inside::moderation::people_flows::acting(&caller))
}

/// How many dogs this browser's guest keeps (0 for anyone else).
#[server(prefix = "/api", endpoint = "header/guest-dogs")]
pub async fn guest_dogs() -> Result<i64, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::dogs::flows::guest_count(&crate::error::ctx()?, &caller)
        .await
        .map_err(crate::error::unexpected)
}

/// Percent-encodes a path for a query value (paths here are ASCII-safe already
/// except for the few characters that would end the value).
fn urlencode(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '&' => "%26".to_owned(),
            '?' => "%3F".to_owned(),
            '#' => "%23".to_owned(),
            '+' => "%2B".to_owned(),
            ' ' => "%20".to_owned(),
            c => c.to_string(),
        })
        .collect()
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
