//! The home page: filters, the result list and the map, side by side.
//!
//! The server renders the page for the URL's filter, so it works without
//! JavaScript and every filtered URL has its own HTML. The filter bar, list and
//! map are one island: after hydration a filter change asks `search_venues`,
//! updates the list and the map in place and pushes the new URL (no reload,
//! the map keeps its position); back and forward replay the URL's filter.

use super::api::{list_cities, search_venues};
use super::card::VenueCard;
use super::filters::FilterBar;
use super::map::VenueMap;
use crate::error::user_message;
use crate::layout::PawIcon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::{MapMarker, VenueFilter, VenueSummary};

/// `/`: the directory.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let filter =
        query.with_untracked(|q| VenueFilter::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v))));
    let key = filter.clone();
    let results = Resource::new(move || key.clone(), search_venues);
    let cities = Resource::new(|| (), |_| list_cities());

    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Find a place where your dog can come inside"</h1>
            <p class="lead">
                "Cafés, restaurants, bars, shops and hotels that welcome dogs indoors — checked by dog owners."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="muted">"Sniffing out places…"</p> }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    let cities = cities.await.unwrap_or_default();
                    let (venues, error) = match results.await {
                        Ok(venues) => (venues, None),
                        Err(err) => (Vec::new(), Some(user_message(&err))),
                    };
                    view! { <Directory filter cities venues error /> }
                })
            }}
        </Suspense>
    }
}

/// Filter bar, result list and map, kept in step in the browser.
#[island]
fn Directory(
    filter: VenueFilter,
    cities: Vec<String>,
    venues: Vec<VenueSummary>,
    error: Option<String>,
) -> impl IntoView {
    let filter = RwSignal::new(filter);
    let venues = RwSignal::new(venues);
    let error = RwSignal::new(error);
    let markers = Signal::derive(move || venues.with(|list| list.iter().map(MapMarker::from).collect::<Vec<_>>()));
    #[cfg(feature = "hydrate")]
    let on_filter = client::searcher(filter, venues, error);
    #[cfg(not(feature = "hydrate"))]
    let on_filter = Callback::new(|_: (VenueFilter, bool)| {});

    view! {
        <FilterBar filter cities on_filter />
        <div class="directory">
            <section class="results" aria-labelledby="results-heading">
                {move || match error.get() {
                    Some(message) => view! {
                        <h2 id="results-heading" class="results-count">"Results"</h2>
                        <p class="error" role="alert">{message}</p>
                    }.into_any(),
                    None => view! { <ResultList venues=venues.get() filtered=filter.with(|f| !f.is_empty()) /> }.into_any(),
                }}
            </section>
            <aside class="map-panel" aria-label="Map of the results">
                <VenueMap points=markers filter=filter label="Map of dog-friendly places" />
                <noscript>
                    <p class="muted map-noscript">"The map needs JavaScript; the list shows every result."</p>
                </noscript>
            </aside>
        </div>
    }
}

/// The count line and the cards, or a friendly empty state.
#[component]
fn ResultList(venues: Vec<VenueSummary>, filtered: bool) -> impl IntoView {
    let count = venues.len();
    if count == 0 {
        return view! {
            <h2 id="results-heading" class="results-count">"No places match"</h2>
            <div class="empty-state">
                <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                <p>"No dog-friendly place matches all of that yet. Try fewer filters or another city."</p>
                {filtered.then(|| view! { <a href="/" class="button">"Clear filters"</a> })}
            </div>
        }
        .into_any();
    }
    let noun = if count == 1 { "place" } else { "places" };
    view! {
        <h2 id="results-heading" class="results-count">{format!("{count} dog-friendly {noun}")}</h2>
        <ul class="venue-list">
            {venues.into_iter().map(|venue| view! { <li><VenueCard venue /></li> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
mod client {
    use super::search_venues;
    use crate::error::user_message;
    use leptos::prelude::*;
    use paws_inside::{VenueFilter, VenueSummary};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Runs a search for `(filter, push)`; `push` adds a history entry. A
    /// sequence number drops answers that arrive after a newer request.
    pub fn searcher(
        filter: RwSignal<VenueFilter>,
        venues: RwSignal<Vec<VenueSummary>>,
        error: RwSignal<Option<String>>,
    ) -> Callback<(VenueFilter, bool)> {
        let latest = Arc::new(AtomicU64::new(0));
        let search = Arc::new(move |(next, push): (VenueFilter, bool)| {
            if push {
                let query = next.to_query();
                let url = if query.is_empty() { "/".to_owned() } else { format!("/?{query}") };
                if let Ok(history) = window().history() {
                    let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
                }
            }
            filter.set(next.clone());
            let seq = latest.fetch_add(1, Ordering::Relaxed) + 1;
            let latest = latest.clone();
            leptos::task::spawn_local(async move {
                let answer = search_venues(next).await;
                if latest.load(Ordering::Relaxed) != seq {
                    return;
                }
                match answer {
                    Ok(list) => {
                        error.set(None);
                        venues.set(list);
                    }
                    Err(err) => error.set(Some(user_message(&err))),
                }
            });
        });
        let on_back = search.clone();
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            on_back((location_filter(), false));
        });
        // The island lives as long as the page.
        std::mem::forget(handle);
        Callback::new(move |args| search(args))
    }

    /// The filter in the address bar (after back/forward).
    fn location_filter() -> VenueFilter {
        let search = window().location().search().unwrap_or_default();
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return VenueFilter::default();
        };
        super::super::filters::filter_from_params(&params)
    }
}
