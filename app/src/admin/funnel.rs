//! `/admin/funnel`: the operator's funnel for the last 12 weeks, as a chart
//! drawn here on the server (inline SVG: titled, described, every number
//! written on it, one measure per panel so nothing relies on colour) and the
//! same numbers as a table beside it. No island: it reads without JavaScript.
//! Everyone but an admin gets the 404 page (the server function answers 403).

use crate::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use paws_inside::funnel::chart::{self, Panel};
use paws_inside::funnel::{Funnel, WAYS};

/// The last 12 weeks' funnel (admins only: 403 for everyone else).
#[server(prefix = "/api", endpoint = "admin/funnel")]
pub async fn admin_funnel() -> Result<Funnel, ServerFnError> {
    paws_inside::funnel::flows::weeks(&crate::error::ctx()?, &crate::auth::session::caller().await?)
        .await
        .map_err(crate::error::fail)
}

/// `/admin/funnel`.
#[component]
pub fn FunnelPage() -> impl IntoView {
    let funnel = Resource::new(|| (), |_| admin_funnel());
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match funnel.await {
                    Ok(f) => view! { <FunnelView f /> }.into_any(),
                    Err(_) => view! { <NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FunnelView(f: Funnel) -> impl IntoView {
    view! {
        <Title text="The funnel · Admin" />
        <p><a href="/admin">"← Admin"</a></p>
        <h1>"The funnel"</h1>
        <p class="muted">
            "Per week (Monday to Sunday, UTC), the last 12 weeks. Guests made, and how many of them "
            "added something again at least a day, a week or 30 days after, count by the week the guest "
            "was made; claims, merges and reaped guests by the week they happened."
        </p>
        <div class="funnel">
            <Chart f=f.clone() />
            <Numbers f />
        </div>
    }
}

/// The chart: one panel per measure.
#[component]
fn Chart(f: Funnel) -> impl IntoView {
    let panels = chart::panels(&f);
    let first = f.weeks.first().map(|w| w.label.clone()).unwrap_or_default();
    let last = f.weeks.last().map(|w| w.label.clone()).unwrap_or_default();
    let desc = format!(
        "Bar charts, one per measure, from the {first} to the {last}; each bar is labelled with its number. \
         The table beside holds the same numbers."
    );
    let view_box = format!("0 0 {} {}", chart::WIDTH, chart::height());
    view! {
        <figure class="funnel-chart">
            <svg viewBox=view_box role="img" aria-labelledby="funnel-title funnel-desc" data-testid="funnel-chart">
                <title id="funnel-title">"The funnel, week by week"</title>
                <desc id="funnel-desc">{desc}</desc>
                {panels.into_iter().map(|p| view! { <PanelView p /> }).collect_view()}
                <text x="8" y=chart::height() - 2.0 class="funnel-axis">{first}</text>
                <text x=chart::WIDTH - 2.0 y=chart::height() - 2.0 text-anchor="end" class="funnel-axis">{last}</text>
            </svg>
        </figure>
    }
}

#[component]
fn PanelView(p: Panel) -> impl IntoView {
    view! {
        <g>
            <text x="8" y=p.top + 16.0 class="funnel-panel-title">{p.title}</text>
            <line x1="8" x2=chart::WIDTH y1=p.base y2=p.base class="funnel-base" />
            {p.bars.into_iter().map(|b| {
                let mid = b.x + b.width / 2.0;
                let tip = format!("{}: {}", b.week, b.value);
                view! {
                    <g>
                        <title>{tip}</title>
                        <rect x=b.x y=b.y width=b.width height=b.height class="funnel-bar" />
                        <text x=mid y=b.y - 3.0 text-anchor="middle" class="funnel-value">{b.value}</text>
                    </g>
                }
            }).collect_view()}
        </g>
    }
}

/// The same numbers as a table, the newest week first.
#[component]
fn Numbers(f: Funnel) -> impl IntoView {
    view! {
        <div class="funnel-table" role="region" aria-labelledby="funnel-caption" tabindex="0">
            <table data-testid="funnel-table">
                <caption id="funnel-caption">"The funnel's numbers, newest week first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Week"</th>
                        <th scope="col">"Guests made"</th>
                        <th scope="col">"Back after a day"</th>
                        <th scope="col">"Back after a week"</th>
                        <th scope="col">"Back after 30 days"</th>
                        {WAYS.iter().map(|(_, name)| view! { <th scope="col">{format!("Claims by {}", name.to_lowercase())}</th> }).collect_view()}
                        <th scope="col">"Promoted"</th>
                        <th scope="col">"Merged"</th>
                        <th scope="col">"Merges failed"</th>
                        <th scope="col">"Guests reaped"</th>
                    </tr>
                </thead>
                <tbody>
                    {f.weeks.into_iter().rev().map(|w| view! {
                        <tr>
                            <th scope="row">{w.label.clone()}</th>
                            <td>{w.made}</td>
                            {w.back.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                            {w.claims.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                            <td>{w.promoted}</td>
                            <td>{w.merged}</td>
                            <td>{w.merge_failed}</td>
                            <td>{w.reaped}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
