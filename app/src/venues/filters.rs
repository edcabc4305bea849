//! The filter form: a plain GET form, so a filter is a URL the server renders
//! (and the form works before hydration). Hydrated, it hands the filter to
//! `on_filter` instead of loading a page, and selects and checkboxes apply
//! themselves on change (text waits for Enter or the button).

use leptos::prelude::*;
use paws_inside::Category;
use paws_inside::VenueFilter;
use paws_inside::filter::keys;

/// Search box, city and category selects, and policy checkboxes.
/// `on_filter` gets `(filter, true)`: `true` asks for a history entry.
#[component]
pub fn FilterBar(
    filter: RwSignal<VenueFilter>,
    cities: Vec<String>,
    on_filter: Callback<(VenueFilter, bool)>,
) -> impl IntoView {
    let q = move || filter.with(|f| f.q.clone().unwrap_or_default());
    let flag = move |pick: fn(&VenueFilter) -> bool| Signal::derive(move || filter.with(pick));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(next) = client::submitted(&ev) {
            ev.prevent_default();
            on_filter.run((next, true));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, on_filter);
    };

    view! {
        <form method="get" action="/" class="filters" role="search" on:submit=on_submit on:change=submit_on_change>
            <div class="field field-search">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" type="search" name=keys::Q placeholder="Name or street"
                    maxlength="100" value=q prop:value=q />
            </div>
            <div class="field">
                <label for="filter-city">"City"</label>
                <select id="filter-city" name=keys::CITY>
                    <option value="">"Any city"</option>
                    {cities.into_iter().map(|city| {
                        let value = city.clone();
                        let selected = move || filter.with(|f| f.city.as_deref() == Some(value.as_str()));
                        view! { <option value=city.clone() selected=selected.clone() prop:selected=selected>{city.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-category">"Kind of place"</label>
                <select id="filter-category" name=keys::CATEGORY>
                    <option value="">"Any kind"</option>
                    {Category::ALL.iter().map(|c| {
                        let c = *c;
                        let selected = move || filter.with(|f| f.category == Some(c));
                        view! { <option value=c.as_str() selected=selected prop:selected=selected>{c.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <fieldset class="field field-flags">
                <legend>"Dog policy"</legend>
                <div class="flag-row">
                    <Flag name=keys::EVERYWHERE label="Everywhere inside" checked=flag(|f| f.everywhere) />
                    <Flag name=keys::LARGE_DOGS label="Big dogs welcome" checked=flag(|f| f.large_dogs) />
                    <Flag name=keys::WATER label="Water bowl" checked=flag(|f| f.water) />
                    <Flag name=keys::TREATS label="Treats" checked=flag(|f| f.treats) />
                </div>
            </fieldset>
            <div class="field field-actions">
                <button type="submit" class="button">"Show places"</button>
            </div>
        </form>
    }
}

/// One policy checkbox.
#[component]
fn Flag(name: &'static str, label: &'static str, checked: Signal<bool>) -> impl IntoView {
    let id = format!("filter-{name}");
    let label_for = id.clone();
    view! {
        <label class="check" for=label_for>
            <input type="checkbox" id=id name=name value="1" checked=checked prop:checked=checked />
            <span>{label}</span>
        </label>
    }
}

/// Submits the form when a select or checkbox changes (text waits for Enter).
fn submit_on_change(ev: leptos::ev::Event) {
    use leptos::wasm_bindgen::JsCast;
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    if target.get_attribute("type").as_deref() == Some("search") {
        return;
    }
    if let Some(form) = target
        .closest("form")
        .ok()
        .flatten()
        .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok())
    {
        let _ = form.request_submit();
    }
}

/// The filter in URL search parameters (the address bar's, or a form's fields).
#[cfg(feature = "hydrate")]
pub fn filter_from_params(params: &web_sys::UrlSearchParams) -> VenueFilter {
    use leptos::wasm_bindgen::JsCast;
    let mut pairs = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(params) {
        for entry in entries.flatten() {
            let entry: js_sys::Array = entry.unchecked_into();
            if let (Some(k), Some(v)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
                pairs.push((k, v));
            }
        }
    }
    VenueFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[cfg(feature = "hydrate")]
mod client {
    use leptos::wasm_bindgen::JsCast;
    use paws_inside::VenueFilter;

    /// The filter the submitted form describes.
    pub fn submitted(ev: &leptos::ev::SubmitEvent) -> Option<VenueFilter> {
        let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        Some(super::filter_from_params(&params))
    }
}
