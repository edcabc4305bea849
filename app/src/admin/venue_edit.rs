//! `/admin/venue?slug=…`: an admin edits a listed place (404 for everyone else).

use super::api::{AdminUpdateVenue, admin_venue};
use super::fields::{DoorFields, DoorValues, VenueFields, VenueValues};
use crate::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The edit page.
#[component]
pub fn VenueEditPage() -> impl IntoView {
    let query = use_query_map();
    let slug = move || query.with(|q| q.get("slug").unwrap_or_default());
    let venue = Resource::new(slug, admin_venue);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let Ok(Some(detail)) = venue.await else {
                    return view! { <NotFound /> }.into_any();
                };
                let v = detail.summary;
                let values = VenueValues {
                    name: v.name.clone(),
                    category: v.category,
                    address: v.address,
                    city: v.city,
                    dogs_inside: v.dogs_inside,
                    size_limit: v.size_limit,
                    water_bowl: v.water_bowl,
                    treats: v.treats,
                    notes: detail.policy_notes,
                    location: Some((v.lat, v.lng)),
                };
                view! {
                    <Title text=format!("Edit {}", v.name) />
                    <h1>{format!("Edit {}", v.name)}</h1>
                    <p class="muted small">{format!("Last updated {}", detail.updated_on)}</p>
                    <VenueEditForm slug=v.slug values door=DoorValues {
                        website: detail.website.unwrap_or_default(),
                        phone: detail.phone.unwrap_or_default(),
                        opening_hours: detail.opening_hours.unwrap_or_default(),
                    } />
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// The venue's fields; success lands on the venue page.
#[island(lazy)]
fn VenueEditForm(slug: String, values: VenueValues, door: DoorValues) -> impl IntoView {
    crate::preload::island("venue_edit_form");
    let save = ServerAction::<AdminUpdateVenue>::new();
    view! {
        <ActionForm action=save attr:class="form-card form-grid">
            <input type="hidden" name="slug" value=slug />
            <VenueFields values />
            <DoorFields door />
            {crate::error::action_error(save.value())}
            <div class="field-wide"><button type="submit" class="button">"Save venue"</button></div>
        </ActionForm>
    }
}
