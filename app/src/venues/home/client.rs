//! Browser side of the directory. Every change of what the list shows — a
//! filter, a pan or zoom, "Near me", back and forward — becomes a URL, and the
//! page of that URL (what the server renders anyway) is loaded and its
//! results swapped in; "Show more" appends the next page's cards. Whatever
//! goes wrong on the way falls back to loading the page normally.

use super::Signals;
use crate::venues::map::client::where_am_i;
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use paws_inside::VenueFilter;
use paws_inside::venues::filter::{encode, keys as filter_keys, query_pairs};
use paws_inside::venues::view::keys;
use std::sync::atomic::{AtomicU64, Ordering};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element, HtmlFormElement, HtmlInputElement};

/// Sequence number of the newest load: older answers are dropped.
static LATEST: AtomicU64 = AtomicU64::new(0);

/// Kilometres around the visitor that "Near me" shows.
const NEAR_KM: f64 = 1.5;

/// What a swapped-in page says about its results (its `Directory` props).
#[derive(serde::Deserialize)]
struct Swapped {
    markers: String,
    view: String,
    state: String,
}

/// How a loaded page is put in place.
#[derive(Clone, Copy, PartialEq)]
enum Swap {
    /// New results, map moved to their view (filters, near me).
    Results,
    /// New results and the form too (back and forward).
    WithForm,
    /// New results for the view the person moved the map to.
    Moved,
}

/// Selects and checkboxes apply at once; the search text waits for Enter.
pub fn changed(ev: &leptos::ev::Event) {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if target.get_attribute("type").as_deref() == Some("search") {
        return;
    }
    if let Some(form) = target
        .closest("form.filters")
        .ok()
        .flatten()
        .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
    {
        let _ = form.request_submit();
    }
}

/// The filter form was submitted: load its URL in place. A new city or
/// search moves the map to its places; any other filter keeps the view.
pub fn submitted(ev: &leptos::ev::SubmitEvent, s: Signals) {
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
        return;
    };
    if !form.class_list().contains("filters") {
        return;
    }
    // If the form cannot be read, the browser submits it as usual.
    let Some(filter) = form_filter(&form) else { return };
    ev.prevent_default();
    let state = s.state.get_untracked();
    let old = query_pairs(&state);
    let old_value = |key: &str| old.iter().find(|(k, _)| k == key).map(|(_, v)| v.to_lowercase());
    // A new search may name another city ("flat white berlin"): like a new
    // city, it looks where the venues are, not only in the old view.
    let moved_away = filter.city.as_deref().map(str::to_lowercase) != old_value(filter_keys::CITY)
        || filter.q.as_deref().map(str::to_lowercase) != old_value(filter_keys::Q);
    // Only the view and the position carry over; a new city or search drops the view.
    let carry: &[&str] = if moved_away {
        &[keys::NEAR]
    } else {
        &[keys::VIEW, keys::NEAR]
    };
    let kept = old.iter().filter(|(k, _)| carry.contains(&k.as_str()));
    go(join(filter.to_query(), kept, &[]), Swap::Results, true, s);
}

/// The person moved the map: the list follows (the city filter goes, as the
/// view is no longer the city's). Replaces the history entry: a pan is not a
/// step back.
pub fn moved(view: String, s: Signals) {
    let state = s.state.get_untracked();
    let old = query_pairs(&state);
    let kept = old
        .iter()
        .filter(|(k, _)| ![filter_keys::CITY, keys::VIEW, keys::PAGE].contains(&k.as_str()));
    if let Some(input) = document()
        .get_element_by_id("filter-city")
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    {
        input.set_value("");
    }
    go(
        join(String::new(), kept, &[(keys::VIEW, &view)]),
        Swap::Moved,
        false,
        s,
    );
}

/// "Near me": asks for the position only now, then shows the places around it.
pub fn near_me(s: Signals) {
    s.status.set("Finding where you are…".to_owned());
    where_am_i(
        NEAR_KM,
        move |near, view| {
            let state = s.state.get_untracked();
            let old = query_pairs(&state);
            let kept = old.iter().filter(|(k, _)| {
                ![filter_keys::CITY, keys::VIEW, keys::NEAR, keys::PAGE].contains(&k.as_str())
            });
            s.status
                .set("Showing the places nearest to you first.".to_owned());
            go(
                join(String::new(), kept, &[(keys::NEAR, &near), (keys::VIEW, &view)]),
                Swap::Results,
                true,
                s,
            );
        },
        move |reason| {
            let text = match reason.as_str() {
                "denied" => {
                    "You did not share your position, so the map stays where it is. Type a city instead."
                }
                "unsupported" => "This browser cannot tell us where you are. Type a city instead.",
                _ => "We could not find your position just now. Try again, or type a city.",
            };
            s.status.set(text.to_owned());
        },
    );
}

