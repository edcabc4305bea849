//! The home page: filters, the result list and the map, side by side.
//!
//! The server renders the page for the URL's filter, so it works without
//! JavaScript and every filtered URL has its own HTML. Only the map and the
//! event handlers are browser code (the `Directory` island): a filter change
//! loads the filtered page's HTML (what the server renders anyway, usually from
//! its page cache), swaps in its result list and map markers and pushes the URL
//! — no reload, the map stays where it is. Back and forward replay the URL.

use super::api::{list_cities, search_venues};
use super::card::VenueCard;
use super::filters::FilterBar;
use super::map::{VenueMap, markers_json};
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
                    let results = results.await;
                    let markers: Vec<MapMarker> = results
                        .as_ref()
                        .map(|list| list.iter().map(MapMarker::from).collect())
                        .unwrap_or_default();
                    let filtered = !filter.is_empty();
                    view! {
                        <Directory markers=markers_json(&markers) box_query=filter.to_query()>
                            <FilterBar filter cities />
                            <section class="results" aria-labelledby="results-heading" data-results="">
                                {match results {
                                    Ok(venues) => view! { <ResultList venues filtered /> }.into_any(),
                                    Err(err) => view! {
                                        <h2 id="results-heading" class="results-count">"Results"</h2>
                                        <p class="error" role="alert">{user_message(&err)}</p>
                                    }.into_any(),
                                }}
                            </section>
                        </Directory>
                    }
                })
            }}
        </Suspense>
    }
}

/// The map next to the server-rendered filter form and results (`children`),
/// and the browser side of filtering. `markers` (JSON) and `box_query` (the
/// filter's query string, which the map's box endpoint takes as it is)
/// describe the results; a swapped-in page brings its own.
#[island]
fn Directory(markers: String, box_query: String, children: Children) -> impl IntoView {
    let points = RwSignal::new(markers);
    let filter = RwSignal::new(box_query);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        client::changed(&ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        client::submitted(&ev, points, filter);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, points, filter);
    };
    #[cfg(feature = "hydrate")]
    client::on_history(points, filter);
    view! {
        <div class="directory" on:change=on_change on:submit=on_submit>
            {children()}
            <aside class="map-panel" aria-label="Map of the results">
                <VenueMap points box_query=filter label="Map of dog-friendly places" />
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
mod client;
