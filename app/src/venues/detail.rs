//! `/venues/{slug}`: one venue with its full dog policy and a small map.

use super::api::get_venue;
use super::card::PolicyChips;
use super::checks::{DogCheck, venue_checks};
use super::door::AtTheDoor;
use super::map::{PlaceMap, markers_json};
use crate::NotFound;
use crate::dogs::dog_choices;
use crate::error::user_message;
use crate::layout::PawIcon;
use crate::photos::{DeleteOwnPhoto, ReportPhoto, UploadErrorFromQuery, UploadForm, venue_photos};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use paws_inside::photos::VenuePhoto;
use paws_inside::{MapMarker, Photo, VenueDetail};

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
    let marker = MapMarker::from(&v);
    let address = format!("{}, {}", v.address, v.city);
    let city_link = city_href(&v.city);
    let city = v.city.clone();
    // One read of the answers for the verdict block at the top and the
    // question further down.
    let key = v.slug.clone();
    let checks = Resource::new(move || key.clone(), venue_checks);
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
                <crate::saved::SaveButton slug=v.slug.clone() name=v.name.clone() />
            </header>
            <Verdict standing=v.standing.clone() checks />
            <AtTheDoor detail=detail.clone() />
            <div class="venue-body">
                <section class="venue-policy" aria-labelledby="policy-heading">
                    <h2 id="policy-heading">"Dog policy"</h2>
                    <PolicyChips venue=v.clone() />
                    <dl class="facts">
                        <super::policy::PolicyFacts detail=detail.clone() />
                        <dt>"Water bowl"</dt>
                        <dd>{if v.water_bowl { "Yes" } else { "Not that we know of" }}</dd>
                        <dt>"Treats"</dt>
                        <dd>{if v.treats { "Yes" } else { "Not that we know of" }}</dd>
                    </dl>
                    {(!detail.policy_notes.is_empty()).then(|| view! { <p class="policy-notes">{detail.policy_notes.clone()}</p> })}
                    {v.unconfirmed.then(|| view! { <FromOsm dog=detail.osm_dog.clone() /> })}
                    <p class="muted small">{format!("Listed {} · updated {}", detail.created_on, detail.updated_on)}</p>
                    {detail.suggested_by.clone().map(|who| view! { <p class="muted small" data-testid="suggested-by">{format!("Suggested by {who}")}</p> })}
                    {detail.osm.clone().map(|element| view! { <OsmAttribution element /> })}
                    <PolicyCheck slug=v.slug.clone() checks />
                    <super::policy::SuggestChange detail=detail.clone() />
                </section>
                <aside class="venue-map" aria-label="Location">
                    <PlaceMap markers=markers_json(&[marker]) label=format!("Map showing {}", v.name) />
                </aside>
            </div>
            <DogsSeenHere slug=v.slug.clone() venue_name=v.name.clone() />
        </article>
    }
}

/// Why an imported venue's policy is "not yet confirmed".
#[component]
fn FromOsm(dog: Option<String>) -> impl IntoView {
    let says = paws_inside::venues::osm_says(dog.as_deref());
    let withdrawn = paws_inside::venues::OSM_WITHDRAWN
        .iter()
        .any(|(v, _)| Some(*v) == dog.as_deref());
    let text = if withdrawn {
        format!(
            "OpenStreetMap's mappers now say {says}. An admin will look at this listing; ask before you go in."
        )
    } else {
        format!(
            "Its mappers say {says}, not whether dogs may come inside. Were you here with your dog? Tell us below."
        )
    };
    view! {
        <p class="policy-notes" data-testid="from-osm">
            <strong>"From OpenStreetMap, not yet confirmed. "</strong>
            {text}
        </p>
    }
}

/// The ODbL attribution and a link to the element the listing came from.
#[component]
fn OsmAttribution(element: String) -> impl IntoView {
    view! {
        <p class="muted small" data-testid="osm-attribution">
            "Listing data from "
            <a href=format!("https://www.openstreetmap.org/{element}") rel="noopener nofollow">"OpenStreetMap"</a>
            " · © OpenStreetMap contributors, "
            <a href="https://www.openstreetmap.org/copyright" rel="noopener nofollow">"ODbL"</a>
        </p>
    }
}

