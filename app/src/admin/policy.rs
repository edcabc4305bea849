//! The admin's policy section: proposed dog policies (current against
//! proposed, apply or reject) and the way back to OpenStreetMap (the
//! osmChange download and the same differences as a readable list).

use leptos::prelude::*;
use paws_inside::moderation::policy::{Difference, PolicyQueue, ProposalRow};

/// One page of open proposals and the OSM differences (403 for non-admins).
#[server(prefix = "/api", endpoint = "admin/policy")]
pub async fn admin_policy_queue(#[server(default)] page: u32) -> Result<PolicyQueue, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::moderation::policy::queue(&crate::error::ctx()?, &caller, page)
        .await
        .map_err(crate::error::fail)
}

/// Applies a proposal (with the same policy's other open proposals).
#[server(prefix = "/api", endpoint = "admin/policy/apply")]
pub async fn admin_apply_policy(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::moderation::policy::admin_apply(&crate::error::ctx()?, &caller, &id)
        .await
        .map_err(crate::error::fail)?;
    leptos_axum::redirect("/admin#adm-policy");
    Ok(())
}

/// Rejects a proposal.
#[server(prefix = "/api", endpoint = "admin/policy/reject")]
pub async fn admin_reject_policy(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::moderation::policy::reject(&crate::error::ctx()?, &caller, &id)
        .await
        .map_err(crate::error::fail)?;
    leptos_axum::redirect("/admin#adm-policy");
    Ok(())
}

/// The section, loaded on its own (the other queues do not wait for it).
#[component]
pub fn PolicySection(page: u32) -> impl IntoView {
    let queue = Resource::new(move || page, admin_policy_queue);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                queue.await.ok().map(|q| view! { <Queue q /> })
            })}
        </Suspense>
    }
}

#[component]
fn Queue(q: PolicyQueue) -> impl IntoView {
    let PolicyQueue {
        proposals,
        open,
        differences,
    } = q;
    let n_diff = differences.len();
    view! {
        <section aria-labelledby="adm-policy" class="admin-section">
            <h2 id="adm-policy">{format!("Proposed dog policies ({open})")}</h2>
            {proposals.is_empty().then(|| view! { <p class="muted">"Nothing waiting."</p> })}
            {proposals.into_iter().map(|p| view! { <ProposalReview p /> }).collect_view()}
        </section>
        <section aria-labelledby="adm-osm" class="admin-section">
            <h2 id="adm-osm">{format!("Back to OpenStreetMap ({n_diff})")}</h2>
            <p class="muted small">
                "Imported places where our policy differs from OpenStreetMap's tags. The file holds the nodes, \
                 each with all its tags and the version we read; review it and upload it with your own \
                 OpenStreetMap account (JOSM opens it). Ways (building outlines) are only listed here: \
                 change them on OpenStreetMap. We never upload anything."
            </p>
            <p><a class="button button-quiet" href="/admin/osm-change.osc" download="paws-inside.osc" rel="external">"Download the osmChange file"</a></p>
            {(n_diff > 0).then(|| view! {
                <table class="admin-table" data-testid="osm-differences">
                    <thead><tr><th scope="col">"Place"</th><th scope="col">"OpenStreetMap says"</th><th scope="col">"We say"</th><th scope="col">"Element"</th></tr></thead>
                    <tbody>{differences.into_iter().map(|d| view! { <DifferenceRow d /> }).collect_view()}</tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn DifferenceRow(d: Difference) -> impl IntoView {
    let url = d.url();
    let label = format!("{} {}", d.osm_type, d.osm_id);
    view! {
        <tr>
            <td><a href=format!("/venues/{}", d.slug)>{d.name}</a></td>
            <td>{d.osm_says}</td>
            <td>{d.we_say}</td>
            <td><a href=url rel="noopener nofollow">{label}</a></td>
        </tr>
    }
}

#[component]
fn ProposalReview(p: ProposalRow) -> impl IntoView {
    let apply = ServerAction::<AdminApplyPolicy>::new();
    let reject = ServerAction::<AdminRejectPolicy>::new();
    let list = |lines: Vec<String>| view! { <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> };
    let (id, reject_id) = (p.id.to_string(), p.id.to_string());
    view! {
        <article class="form-card admin-card" data-testid="policy-proposal">
            <p><a href=format!("/venues/{}", p.slug)>{p.venue}</a></p>
            <p class="muted small">{p.by}</p>
            <div class="policy-compare">
                <div><h3>"Now"</h3>{list(p.current)}</div>
                <div><h3>"Proposed"</h3>{list(p.proposed)}</div>
            </div>
            {crate::error::action_error(apply.value())}
            {crate::error::action_error(reject.value())}
            <div class="button-row">
                <ActionForm action=apply>
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="button">"Apply"</button>
                </ActionForm>
                <ActionForm action=reject>
                    <input type="hidden" name="id" value=reject_id />
                    <button type="submit" class="button button-quiet">"Reject"</button>
                </ActionForm>
            </div>
        </article>
    }
}
