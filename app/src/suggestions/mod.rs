//! "Suggest a venue" and "My suggestions". Suggestions are owned rows with
//! status `pending`; they become public only after moderation (a later issue).
// The suggestion server function takes one argument per form field: the plain
// HTML form (no JavaScript) posts them flat. The macro copies the signature.
#![allow(clippy::too_many_arguments)]

mod form;

use crate::error::user_message;
use crate::layout::PawIcon;
use form::SuggestForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use paws_inside::Suggestion;

#[cfg(feature = "ssr")]
use crate::error::{ctx, fail, unexpected};

/// Stores a suggestion for the current user, minting a guest if needed.
#[server(prefix = "/api", endpoint = "suggestions/create")]
pub async fn suggest_venue(
    #[server(default)] name: String,
    #[server(default)] category: String,
    #[server(default)] address: String,
    #[server(default)] city: String,
    #[server(default)] dogs_inside: String,
    #[server(default)] size_limit: String,
    #[server(default)] water_bowl: String,
    #[server(default)] treats: String,
    #[server(default)] notes: String,
    #[server(default)] lat: String,
    #[server(default)] lng: String,
    #[server(default)] different_place: String,
    #[server(default)] mint_key: Option<String>,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    if crate::bot::caught("suggestion", &website, &form_started) {
        leptos_axum::redirect("/suggestions?sent=1");
        return Ok(());
    }
    let form = paws_inside::SuggestionForm {
        name,
        category,
        address,
        city,
        dogs_inside,
        size_limit,
        water_bowl,
        treats,
        notes,
        lat,
        lng,
        different_place,
    };
    let mut caller = crate::auth::session::caller().await?;
    paws_inside::suggestions::flows::suggest(&ctx()?, &mut caller, &form, mint_key.as_deref())
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/suggestions?sent=1");
    Ok(())
}

/// The current user's suggestions (none without a session).
#[server(prefix = "/api", endpoint = "suggestions/mine")]
pub async fn my_suggestions() -> Result<Vec<Suggestion>, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::suggestions::flows::mine(&ctx()?, &caller)
        .await
        .map_err(unexpected)
}

/// `/suggest`.
#[component]
pub fn SuggestPage() -> impl IntoView {
    view! {
        <Title text="Suggest a place" />
        <h1>"Suggest a dog-friendly place"</h1>
        <p class="lead">"Know a café or shop that lets dogs inside? Tell us — no account needed. We check every suggestion before it goes on the map."</p>
        <SuggestForm />
    }
}

/// `/suggestions`.
#[component]
pub fn MySuggestions() -> impl IntoView {
    let list = Resource::new(|| (), |_| my_suggestions());
    let sent = leptos_router::hooks::use_query_map();
    view! {
        <Title text="My suggestions" />
        <div class="page-head">
            <h1>"My suggestions"</h1>
            <A href="/suggest" attr:class="button">"Suggest a place"</A>
        </div>
        {move || sent.with(|q| q.get("sent").is_some()).then(|| view! {
            <p class="notice" role="status">"Thank you! We will check your suggestion soon."</p>
        })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => view! {
                        <div class="empty-state">
                            <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                            <p>"You have not suggested a place yet."</p>
                        </div>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="suggestion-list">
                            {items.into_iter().map(|s| view! {
                                <li class="venue-card">
                                    <div class="venue-card-head">
                                        <h2 class="h3"><a href=format!("/mine/suggestions/{}", s.id)>{s.name.clone()}</a></h2>
                                        <span class=format!("status status-{}", s.status)>{status_label(&s.status)}</span>
                                    </div>
                                    <p class="venue-address">{format!("{} · sent {}", s.city, s.created_on)}</p>
                                    {s.reject_reason.map(|r| view! { <p class="small" data-testid="reject-reason">{format!("Why: {r}")}</p> })}
                                    {s.venue_slug.map(|slug| view! { <p class="small"><A href=format!("/venues/{slug}")>"See it on the map"</A></p> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "approved" => "Approved",
        "rejected" => "Not added",
        _ => "Waiting for review",
    }
}