/// The venue's verdict with the latest answers, at the top of the page (on
/// a phone, above the fold).
#[component]
fn Verdict(standing: paws_inside::venues::verdict::Standing, checks: Resource<ChecksRead>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let standing = standing.clone();
                Suspend::new(async move {
                    let recent = checks.await.ok().flatten().map(|c| c.recent).unwrap_or_default();
                    view! { <super::verdict::VerdictBlock standing recent /> }
                })
            }}
        </Suspense>
    }
}

/// What the venue's answers read as (`None`: no such venue).
type ChecksRead = Result<Option<paws_inside::venues::Checks>, ServerFnError>;

/// What dog owners said lately, and the question; nothing if it cannot be read.
#[component]
fn PolicyCheck(slug: String, checks: Resource<ChecksRead>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    checks.await.ok().flatten().map(|checks| view! { <DogCheck slug checks /> })
                })
            }}
        </Suspense>
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

/// Photos of dogs taken at the venue, and the form to add one.
#[component]
fn DogsSeenHere(slug: String, venue_name: String) -> impl IntoView {
    let key = slug.clone();
    let photos = Resource::new(move || key.clone(), venue_photos);
    let dogs = Resource::new(|| (), |_| dog_choices());
    view! {
        <section class="venue-dogs" aria-labelledby="dogs-heading">
            <h2 id="dogs-heading">"Dogs seen here"</h2>
            <UploadErrorFromQuery />
            <Suspense fallback=|| ()>
                {move || {
                    let (slug, venue_name) = (slug.clone(), venue_name.clone());
                    Suspend::new(async move {
                        let list = photos.await.unwrap_or_default();
                        let choices: Vec<(String, String)> = dogs
                            .await
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(id, name)| (id.to_string(), name))
                            .collect();
                        view! { <VenuePhotos slug venue_name list choices /> }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The venue's photo grid (each with "Report") and the upload form; a new
/// upload appears in the grid without leaving the page.
#[island(lazy)]
fn VenuePhotos(
    slug: String,
    venue_name: String,
    list: Vec<VenuePhoto>,
    choices: Vec<(String, String)>,
) -> impl IntoView {
    crate::preload::island("venue_photos");
    let shown = RwSignal::new(list);
    let on_uploaded = Callback::new(move |photo: Photo| {
        shown.update(|l| {
            l.insert(
                0,
                VenuePhoto {
                    photo,
                    dog_name: None,
                    mine: true,
                },
            )
        })
    });
    let return_to = format!("/venues/{slug}");
    // Your own photo offers "Delete" in place of "Report" (see `DeleteOwnPhoto`).
    let on_deleted = Callback::new(move |id: uuid::Uuid| shown.update(|l| l.retain(|vp| vp.photo.id != id)));
    view! {
        {move || shown.with(|l| l.is_empty()).then(|| view! {
            <div class="empty-state small">
                <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                <p>"No photos yet. Be the first to show your dog here!"</p>
            </div>
        })}
        <ul class="photo-grid">
            {move || shown.get().into_iter().map(|vp| {
                let alt = vp.dog_name.clone().map(|n| format!("{n} at the venue")).unwrap_or_else(|| "A dog at the venue".into());
                view! {
                    <li>
                        <a href=vp.photo.display_url()><img src=vp.photo.thumb_url() alt=alt loading="lazy" width="200" height="200" /></a>
                        {vp.dog_name.map(|n| view! { <span class="photo-caption">{n}</span> })}
                        {if vp.mine {
                            view! { <DeleteOwnPhoto photo=vp.photo.id on_deleted /> }.into_any()
                        } else {
                            view! { <ReportPhoto photo=vp.photo.id /> }.into_any()
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
        <UploadForm venue=slug dog_choices=choices return_to on_uploaded label=format!("Been to {venue_name} with your dog? Add a photo") />
    }
}
