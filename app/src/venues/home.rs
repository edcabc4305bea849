//! The home page: the map, filters and the list of the places in the map's
//! view, nearest to its centre (or to the visitor) first.
//!
//! The server renders the page for the URL's state (filter, view, position,
//! page), so it works without JavaScript and every URL has its own HTML. Only
//! the map and the event handlers are browser code (the `Directory` island):
//! a pan, a filter, "Near me" or "Show more" loads the matching page's HTML
//! (what the server renders anyway) and swaps in its results.

use super::api::directory;
use super::card::VenueCard;
use super::filters::FilterBar;
use super::map::{VenueMap, markers_json};
use crate::error::user_message;
use crate::layout::PawIcon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::venues::filter::query_pairs;
use paws_inside::{BBox, DirectoryPage, DirectoryQuery, MapMarker, VenueFilter};

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

/// The island with the server-rendered form and results of one page.
#[component]
fn Loaded(page: DirectoryPage) -> impl IntoView {
    let markers: Vec<MapMarker> = page.venues.iter().map(MapMarker::from).collect();
    let view = view_json(page.view);
    let state = page.query.to_query();
    let filter = page.query.filter.clone();
    let places = page.places.clone();
    view! {
        <Directory markers=markers_json(&markers) view state>
            <FilterBar filter places />
            <section class="results" aria-labelledby="results-heading" data-results="">
                <ResultList page />
            </section>
        </Directory>
    }
}

/// `[south, west, north, east]`, as map.js fits it.
fn view_json(v: BBox) -> String {
    format!("[{},{},{},{}]", v.south, v.west, v.north, v.east)
}

/// The map next to the server-rendered form and results (`children`), and
/// the browser side of the directory. `markers` (JSON) are this page's
/// results, `view` (JSON) the box the map shows, `state` the page's
/// canonical query string; a swapped-in page brings its own.
#[island]
fn Directory(markers: String, view: String, state: String, children: Children) -> impl IntoView {
    let points = RwSignal::new(markers);
    let frame = RwSignal::new(view);
    let state = RwSignal::new(state);
    let status = RwSignal::new(String::new());
    let ready = RwSignal::new(false);
    // Strings only: no float parsing or formatting in the home page's WASM.
    let filter = Signal::derive(move || {
        let pairs = query_pairs(&state.get());
        VenueFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).to_query()
    });
    Effect::new(move |_| ready.set(true));
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        client::changed(&ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let signals = Signals {
        points,
        frame,
        state,
        status,
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        client::submitted(&ev, signals);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, signals);
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        client::clicked(&ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let near_me = move |_| {
        #[cfg(feature = "hydrate")]
        client::near_me(signals);
    };
    let on_move = Callback::new(move |bounds: String| {
        #[cfg(feature = "hydrate")]
        client::moved(bounds, signals);
        #[cfg(not(feature = "hydrate"))]
        let _ = (bounds, signals);
    });
    #[cfg(feature = "hydrate")]
    client::on_history(signals);
    view! {
        <div class="directory" on:change=on_change on:submit=on_submit on:click=on_click>
            <aside class="map-panel" aria-label="Map of the results">
                <div class="map-tools">
                    <button type="button" class="button button-quiet near-me" on:click=near_me
                        disabled=move || !ready.get()>"Near me"</button>
                    <p class="near-status" role="status" aria-live="polite">{move || status.get()}</p>
                </div>
                <VenueMap points box_query=filter view=frame on_move label="Map of dog-friendly places" />
                <noscript>
                    <p class="muted map-noscript">"The map needs JavaScript; the list shows the places in this area."</p>
                </noscript>
                // Phones: the map comes first; this jumps past the filters to the list.
                <a class="to-list" href="#results-heading">"Show the list"</a>
            </aside>
            {children()}
        </div>
    }
}

/// The island's state, handed to the browser-side handlers.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) struct Signals {
    /// Markers of the current page (JSON).
    pub points: RwSignal<String>,
    /// The box the map should show (JSON); setting it moves the map.
    pub frame: RwSignal<String>,
    /// The page's canonical query string.
    pub state: RwSignal<String>,
    /// What "Near me" has to say.
    pub status: RwSignal<String>,
}

/// The count line and the cards, "Show more", or a friendly empty state.
#[component]
fn ResultList(page: DirectoryPage) -> impl IntoView {
    let heading = page.total.describe();
    if let Some(place) = page.unknown_place.clone() {
        return view! {
            <h2 id="results-heading" class="results-count">"No places there yet"</h2>
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
            <h2 id="results-heading" class="results-count">{if past_end { heading } else { "No places match".to_owned() }}</h2>
            <div class="empty-state">
                <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                <p>{text}</p>
                {filtered.then(|| view! { <a href="/" class="button">"Clear filters"</a> })}
            </div>
        }
        .into_any();
    }
    let more = page.more.then(|| page.query.next_page().href());
    view! {
        <h2 id="results-heading" class="results-count">{heading}</h2>
        <ul class="venue-list" data-page=page.query.page>
            {page.venues.into_iter().map(|venue| view! { <li><VenueCard venue /></li> }).collect_view()}
        </ul>
        {more.map(|href| view! {
            <p class="more"><a class="button button-quiet" href=href data-more="" rel="next">"Show more"</a></p>
        })}
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
mod client;
