//! `/admin`: review suggested venues, reported photos, dog owners' "no" answers
//! and failed claim merges; people are on their own pages (`people.rs`). Everyone who is not an admin gets the 404 page; the
//! server functions behind it answer 403 (see `api.rs`).

mod api;
mod fields;
mod funnel;
mod people;
mod people_api;
mod policy;
mod venue_edit;

pub use funnel::FunnelPage;
pub use people::{AuditPage, PeoplePage, PersonAdminPage};
pub use venue_edit::VenueEditPage;

use crate::NotFound;
use api::{
    AdminRejectSuggestion, AdminResolveCheck, AdminResolveReport, AdminRetryClaim, AdminSaveSuggestion,
    admin_overview,
};
use fields::{VenueFields, VenueValues};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::moderation::fields::REJECT_REASON;
use paws_inside::moderation::{
    ClaimFailure, OpenReport, Overview, PendingSuggestion, PolicyDoubt, REPORT_REASONS, UserStats,
};

/// `/admin` (`?page=N` for older entries: each queue shows 25 at a time).
#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(0));
    let overview = Resource::new(page, admin_overview);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Dashboard o /> }.into_any(),
                    Err(_) => view! { <NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Dashboard(o: Overview) -> impl IntoView {
    let Overview {
        page,
        suggestions,
        reports,
        doubts,
        failures,
        stats,
    } = o;
    let more = suggestions.more || reports.more || doubts.more || failures.more;
    let (n_sugg, n_reports, n_failures) = (suggestions.count(), reports.count(), failures.count());
    let n_doubts = doubts.count();
    let (suggestions, reports, failures) = (suggestions.items, reports.items, failures.items);
    let doubts = doubts.items;
    view! {
        <Title text="Admin" />
        <h1>"Admin"</h1>
        <p><a href="/admin/funnel">"The funnel: guests, returns and claims, week by week"</a></p>
        <section aria-labelledby="adm-sugg" class="admin-section">
            <h2 id="adm-sugg">{format!("Suggested places ({n_sugg})")}</h2>
            {suggestions.is_empty().then(|| view! { <p class="muted">"Nothing waiting."</p> })}
            {suggestions.into_iter().map(|s| view! { <SuggestionReview s /> }).collect_view()}
        </section>
        <section aria-labelledby="adm-reports" class="admin-section">
            <h2 id="adm-reports">{format!("Reported photos ({n_reports})")}</h2>
            {reports.is_empty().then(|| view! { <p class="muted">"Nothing reported."</p> })}
            <ul class="photo-grid">{reports.into_iter().map(|r| view! { <ReportReview r /> }).collect_view()}</ul>
        </section>
        <section aria-labelledby="adm-doubts" class="admin-section">
            <h2 id="adm-doubts">{format!("Dogs not welcome any more? ({n_doubts})")}</h2>
            {doubts.is_empty().then(|| view! { <p class="muted">"Nobody said no."</p> })}
            {doubts.into_iter().map(|d| view! { <DoubtRow d /> }).collect_view()}
        </section>
        <section aria-labelledby="adm-failures" class="admin-section">
            <h2 id="adm-failures">{format!("Failed claim merges ({n_failures})")}</h2>
            {failures.is_empty().then(|| view! { <p class="muted">"None."</p> })}
            {failures.into_iter().map(|f| view! { <FailureRow f /> }).collect_view()}
        </section>
        <policy::PolicySection page=page.0 />
        <nav class="pager" aria-label="Queue pages">
            {(page.0 > 0).then(|| view! { <a href=format!("/admin?page={}", page.0 - 1)>"← Newer"</a> })}
            {(more && page.0 < paws_inside::moderation::Page::MAX).then(|| view! { <a href=format!("/admin?page={}", page.0.saturating_add(1)) data-testid="older">"Older →"</a> })}
        </nav>
        <Users stats />
        <section class="admin-section" aria-labelledby="adm-venues">
            <h2 id="adm-venues">"Edit a listed place"</h2>
            <form method="get" action="/admin/venue" class="filter-bar">
                <label for="adm-slug">"Venue address on this site (the part after /venues/)"</label>
                <input id="adm-slug" name="slug" required />
                <button type="submit" class="button button-quiet">"Edit"</button>
            </form>
        </section>
    }
}

/// One suggestion with its editable fields, approve/save and reject; each
/// success reloads the dashboard (the server answers with a redirect to it).
#[island(lazy)]
fn SuggestionReview(s: PendingSuggestion) -> impl IntoView {
    crate::preload::island("suggestion_review");
    let save = ServerAction::<AdminSaveSuggestion>::new();
    let reject = ServerAction::<AdminRejectSuggestion>::new();
    let (id, reject_id) = (s.id.to_string(), s.id.to_string());
    let values = VenueValues {
        name: s.name,
        category: s.category,
        address: s.address,
        city: s.city,
        dogs_inside: s.dogs_inside,
        size_limit: s.size_limit,
        water_bowl: s.water_bowl,
        treats: s.treats,
        notes: s.notes,
        location: s.lat.zip(s.lng),
    };
    view! {
        <article class="form-card admin-card" data-testid="pending-suggestion">
            <p class="muted small">{format!("Suggested by {} on {}", s.suggested_by, s.created_on)}</p>
            <ActionForm action=save attr:class="form-grid">
                <input type="hidden" name="id" value=id />
                <VenueFields values />
                {crate::error::action_error(save.value())}
                <div class="button-row field-wide">
                    <button type="submit" class="button" name="approve" value="1">"Approve"</button>
                    <button type="submit" class="button button-quiet">"Save changes"</button>
                </div>
            </ActionForm>
            <ActionForm action=reject attr:class="reject-form">
                <input type="hidden" name="id" value=reject_id />
                <div class="field"><label>"Reason for not adding it"<input name="reason" maxlength=REJECT_REASON.max required /></label></div>
                {crate::error::action_error(reject.value())}
                <button type="submit" class="button button-danger">"Reject"</button>
            </ActionForm>
        </article>
    }
}

#[component]
fn ReportReview(r: OpenReport) -> impl IntoView {
    let resolve = ServerAction::<AdminResolveReport>::new();
    let reason = REPORT_REASONS
        .iter()
        .find(|(k, _)| *k == r.reason)
        .map_or("Other", |(_, l)| *l);
    let id = r.id.to_string();
    let button = move |action: &'static str, label: &'static str, class: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=resolve>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="action" value=action />
                <button type="submit" class=class>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <li class="admin-card" data-testid="open-report">
            <img src=format!("/photos/{}/thumb.jpg", r.storage_key) alt="Reported photo" width="200" height="200" />
            <p><strong>{reason}</strong>{(!r.note.is_empty()).then(|| format!(": {}", r.note))}</p>
            <p class="muted small">{format!("Reported {}{}", r.created_on, if r.hidden { " · hidden" } else { "" })}</p>
            <div class="button-row">
                {button("hide", "Hide", "button button-quiet")}
                {button("delete", "Delete", "button button-danger")}
                {button("dismiss", "Dismiss", "button button-quiet")}
            </div>
        </li>
    }
}

