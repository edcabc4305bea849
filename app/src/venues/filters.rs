//! The filter form. A plain GET form, so it works before hydration; afterwards the
//! router turns submits into client-side navigation and selects submit on change.

use leptos::prelude::*;
use leptos_router::components::Form;
use paws_inside::Category;
use paws_inside::VenueFilter;
use paws_inside::filter::keys;

/// Search box, city and category selects, and policy checkboxes.
#[component]
pub fn FilterBar(
    filter: Memo<VenueFilter>,
    cities: Resource<Result<Vec<String>, ServerFnError>>,
) -> impl IntoView {
    let q = move || filter.with(|f| f.q.clone().unwrap_or_default());
    let flag = move |pick: fn(&VenueFilter) -> bool| move || filter.with(pick);

    view! {
        <Form method="get" action="/" attr:class="filters" attr:role="search" on:change=submit_on_change>
            <div class="field field-search">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" type="search" name=keys::Q placeholder="Name or street"
                    maxlength="100" value=q prop:value=q />
            </div>
            <div class="field">
                <label for="filter-city">"City"</label>
                <select id="filter-city" name=keys::CITY>
                    <option value="">"Any city"</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let list = cities.await.unwrap_or_default();
                            list.into_iter().map(|city| {
                                let value = city.clone();
                                let selected = move || filter.with(|f| f.city.as_deref() == Some(value.as_str()));
                                view! { <option value=city.clone() selected=selected.clone() prop:selected=selected>{city.clone()}</option> }
                            }).collect_view()
                        })}
                    </Transition>
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
                    <Flag name=keys::EVERYWHERE label="Everywhere inside" checked=Signal::derive(flag(|f| f.everywhere)) />
                    <Flag name=keys::LARGE_DOGS label="Big dogs welcome" checked=Signal::derive(flag(|f| f.large_dogs)) />
                    <Flag name=keys::WATER label="Water bowl" checked=Signal::derive(flag(|f| f.water)) />
                    <Flag name=keys::TREATS label="Treats" checked=Signal::derive(flag(|f| f.treats)) />
                </div>
            </fieldset>
            <div class="field field-actions">
                <button type="submit" class="button">"Show places"</button>
            </div>
        </Form>
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
