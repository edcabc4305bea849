//! `/venues/{slug}`: one venue with its full dog policy and a small map.

use super::api::get_venue;
use super::card::PolicyChips;
use super::map::VenueMap;
use crate::NotFound;
use crate::error::user_message;
use crate::layout::PawIcon;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use paws_inside::{MapMarker, VenueDetail};

/// The venue page. Rendered fully on the server (async SSR mode) so it reads
/// without JavaScript and an unknown slug answers with a real 404.
#[component]
pub fn VenuePage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()));
    let venue = Resource::new(move || slug.get(), get_venue);

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Fetching the details…"</p> }>
            {move || Suspend::new(async move {
                match venue.await {
                    Ok(Some(detail)) => view! { <VenueDetails detail /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(err) => view! {
                        <Title text="Something went wrong" />
                        <p class="error" role="alert">{user_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn VenueDetails(detail: VenueDetail) -> impl IntoView {
    let v = detail.summary.clone();
    let category = v.category();
    let marker = vec![MapMarker::from(&v)];
    let address = format!("{}, {}", v.address, v.city);
    let city_link = city_href(&v.city);
    let city = v.city.clone();
    let description = format!(
        "{} in {} — dog policy, address and photos of dogs who have been there.",
        v.name, v.city
    );
    view! {
        <Title text=v.name.clone() />
        <Meta name="description" content=description />
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <A href="/">"All places"</A>
            <span aria-hidden="true">" / "</span>
            <A href=city_link>{city}</A>
        </nav>
        <article class="venue">
            <header class="venue-header">
                <span class=format!("badge badge-{}", category.as_str())>{category.label()}</span>
                <h1>{v.name.clone()}</h1>
                <p class="venue-address">{address}</p>
            </header>
            <div class="venue-body">
                <section class="venue-policy" aria-labelledby="policy-heading">
                    <h2 id="policy-heading">"Dog policy"</h2>
                    <PolicyChips venue=v.clone() />
                    <dl class="facts">
                        <dt>"Inside"</dt>
                        <dd>{paws_inside::DogsInside::parse(&v.dogs_inside).map(|d| d.label()).unwrap_or("Ask the staff")}</dd>
                        <dt>"Dog size"</dt>
                        <dd>{v.size_limit().label()}</dd>
                        <dt>"Water bowl"</dt>
                        <dd>{if v.water_bowl { "Yes" } else { "Not that we know of" }}</dd>
                        <dt>"Treats"</dt>
                        <dd>{if v.treats { "Yes" } else { "Not that we know of" }}</dd>
                    </dl>
                    {(!detail.policy_notes.is_empty()).then(|| view! { <p class="policy-notes">{detail.policy_notes.clone()}</p> })}
                    {detail.website.clone().map(|url| view! {
                        <p><a href=url.clone() rel="noopener nofollow" target="_blank">"Visit the website"<span class="visually-hidden">" (opens in a new tab)"</span></a></p>
                    })}
                    <p class="muted small">{format!("Listed {} · updated {}", detail.created_on, detail.updated_on)}</p>
                </section>
                <aside class="venue-map" aria-label="Location">
                    <VenueMap points=Signal::stored(marker) label=format!("Map showing {}", v.name) compact=true />
                </aside>
            </div>
            <section class="venue-dogs" aria-labelledby="dogs-heading">
                <h2 id="dogs-heading">"Dogs seen here"</h2>
                <div class="empty-state small">
                    <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                    <p>"No photos yet. Been here with your dog? Photos are coming soon."</p>
                </div>
            </section>
        </article>
    }
}

/// The home page filtered to one city.
fn city_href(city: &str) -> String {
    let filter = paws_inside::VenueFilter {
        city: Some(city.to_owned()),
        ..Default::default()
    };
    format!("/?{}", filter.to_query())
}
