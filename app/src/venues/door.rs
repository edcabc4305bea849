//! The venue page's "At the door": opening hours ("Open now · closes 18:00"
//! and the week), directions, phone and website.
//!
//! The page comes from the shared page cache, so "open now" must not be the
//! server's moment frozen: the server renders the line for its time plus the
//! lines that follow it for a week, each with the instant it starts, and
//! `public/hours.js` (a few lines, no WASM) shows the one for the reader's
//! clock, every 30 s. Without JavaScript the server's line shows, at most
//! `PAGE_CACHE_SECONDS` old; the week table does not depend on the minute.

use leptos::prelude::*;
use paws_inside::VenueDetail;
use paws_inside::venues::door::{self, Hours, ReadHours};

/// The section, or nothing when the venue has none of it but a position
/// (directions are always there).
#[component]
pub fn AtTheDoor(detail: VenueDetail) -> impl IntoView {
    let (lat, lng) = (detail.summary.lat, detail.summary.lng);
    let website = detail
        .website
        .clone()
        .and_then(|url| door::website_host(&url).map(|host| (url, host)));
    view! {
        <section class="venue-door" aria-labelledby="door-heading" data-testid="at-the-door">
            <h2 id="door-heading">"At the door"</h2>
            {detail.hours.clone().map(|hours| view! { <OpeningHours hours /> })}
            <ul class="door-links">
                <li><a href=door::geo_href(lat, lng)>"Open in your maps app"</a></li>
                <li>
                    <a href=door::directions_href(lat, lng) rel="noopener nofollow" target="_blank">
                        "Directions on OpenStreetMap"<span class="visually-hidden">" (opens in a new tab)"</span>
                    </a>
                </li>
                {detail.phone.clone().map(|phone| (door::tel_href(&phone), phone)).map(|(tel, phone)| view! {
                    <li><a href=tel><span class="visually-hidden">"Call "</span>{phone}</a></li>
                })}
                {website.map(|(url, host)| view! {
                    <li>
                        <a href=url rel="noopener noreferrer nofollow ugc" target="_blank">
                            {host}<span class="visually-hidden">" (website, opens in a new tab)"</span>
                        </a>
                    </li>
                })}
            </ul>
        </section>
    }
}

/// The hours: read, or as written when the parser refuses them.
#[component]
fn OpeningHours(hours: Hours) -> impl IntoView {
    match hours.read {
        Some(read) => view! { <ReadOpeningHours read /> }.into_any(),
        None => view! {
            <p class="door-raw" data-testid="hours-raw">
                "Opening hours, as written on OpenStreetMap: "<span lang="">{hours.raw}</span>
            </p>
        }
        .into_any(),
    }
}

#[component]
fn ReadOpeningHours(read: ReadHours) -> impl IntoView {
    let zone = read.time_zone.replace('_', " ");
    view! {
        <p class="door-now" data-hours-now data-testid="open-now">
            {read.status.into_iter().enumerate().map(|(i, line)| view! {
                <span
                    class=if line.open { "door-open" } else { "door-closed" }
                    data-from=line.from_ms.to_string()
                    hidden={i > 0}
                >{line.text}</span>
            }).collect_view()}
        </p>
        <table class="door-week">
            <caption>{format!("Opening hours ({zone} time)")}</caption>
            <tbody>
                {read.week.into_iter().map(|d| view! {
                    <tr class:today=d.today aria-current=d.today.then_some("date")>
                        <th scope="row">{d.day}{d.today.then_some(" (today)")}</th>
                        <td>{d.hours}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <script defer src="/hours.js"></script>
    }
}
