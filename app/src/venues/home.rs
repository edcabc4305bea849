//! The home page: the filters, the map and the list of the places in the
//! map's view, nearest to its centre (or to the visitor) first — in that order
//! in the page, on phones (stacked) and desktops (map beside the list) alike.
//!
//! The server renders the page for the URL's state (filter, view, position,
//! page), so it works without JavaScript and every URL has its own HTML. The
//! browser side is `public/home.js`, not WASM: the page loads no Leptos
//! runtime, which keeps its first load small (BENCHMARKS.md §6). A pan, a
//! filter, "Near me" or "Show more" loads the matching page's HTML (what the
//! server renders anyway) and swaps in its results.

use super::api::directory;
use super::card::VenueCard;
use super::filters::FilterBar;
use super::map::markers_json;
use crate::error::user_message;
use crate::layout::PawIcon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::geo::describe_distance;
use paws_inside::{BBox, DirectoryPage, DirectoryQuery, MapMarker};

/// `/`: the directory.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let (state, left_out) = query.with_untracked(|q| {
        let pairs: Vec<(String, String)> = q
            .latest_values()
            .map(|(k, v)| (k.to_string(), v.to_owned()))
            .collect();
        DirectoryQuery::read(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    });
    let page = Resource::new(move || state.clone(), directory);
    // A search or city that is not text (a link someone made, not the form)
    // is left out, and the page says so above the places shown without it.
    let left_out = left_out
        .into_iter()
        .map(|problem| view! { <p class="notice" role="status" data-left-out="">{format!("{problem} The places below are shown without it.")}</p> })
        .collect_view();

    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Find a place where your dog can come inside"</h1>
            <p class="lead">
                "Cafés, restaurants, bars, shops and hotels that welcome dogs indoors — checked by dog owners."
            </p>
        </section>
        {left_out}
        <Suspense fallback=|| view! { <p class="muted">"Sniffing out places…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Loaded page /> }.into_any(),
                    Err(err) => view! {
                        <p class="error" role="alert">{user_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form, the map and the results of one page, in the order they are
/// read and tabbed through. No WASM: `public/home.js` drives the map and
/// swaps in the results (see the module comment), reading what this page shows
/// from the `data-*` attributes of `.directory`; a swapped-in page brings its own.
#[component]
fn Loaded(page: DirectoryPage) -> impl IntoView {
    let markers: Vec<MapMarker> = page.venues.iter().map(MapMarker::from).collect();
    let view = view_json(page.view);
    let state = page.query.to_query();
    let filter = page.query.filter.clone();
    let boxed = filter.to_query();
    let here = page
        .query
        .near
        .map(|p| format!("{},{}", p.lat, p.lng))
        .unwrap_or_default();
    let places = page.places.clone();
    view! {
        <div class="directory" data-directory="" data-markers=markers_json(&markers) data-view=view
            data-state=state data-box=boxed data-here=here>
            <FilterBar filter places />
            <aside class="map-panel" aria-label="Map of the results">
                <div class="map-tools">
                    // Enabled by home.js: without it there is nothing to ask the browser with.
                    <button type="button" class="button button-quiet near-me" data-near-me="" disabled>"Near me"</button>
                    <p class="near-status" role="status" aria-live="polite"></p>
                </div>
                <a class="skip-map" href="#results-heading">"Skip map"</a>
                <div class="map" role="region" aria-label="Map of dog-friendly places" data-testid="map"
                    aria-describedby="map-keys"></div>
                <MapLegend />
                <noscript>
                    <p class="muted map-noscript">"The map needs JavaScript; the list shows the places in this area."</p>
                </noscript>
            </aside>
            <section class="results" aria-labelledby="results-heading" data-results="">
                <ResultList page />
            </section>
        </div>
    }
}

/// What the map's symbols mean, by shape and words (not colour alone), and
/// how to move between them with the keyboard.
#[component]
fn MapLegend() -> impl IntoView {
    view! {
        <div class="map-legend">
            <ul aria-label="What the map shows">
                <li><span class="key key-pin key-pin-cafe" aria-hidden="true"><span></span></span>"Café or bakery (round dot)"</li>
                <li><span class="key key-pin" aria-hidden="true"><span></span></span>"Other place (square dot)"</li>
                <li><span class="key key-verdict" aria-hidden="true">"✓"</span>"Confirmed by dog owners this year"</li>
                <li><span class="key key-verdict" aria-hidden="true">"?"</span>"Disputed: dog owners disagree"</li>
                <li><span class="key key-verdict" aria-hidden="true">"✕"</span>"Reported not welcome"</li>
                <li><span class="key key-cluster" aria-hidden="true">"12"</span>"Group of places: select to zoom in"</li>
                <li><span class="key key-here" aria-hidden="true"></span>"You (after “Near me”)"</li>
            </ul>
            <p id="map-keys" class="muted small">"Keyboard: Tab to the map's places, then the arrow keys move between them; Enter opens one."</p>
        </div>
    }
}

/// `[south, west, north, east]`, as map.js fits it.
fn view_json(v: BBox) -> String {
    format!("[{},{},{},{}]", v.south, v.west, v.north, v.east)
}

/// The count line and the cards, "Show more", or a friendly empty state.
#[component]
fn ResultList(page: DirectoryPage) -> impl IntoView {
    let heading = page.total.describe();
    if let Some(place) = page.unknown_place.clone() {
        return view! {
            <h2 id="results-heading" class="results-count" tabindex="-1">"No places there yet"</h2>
            <div class="empty-state">
                <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                <p>{format!("We have no dog-friendly places in “{place}” yet. Try another city, or move the map.")}</p>
                <a href="/" class="button">"Show all places"</a>
            </div>
        }
        .into_any();
    }
    if page.venues.is_empty() {
        let past_end = page.query.page > 1;
        let filtered = !page.query.filter.is_empty();
        let text = if past_end {
            "No more places on this page of the list. Zoom in on the map to see the others."
        } else {
            "No dog-friendly place here matches all of that yet. Try fewer filters, or move or zoom out the map."
        };
        return view! {
            <h2 id="results-heading" class="results-count" tabindex="-1">{if past_end { heading } else { "No places match".to_owned() }}</h2>
            <div class="empty-state">
                <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                <p>{text}</p>
                {filtered.then(|| view! { <a href="/" class="button">"Clear filters"</a> })}
            </div>
        }
        .into_any();
    }
    let more = page.more.then(|| page.query.next_page().href());
    let near = page.query.near;
    view! {
        <h2 id="results-heading" class="results-count" tabindex="-1">{heading}</h2>
        <ul class="venue-list" data-page=page.query.page>
            {page.venues.into_iter().map(|venue| {
                let distance = near.map(|p| describe_distance(p.metres_to(venue.position())));
                view! { <li><VenueCard venue distance /></li> }
            }).collect_view()}
        </ul>
        {more.map(|href| view! {
            <p class="more"><a class="button button-quiet" href=href data-more="" rel="next">"Show more"</a></p>
        })}
    }
    .into_any()
}