/// A dog owner's "no": look at the place, edit it if they are right, then close it.
#[component]
fn DoubtRow(d: PolicyDoubt) -> impl IntoView {
    let resolve = ServerAction::<AdminResolveCheck>::new();
    let id = d.id.to_string();
    let button = move |verdict: &'static str, label: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=resolve>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="verdict" value=verdict />
                <button type="submit" class="button button-quiet">{label}</button>
            </ActionForm>
        }
    };
    view! {
        <article class="form-card admin-card" data-testid="policy-doubt">
            <p><a href=format!("/venues/{}", d.slug)>{format!("{}, {}", d.venue, d.city)}</a></p>
            <p class="muted small">{format!(
                "A dog owner said no on {} · {} said yes since",
                d.checked_on, d.yes_since
            )}</p>
            {crate::error::action_error(resolve.value())}
            <div class="button-row">
                <a class="button button-quiet" href=format!("/admin/venue?slug={}", d.slug)>"Edit the listing"</a>
                {button("updated", "Listing updated")}
                {button("dismiss", "Listing is right")}
            </div>
        </article>
    }
}

#[component]
fn FailureRow(f: ClaimFailure) -> impl IntoView {
    let retry = ServerAction::<AdminRetryClaim>::new();
    view! {
        <article class="form-card admin-card" data-testid="claim-failure">
            <p>{format!("Guest {} → {}", f.guest_id, f.target_email.unwrap_or_else(|| f.target_id.to_string()))}</p>
            <p class="muted small">{format!("{} · {} · {}", f.created_at, f.counts, f.error)}</p>
            <ActionForm action=retry>
                <input type="hidden" name="id" value=f.id.to_string() />
                {crate::error::action_error(retry.value())}
                <button type="submit" class="button">"Retry merge"</button>
            </ActionForm>
        </article>
    }
}

#[component]
fn Users(stats: UserStats) -> impl IntoView {
    view! {
        <section aria-labelledby="adm-users" class="admin-section">
            <h2 id="adm-users">"People"</h2>
            <p data-testid="user-stats">{format!("{} members · {} guests", stats.members, stats.guests)}</p>
            <p class="muted small">"Guests created per day: "
                {stats.guests_per_day.iter().map(|(d, n)| format!("{d}: {n}")).collect::<Vec<_>>().join(" · ")}
            </p>
            <form method="get" action="/admin/people" class="form-card form-grid">
                <div class="field">
                    <label for="adm-q">"Find people by address"</label>
                    <input id="adm-q" name="q" type="search" maxlength="100" />
                </div>
                <div class="field-wide"><button type="submit" class="button">"Find"</button></div>
            </form>
            <p><a href="/admin/people">"Everyone, the latest seen first"</a>" · "<a href="/admin/audit">"What admins did"</a></p>
        </section>
    }
}
