//! Browser side of the directory: a filter change loads the filtered page's
//! HTML and swaps in its result list and map markers; history entries replay.
//! Whatever goes wrong on the way falls back to loading the page normally.

use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use paws_inside::VenueFilter;
use std::sync::atomic::{AtomicU64, Ordering};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element, HtmlFormElement};

/// Sequence number of the newest load: older answers are dropped.
static LATEST: AtomicU64 = AtomicU64::new(0);

/// What a swapped-in page says about its results (its `Directory` props).
#[derive(serde::Deserialize)]
struct Swapped {
    markers: String,
    box_query: String,
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

/// The filter form was submitted: load its URL in place.
pub fn submitted(ev: &leptos::ev::SubmitEvent, points: RwSignal<String>, filter: RwSignal<String>) {
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
        return;
    };
    if !form.class_list().contains("filters") {
        return;
    }
    // If the form cannot be read, the browser submits it as usual.
    let Some(next) = form_filter(&form) else { return };
    ev.prevent_default();
    let query = next.to_query();
    let url = if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    };
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    load(url, false, points, filter);
}

/// Back and forward: show the page of the URL, form included.
pub fn on_history(points: RwSignal<String>, filter: RwSignal<String>) {
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        let url = window().location().href().unwrap_or_else(|_| "/".to_owned());
        load(url, true, points, filter);
    });
    // The island lives as long as the page does.
    std::mem::forget(handle);
}

fn load(url: String, with_form: bool, points: RwSignal<String>, filter: RwSignal<String>) {
    let seq = LATEST.fetch_add(1, Ordering::Relaxed) + 1;
    leptos::task::spawn_local(async move {
        let page = fetch_page(&url).await;
        if LATEST.load(Ordering::Relaxed) != seq {
            return;
        }
        let swapped = page.ok().and_then(|doc| swap(&doc, with_form, points, filter));
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

/// Puts the new page's results (and form) in place; `None` if it has none.
fn swap(doc: &Document, with_form: bool, points: RwSignal<String>, filter: RwSignal<String>) -> Option<()> {
    let find = |doc: &Document, selector: &str| doc.query_selector(selector).ok().flatten();
    let here = document();
    let island = find(doc, r#"leptos-island[data-component^="Directory_"]"#)?;
    let state: Swapped = serde_json::from_str(&island.get_attribute("data-props")?).ok()?;
    let results = find(doc, "[data-results]")?;
    if with_form {
        find(&here, "form.filters")?.set_outer_html(&find(doc, "form.filters")?.outer_html());
    }
    find(&here, "[data-results]")?.set_inner_html(&results.inner_html());
    filter.set(state.box_query);
    points.set(state.markers);
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
