//! `/mine/suggestions/{id}`: one of your suggestions as you sent it, its
//! state, and — while it waits for review — "Withdraw". Anyone else's (or
//! none) is "not found".

use super::mine_api::{WithdrawSuggestion, my_suggestion};
use crate::error::{action_error, user_message};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use paws_inside::contributions::SuggestionDetail;
use paws_inside::{Category, DogsInside, SizeLimit};

/// The words for a suggestion's state.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "approved" => "added to the map",
        "rejected" => "not added",
        _ => "waiting for review",
    }
}

/// `/mine/suggestions/{id}`.
#[component]
pub fn MySuggestionPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(move || id.clone(), my_suggestion);
    view! {
        <Title text="Your suggestion" />
        <div class="narrow">
            <p><a href="/mine#suggestions">"← My contributions"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(detail) => view! { <Detail detail /> }.into_any(),
                        Err(err) => view! {
                            <h1>"Your suggestion"</h1>
                            <p class="error" role="alert">{user_message(&err)}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Detail(detail: SuggestionDetail) -> impl IntoView {
    let withdraw = ServerAction::<WithdrawSuggestion>::new();
    let s = detail.summary;
    let pending = s.status == "pending";
    let label = |raw: &str, f: fn(&str) -> Option<&'static str>| f(raw).unwrap_or("—");
    view! {
        <h1>{s.name.clone()}</h1>
        <p class="lead">{format!("Sent {} · {}", s.created_on, status_label(&s.status))}</p>
        {s.reject_reason.clone().map(|r| view! { <p>{format!("Why: {r}")}</p> })}
        {s.venue_slug.clone().map(|slug| view! { <p><a href=format!("/venues/{slug}")>"See it on the map"</a></p> })}
        <dl class="facts">
            <dt>"Kind of place"</dt>
            <dd>{label(&s.category, |k| Category::parse(k).map(|c| c.label()))}</dd>
            <dt>"Address"</dt>
            <dd>{format!("{}, {}", detail.address, s.city)}</dd>
            <dt>"Inside"</dt>
            <dd>{label(&detail.dogs_inside, |k| DogsInside::parse(k).map(|d| d.label()))}</dd>
            <dt>"Dog size"</dt>
            <dd>{label(&detail.size_limit, |k| SizeLimit::parse(k).map(|d| d.label()))}</dd>
            <dt>"Water bowl"</dt>
            <dd>{if detail.water_bowl { "Yes" } else { "Not that you know of" }}</dd>
            <dt>"Treats"</dt>
            <dd>{if detail.treats { "Yes" } else { "Not that you know of" }}</dd>
        </dl>
        {(!detail.notes.is_empty()).then(|| view! { <p class="policy-notes">{detail.notes.clone()}</p> })}
        {pending.then(|| view! {
            <section class="form-card danger-zone" aria-labelledby="withdraw-heading">
                <h2 id="withdraw-heading" class="h3">"Withdraw it"</h2>
                <p>"Changed your mind, or got something wrong? Withdraw it; you can always suggest it again."</p>
                <ActionForm action=withdraw>
                    <input type="hidden" name="id" value=s.id.to_string() />
                    {action_error(withdraw.value())}
                    <button type="submit" class="button button-danger">"Withdraw this suggestion"</button>
                </ActionForm>
            </section>
        })}
    }
}
