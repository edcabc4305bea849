//! The "Suggest a place" form. Nothing is chosen for the person: kind, dog
//! policy and sizes start empty and must be picked. The map picker has zoom
//! buttons and moves to the typed city and street (their extent among our
//! own venues: no outside geocoder). A place that looks listed already is
//! answered with "Is it this place?", its link, and "It is a different place".

use super::SuggestVenue;
use crate::auth::MintKeyField;
use crate::error::user_message;
use crate::venues::VenueMap;
use leptos::prelude::*;
use paws_inside::suggestions::{IS_IT_THIS_PLACE, Listed, fields};
use paws_inside::{Category, DogsInside, SizeLimit};

#[cfg(feature = "ssr")]
use crate::error::{ctx, pool, unexpected};

/// The map's first view before a city is typed: most of Europe.
const START_VIEW: &str = "[36,-10,60,30]";

/// The listed places a suggestion of this name, address, city and point may
/// repeat (none for text the form would not take).
#[server(prefix = "/api", endpoint = "suggestions/look-alikes")]
pub async fn look_alikes(
    #[server(default)] name: String,
    #[server(default)] address: String,
    #[server(default)] city: String,
    #[server(default)] lat: String,
    #[server(default)] lng: String,
) -> Result<Vec<Listed>, ServerFnError> {
    let form = paws_inside::SuggestionForm {
        name,
        address,
        city,
        lat,
        lng,
        ..Default::default()
    };
    paws_inside::suggestions::flows::look_alikes(&ctx()?, &form)
        .await
        .map_err(unexpected)
}

/// Where a typed city (and street) is, as the map's view JSON
/// `[south, west, north, east]`; `None` for a place we have no venues in.
#[server(prefix = "/api", endpoint = "venues/area")]
pub async fn area(
    #[server(default)] city: String,
    #[server(default)] street: String,
) -> Result<Option<String>, ServerFnError> {
    // Read as the directory's place field reads them: optional, one line.
    use paws_inside::venues::filter::CITY as LINE;
    let (Ok(Some(city)), Ok(street)) = (LINE.read_optional(&city), LINE.read_optional(&street)) else {
        return Ok(None);
    };
    let street = street.as_ref().map_or("", |s| s.as_str());
    let found = paws_inside::venues::flows::area(&pool()?, city.as_str(), street)
        .await
        .map_err(unexpected)?;
    Ok(found.map(|v| format!("[{},{},{},{}]", v.south, v.west, v.north, v.east)))
}

