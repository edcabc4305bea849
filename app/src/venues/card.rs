//! A venue in the result list, and the policy chips shared with the venue page.

use leptos::prelude::*;
use paws_inside::venues::DogsWhere;
use paws_inside::{DogsInside, VenueSummary};

/// One result: name, category, address, how far away (after "Near me") and
/// the dog policy at a glance.
#[component]
pub fn VenueCard(venue: VenueSummary, distance: Option<String>) -> impl IntoView {
    let href = format!("/venues/{}", venue.slug);
    let category = venue.category();
    let name = venue.name.clone();
    let (slug, save_name) = (venue.slug.clone(), venue.name.clone());
    let address = format!("{}, {}", venue.address, venue.city);
    view! {
        <article class="venue-card">
            <div class="venue-card-head">
                // A plain link: the list renders dozens of these (an <A> resolves
                // its href through the router per card).
                <h3><a href=href>{name}</a></h3>
                <span class=format!("badge badge-{}", category.as_str())>{category.label()}</span>
            </div>
            <p class="venue-address">
                {address}
                {distance.map(|d| view! { <span class="venue-distance" data-distance="">{d}</span> })}
            </p>
            <super::verdict::VerdictLine standing=venue.standing.clone() />
            <PolicyChips venue />
            <crate::saved::SaveButton slug name=save_name />
        </article>
    }
}

/// The dog policy as short labelled chips.
#[component]
pub fn PolicyChips(venue: VenueSummary) -> impl IntoView {
    let place = DogsWhere::parse(&venue.dogs_inside);
    let (inside, inside_title) = if let Some(p @ (DogsWhere::OutsideOnly | DogsWhere::NotAllowed)) = place {
        (
            if p == DogsWhere::NotAllowed {
                "Not allowed"
            } else {
                "Outside only"
            },
            p.label(),
        )
    } else if venue.unconfirmed {
        (
            "Inside not confirmed",
            "From OpenStreetMap: dogs allowed, inside not yet confirmed",
        )
    } else {
        let title = DogsInside::parse(&venue.dogs_inside)
            .map(|d| d.label())
            .unwrap_or_default();
        (
            if venue.dogs_everywhere() {
                "Everywhere inside"
            } else {
                "Some areas inside"
            },
            title,
        )
    };
    view! {
        <ul class="chips" aria-label="Dog policy">
            <li class="chip chip-strong" title=inside_title>{inside}</li>
            <li class="chip">{venue.size_limit().label()}</li>
            {venue.water_bowl.then(|| view! { <li class="chip">"Water bowl"</li> })}
            {venue.treats.then(|| view! { <li class="chip">"Treats"</li> })}
        </ul>
    }
}
