//! The home page: filters, the result list and the map, side by side.

use super::api::{list_cities, search_venues};
use super::card::VenueCard;
use super::filters::FilterBar;
use super::map::VenueMap;
use crate::error::user_message;
use crate::layout::PawIcon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use paws_inside::{MapMarker, VenueFilter, VenueSummary};

/// `/`: the directory.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| VenueFilter::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v))))
    });
    let results = Resource::new(move || filter.get(), search_venues);
    // Keyed on nothing: fetched once per page, not on every filter change.
    let cities = Resource::new(|| (), |_| list_cities());
    let markers = Signal::derive(move || {
        let venues = results.get().and_then(Result::ok).unwrap_or_default();
        venues.iter().map(MapMarker::from).collect::<Vec<_>>()
    });

    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Find a place where your dog can come inside"</h1>
            <p class="lead">
                "Cafés, restaurants, bars, shops and hotels that welcome dogs indoors — checked by dog owners."
            </p>
        </section>
        <FilterBar filter cities />
        <div class="directory">
            <section class="results" aria-labelledby="results-heading">
                <Transition fallback=|| view! { <p class="muted">"Sniffing out places…"</p> }>
                    {move || Suspend::new(async move {
                        match results.await {
                            Ok(venues) => view! { <ResultList venues filtered=!filter.get().is_empty() /> }.into_any(),
                            Err(err) => view! {
                                <h2 id="results-heading" class="results-count">"Results"</h2>
                                <p class="error" role="alert">{user_message(&err)}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <aside class="map-panel" aria-label="Map of the results">
                <VenueMap points=markers filter label="Map of dog-friendly places" />
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
                {filtered.then(|| view! { <A href="/" attr:class="button">"Clear filters"</A> })}
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