/// The form with its map picker; success lands on `/suggestions?sent=1`.
#[island(lazy)]
pub(super) fn SuggestForm() -> impl IntoView {
    crate::preload::island("suggest_form");
    let action = ServerAction::<SuggestVenue>::new();
    let picked = RwSignal::new(None::<(f64, f64)>);
    let frame = RwSignal::new(START_VIEW.to_owned());
    let listed = RwSignal::new(Vec::<Listed>::new());
    let form = NodeRef::<leptos::html::Form>::new();
    let coord = move |i: usize| {
        move || {
            picked
                .get()
                .map(|p| format!("{:.6}", if i == 0 { p.0 } else { p.1 }))
                .unwrap_or_default()
        }
    };
    let asked = move || {
        action
            .value()
            .with(|v| matches!(v, Some(Err(e)) if user_message(e).starts_with(IS_IT_THIS_PLACE)))
    };
    // A look-alike was named: fetch the listed places to link to.
    Effect::new(move |_| {
        if asked() {
            let values = form_values(form, &["name", "address", "city", "lat", "lng"]);
            leptos::task::spawn_local(async move {
                let [name, address, city, lat, lng] = values;
                if let Ok(found) = look_alikes(name, address, city, lat, lng).await {
                    listed.set(found);
                }
            });
        }
    });
    // A typed city or street moves the picker there.
    let on_change = move |ev: leptos::ev::Event| {
        let id = event_target::<web_sys::Element>(&ev).id();
        if id == "s-city" || id == "s-address" {
            let [city, street] = form_values(form, &["city", "address"]);
            leptos::task::spawn_local(async move {
                if let Ok(Some(view)) = area(city, street).await {
                    frame.set(view);
                }
            });
        }
    };
    view! {
        <ActionForm action node_ref=form attr:class="form-card form-grid" on:change=on_change>
            <div class="field"><label for="s-name">"Name of the place"</label><input id="s-name" name="name" required maxlength=fields::NAME.max /></div>
            <Choice id="s-category" name="category" label="Kind of place" options=Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect() />
            <div class="field"><label for="s-address">"Street address"</label><input id="s-address" name="address" required maxlength=fields::ADDRESS.max /></div>
            <div class="field"><label for="s-city">"City"</label><input id="s-city" name="city" required maxlength=fields::CITY.max /></div>
            <Choice id="s-inside" name="dogs_inside" label="Where can dogs go inside?" options=DogsInside::ALL.iter().map(|d| (d.as_str(), d.label())).collect() />
            <Choice id="s-size" name="size_limit" label="Which sizes?" options=SizeLimit::ALL.iter().map(|s| (s.as_str(), s.label())).collect() />
            <fieldset class="field field-wide">
                <legend>"Extras"</legend>
                <div class="flag-row">
                    <label class="check" for="s-water"><input type="checkbox" id="s-water" name="water_bowl" value="1" /><span>"Water bowl"</span></label>
                    <label class="check" for="s-treats"><input type="checkbox" id="s-treats" name="treats" value="1" /><span>"Treats"</span></label>
                </div>
            </fieldset>
            <div class="field field-wide"><label for="s-notes">"Anything else? " <span class="muted">"(optional)"</span></label><textarea id="s-notes" name="notes" rows="3" maxlength=fields::NOTES.max></textarea></div>
            <div class="field field-wide">
                <span class="label">"Location " <span class="muted">"(optional: type the street and city, then click the place on the map)"</span></span>
                <VenueMap points=Signal::stored("[]".to_owned()) view=frame label="Pick the place on the map" compact=true on_pick=Callback::new(move |p| picked.set(Some(p))) />
                <p class="muted small" aria-live="polite">{move || picked.get().map(|(lat, lng)| format!("Picked {lat:.5}, {lng:.5}"))}</p>
            </div>
            <input type="hidden" name="lat" value=coord(0) prop:value=coord(0) />
            <input type="hidden" name="lng" value=coord(1) prop:value=coord(1) />
            <MintKeyField />
            <crate::bot::BotFields />
            {crate::error::action_error(action.value())}
            {move || asked().then(|| view! {
                <div class="field-wide look-alikes" data-look-alikes="">
                    <ul>
                        {move || listed.get().into_iter().map(|l| view! {
                            <li><a href=format!("/venues/{}", l.slug)>{l.name}</a>{format!(" — {}, {}", l.address, l.city)}</li>
                        }).collect_view()}
                    </ul>
                    <label class="check" for="s-different">
                        <input type="checkbox" id="s-different" name="different_place" value="1" />
                        <span>"It is a different place"</span>
                    </label>
                </div>
            })}
            // Without JavaScript the question above cannot appear: the box is always there.
            <noscript>
                <label class="check field-wide">
                    <input type="checkbox" name="different_place" value="1" />
                    <span>"If we asked “Is it this place?”: it is a different place"</span>
                </label>
            </noscript>
            <div class="field-wide"><button type="submit" class="button">"Send suggestion"</button></div>
        </ActionForm>
    }
}

/// The values of the form's fields `names`, in order ("" where missing or
/// before hydration).
#[cfg_attr(not(feature = "hydrate"), allow(unused_mut, unused_variables))]
fn form_values<const N: usize>(form: NodeRef<leptos::html::Form>, names: &[&str; N]) -> [String; N] {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    #[cfg(feature = "hydrate")]
    if let Some(data) = form
        .get_untracked()
        .and_then(|f| web_sys::FormData::new_with_form(&f).ok())
    {
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = data.get(name).as_string().unwrap_or_default();
        }
    }
    out
}

/// A required select that starts on "Choose…": nothing is picked for the person.
#[component]
fn Choice(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name required>
                <option value="" selected>"Choose…"</option>
                {options.into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
            </select>
        </div>
    }
}
