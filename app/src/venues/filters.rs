//! The filter form: a plain GET form, so a filter is a URL the server renders
//! and the form works before hydration. Rendered by the server only; the
//! directory island (`home.rs`) handles its events once the page is hydrated.

use leptos::prelude::*;
use paws_inside::Category;
use paws_inside::VenueFilter;
use paws_inside::venues::filter::{MAX_QUERY_CHARS, keys};

/// Search box, place field (suggesting the `places` with the most venues;
/// the server matches any place it has, in any case), category select and
/// policy checkboxes, showing `filter`.
#[component]
pub fn FilterBar(filter: VenueFilter, places: Vec<String>) -> impl IntoView {
    let q = filter.q.clone().unwrap_or_default();
    view! {
        <form method="get" action="/" class="filters" role="search">
            <div class="field field-search">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" type="search" name=keys::Q placeholder="Name or street"
                    maxlength=MAX_QUERY_CHARS value=q />
            </div>
            <div class="field">
                <label for="filter-city">"City"</label>
                <input id="filter-city" type="text" name=keys::CITY list="filter-places" maxlength=MAX_QUERY_CHARS
                    autocomplete="off" placeholder="Any city" value=filter.city.clone().unwrap_or_default() />
                <datalist id="filter-places">
                    {places.into_iter().map(|place| view! { <option value=place></option> }).collect_view()}
                </datalist>
            </div>
            <div class="field">
                <label for="filter-category">"Kind of place"</label>
                <select id="filter-category" name=keys::CATEGORY>
                    <option value="">"Any kind"</option>
                    {Category::ALL.iter().map(|c| {
                        view! { <option value=c.as_str() selected=filter.category == Some(*c)>{c.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <fieldset class="field field-flags">
                <legend>"Dog policy"</legend>
                <div class="flag-row">
                    <Flag name=keys::EVERYWHERE label="Everywhere inside" checked=filter.everywhere />
                    <Flag name=keys::LARGE_DOGS label="Big dogs welcome" checked=filter.large_dogs />
                    <Flag name=keys::WATER label="Water bowl" checked=filter.water />
                    <Flag name=keys::TREATS label="Treats" checked=filter.treats />
                    <Flag name=keys::CONFIRMED label="Confirmed in the last year" checked=filter.confirmed />
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
fn Flag(name: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    let id = format!("filter-{name}");
    let label_for = id.clone();
    view! {
        <label class="check" for=label_for>
            <input type="checkbox" id=id name=name value="1" checked=checked />
            <span>{label}</span>
        </label>
    }
}
