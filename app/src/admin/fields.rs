//! The venue fields an admin edits, shared by suggestion review and venue edits.

use crate::venues::VenueMap;
use leptos::prelude::*;
use paws_inside::suggestions::fields;
use paws_inside::{Category, DogsInside, MapMarker, SizeLimit};

/// Current values of the fields.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct VenueValues {
    /// Name.
    pub name: String,
    /// Category key.
    pub category: String,
    /// Address.
    pub address: String,
    /// City.
    pub city: String,
    /// `yes` or `some_areas`.
    pub dogs_inside: String,
    /// Size-limit key.
    pub size_limit: String,
    /// Water bowl.
    pub water_bowl: bool,
    /// Treats.
    pub treats: bool,
    /// Notes.
    pub notes: String,
    /// Location, if known.
    pub location: Option<(f64, f64)>,
}

/// The form fields (inside the caller's form), with a map to place the venue.
#[component]
pub fn VenueFields(values: VenueValues) -> impl IntoView {
    let picked = RwSignal::new(values.location);
    let points = Signal::derive(move || {
        let here = picked.get().map(|(lat, lng)| MapMarker {
            slug: String::new(),
            name: "Here".into(),
            category: "other".into(),
            lat,
            lng,
            verdict: String::new(),
        });
        crate::venues::markers_json(here.as_slice())
    });
    let coord = move |i: usize| {
        move || {
            picked
                .get()
                .map(|p| format!("{:.6}", if i == 0 { p.0 } else { p.1 }))
                .unwrap_or_default()
        }
    };
    let field = |label: &'static str, name: &'static str, value: String, max: usize| {
        view! {
            <div class="field"><label>{label}<input name=name value=value maxlength=max required /></label></div>
        }
    };
    let select = |label: &'static str,
                  name: &'static str,
                  current: String,
                  options: Vec<(&'static str, &'static str)>| {
        view! {
            <div class="field"><label>{label}
                <select name=name>
                    {options.into_iter().map(|(k, l)| view! { <option value=k selected=current == k>{l}</option> }).collect_view()}
                </select>
            </label></div>
        }
    };
    view! {
        {field("Name", "name", values.name, fields::NAME.max)}
        {select("Kind", "category", values.category, Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect())}
        {field("Address", "address", values.address, fields::ADDRESS.max)}
        {field("City", "city", values.city, fields::CITY.max)}
        {select("Dogs inside", "dogs_inside", values.dogs_inside, DogsInside::ALL.iter().map(|d| (d.as_str(), d.label())).collect())}
        {select("Sizes", "size_limit", values.size_limit, SizeLimit::ALL.iter().map(|z| (z.as_str(), z.label())).collect())}
        <div class="flag-row field-wide">
            <label class="check"><input type="checkbox" name="water_bowl" value="1" checked=values.water_bowl /><span>"Water bowl"</span></label>
            <label class="check"><input type="checkbox" name="treats" value="1" checked=values.treats /><span>"Treats"</span></label>
        </div>
        <div class="field field-wide"><label>"Notes"<textarea name="notes" rows="2" maxlength=fields::NOTES.max>{values.notes}</textarea></label></div>
        <div class="field field-wide">
            <VenueMap points label="Location of the place (click to move)" compact=true on_pick=Callback::new(move |p| picked.set(Some(p))) />
            <p class="muted small">{move || picked.get().map(|(a, b)| format!("{a:.5}, {b:.5}")).unwrap_or_else(|| "No location yet: click the map.".into())}</p>
        </div>
        <input type="hidden" name="lat" value=coord(0) prop:value=coord(0) />
        <input type="hidden" name="lng" value=coord(1) prop:value=coord(1) />
    }
}

/// A venue's website, phone and opening hours as the edit form shows them.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DoorValues {
    /// Website, or empty.
    pub website: String,
    /// Phone number, or empty.
    pub phone: String,
    /// OpenStreetMap `opening_hours` text, or empty.
    pub opening_hours: String,
}

/// The venue's door fields (empty removes one); the server checks them.
#[component]
pub fn DoorFields(door: DoorValues) -> impl IntoView {
    use paws_inside::venues::door::{HOURS_MAX, PHONE_MAX};
    view! {
        <div class="field field-wide">
            <label for="venue-website">"Website (empty: none)"</label>
            <input id="venue-website" name="website" type="url" maxlength=paws_inside::moderation::fields::WEBSITE.max value=door.website />
        </div>
        <div class="field">
            <label for="venue-phone">"Phone (empty: none)"</label>
            <input id="venue-phone" name="phone" type="tel" autocomplete="off" maxlength=PHONE_MAX value=door.phone />
        </div>
        <div class="field field-wide">
            <label for="venue-hours">"Opening hours (empty: none)"</label>
            <input id="venue-hours" name="opening_hours" maxlength=HOURS_MAX value=door.opening_hours aria-describedby="venue-hours-help" />
            <p id="venue-hours-help" class="muted small">"In OpenStreetMap's opening_hours format, e.g. Mo-Fr 08:00-18:00; Sa 09:00-14:00; PH off"</p>
        </div>
    }
}