/// The page URL of `first` (an encoded query), the `kept` pairs and `added`
/// ones (numbers and commas, as map.js wrote them).
fn join<'a>(
    first: String,
    kept: impl Iterator<Item = &'a (String, String)>,
    added: &[(&str, &str)],
) -> String {
    let mut parts = vec![first];
    // Commas stay readable, as the server writes them.
    parts.extend(kept.map(|(k, v)| format!("{}={}", encode(k), encode(v).replace("%2C", ","))));
    parts.extend(added.iter().map(|(k, v)| format!("{k}={v}")));
    parts.retain(|p| !p.is_empty());
    if parts.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{}", parts.join("&"))
    }
}

/// "Show more": the next page's cards are appended, the URL stays.
pub fn clicked(ev: &leptos::ev::MouseEvent) {
    let Some(link) = ev
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("a[data-more]").ok().flatten())
    else {
        return;
    };
    let Some(href) = link.get_attribute("href") else {
        return;
    };
    ev.prevent_default();
    leptos::task::spawn_local(async move {
        let appended = match fetch_page(&href).await {
            Ok(doc) => append(&doc),
            Err(_) => None,
        };
        if appended.is_none() {
            let _ = window().location().assign(&href);
        }
    });
}

/// Back and forward: show the page of the URL, form included.
pub fn on_history(s: Signals) {
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        let url = window().location().href().unwrap_or_else(|_| "/".to_owned());
        load(url, Swap::WithForm, s);
    });
    // The island lives as long as the page does.
    std::mem::forget(handle);
}

fn go(url: String, how: Swap, push: bool, s: Signals) {
    if let Ok(history) = window().history() {
        let _ = if push {
            history.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
    load(url, how, s);
}

fn load(url: String, how: Swap, s: Signals) {
    let seq = LATEST.fetch_add(1, Ordering::Relaxed) + 1;
    leptos::task::spawn_local(async move {
        let page = fetch_page(&url).await;
        if LATEST.load(Ordering::Relaxed) != seq {
            return;
        }
        let swapped = page.ok().and_then(|doc| swap(&doc, how, s));
        if swapped.is_none() {
            let _ = window().location().assign(&url);
        }
    });
}

async fn fetch_page(url: &str) -> Result<Document, JsValue> {
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str(url)).await?.dyn_into()?;
    if !response.ok() {
        return Err(JsValue::from_str("the page did not load"));
    }
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    web_sys::DomParser::new()?.parse_from_string(&text, web_sys::SupportedType::TextHtml)
}

fn find(doc: &Document, selector: &str) -> Option<Element> {
    doc.query_selector(selector).ok().flatten()
}

/// Puts the new page's results (and form) in place; `None` if it has none.
fn swap(doc: &Document, how: Swap, s: Signals) -> Option<()> {
    let here = document();
    let island = find(doc, r#"leptos-island[data-component^="Directory_"]"#)?;
    let state: Swapped = serde_json::from_str(&island.get_attribute("data-props")?).ok()?;
    let results = find(doc, "[data-results]")?;
    if how == Swap::WithForm {
        find(&here, "form.filters")?.set_outer_html(&find(doc, "form.filters")?.outer_html());
    } else if let (Some(new), Some(old)) = (find(doc, "#filter-city"), find(&here, "#filter-city")) {
        // The place as the server resolved it ("paris" → "Paris").
        if let Ok(old) = old.dyn_into::<HtmlInputElement>() {
            old.set_value(&new.get_attribute("value").unwrap_or_default());
        }
    }
    find(&here, "[data-results]")?.set_inner_html(&results.inner_html());
    s.state.set(state.state);
    if how != Swap::Moved {
        s.points.set(state.markers);
        s.frame.set(state.view);
    }
    Some(())
}

/// Appends the next page's cards and puts its "Show more" in place of ours.
fn append(doc: &Document) -> Option<()> {
    let here = document();
    let list = find(&here, "[data-results] .venue-list")?;
    let more = find(&here, "[data-results] p.more")?;
    let cards = find(doc, "[data-results] .venue-list")?;
    list.insert_adjacent_html("beforeend", &cards.inner_html()).ok()?;
    match find(doc, "[data-results] p.more") {
        Some(next) => more.set_outer_html(&next.outer_html()),
        None => more.remove(),
    }
    Some(())
}

/// The filter the form's fields describe.
fn form_filter(form: &HtmlFormElement) -> Option<VenueFilter> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    let mut pairs = Vec::new();
    for entry in js_sys::try_iter(&params).ok()??.flatten() {
        let entry: js_sys::Array = entry.unchecked_into();
        pairs.push((entry.get(0).as_string()?, entry.get(1).as_string()?));
    }
    Some(VenueFilter::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ))
}
