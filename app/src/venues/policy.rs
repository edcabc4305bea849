//! The dog policy on the venue page — where, sizes, leash and times, in
//! words — and "Suggest a change": the current value beside each field; a
//! proposal makes a guest if needed and waits for an admin or for agreement
//! (`paws_inside::venues::proposals`).

use leptos::prelude::*;
use paws_inside::venues::policy::{DogsWhere, Leash};
use paws_inside::venues::policy::{MyProposal, Proposed};
use paws_inside::{SizeLimit, VenueDetail};

/// Stores a proposed policy for the venue `slug`.
#[server(prefix = "/api", endpoint = "venues/policy/propose")]
pub async fn propose_policy(
    #[server(default)] slug: String,
    #[server(default)] dogs_where: String,
    #[server(default)] size_limit: String,
    #[server(default)] leash: String,
    #[server(default)] conditional: String,
    #[server(default)] mint_key: Option<String>,
) -> Result<Proposed, ServerFnError> {
    let mut caller = crate::auth::session::caller().await?;
    let form = paws_inside::venues::policy::PolicyForm {
        dogs_where,
        size_limit,
        leash,
        conditional,
    };
    paws_inside::venues::proposals::propose(
        &crate::error::ctx()?,
        &mut caller,
        &slug,
        &form,
        mint_key.as_deref(),
    )
    .await
    .map_err(crate::error::fail)
}

/// This browser's open proposal for the venue `slug`, if any.
#[server(prefix = "/api", endpoint = "venues/policy/mine")]
pub async fn my_policy_proposal(
    #[server(default)] slug: String,
) -> Result<Option<MyProposal>, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::venues::proposals::mine(&crate::error::ctx()?, &caller, &slug)
        .await
        .map_err(crate::error::unexpected)
}

/// Withdraws one of this browser's open proposals.
#[server(prefix = "/api", endpoint = "venues/policy/withdraw")]
pub async fn withdraw_policy_proposal(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::venues::proposals::withdraw(&crate::error::ctx()?, &caller, &id)
        .await
        .map_err(crate::error::fail)
}

/// The policy's rows of the venue page's facts list.
#[component]
pub fn PolicyFacts(detail: VenueDetail) -> impl IntoView {
    let v = &detail.summary;
    let place = DogsWhere::parse(&v.dogs_inside);
    let where_words = match place {
        Some(p @ (DogsWhere::OutsideOnly | DogsWhere::NotAllowed)) => p.label(),
        _ if v.unconfirmed => "Not confirmed yet",
        Some(p) => p.label(),
        None => "Ask the staff",
    };
    let leash = match Leash::parse(&detail.leash) {
        Some(Leash::Required) => "Dogs on a leash",
        Some(Leash::NotRequired) => "No leash needed",
        _ => "Not known",
    };
    let times = detail.times();
    view! {
        <dt>"Where"</dt>
        <dd data-testid="policy-where">{where_words}</dd>
        <dt>"Dog size"</dt>
        <dd>{v.size_limit().label()}</dd>
        <dt>"Leash"</dt>
        <dd data-testid="policy-leash">{leash}</dd>
        {(!times.is_empty()).then(|| view! {
            <dt>"Times"</dt>
            <dd data-testid="policy-times">
                <ul class="policy-times">{times.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
            </dd>
        })}
    }
}

/// What a proposal's answer says.
fn thanks(p: &Proposed) -> &'static str {
    if p.applied {
        "Thank you! Enough people agreed, so the listing now says this."
    } else {
        "Thank you! An admin will look at your change (or it applies once two more dog owners say the same)."
    }
}

/// "Suggest a change": each field with the value it has now.
#[island(lazy)]
pub fn SuggestChange(detail: VenueDetail) -> impl IntoView {
    crate::preload::island("suggest_change");
    let action = ServerAction::<ProposePolicy>::new();
    let v = detail.summary.clone();
    let now_where = DogsWhere::parse(&v.dogs_inside).map_or("not known", |p| p.label());
    let now_size = v.size_limit().label();
    let now_leash = Leash::parse(&detail.leash).map_or("Not known", |l| l.label());
    let now_times = match detail.times() {
        t if t.is_empty() => "none".to_owned(),
        t => t.join("; "),
    };
    let select = |id: &'static str,
                  label: &'static str,
                  now: &'static str,
                  current: String,
                  options: Vec<(&'static str, &'static str)>| {
        let hint = format!("{id}-now");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id name=id aria-describedby=hint.clone()>
                    {options.into_iter().map(|(key, text)| view! {
                        <option value=key selected=current == key>{text}</option>
                    }).collect_view()}
                </select>
                <p class="muted small" id=hint>{format!("Now: {now}")}</p>
            </div>
        }
    };
    view! {
        <details class="suggest-change" data-testid="suggest-change">
            <summary class="button button-quiet">"Suggest a change"</summary>
            <ActionForm action attr:class="form-grid">
                <input type="hidden" name="slug" value=v.slug.clone() />
                <crate::auth::MintKeyField />
                {select("dogs_where", "Where may dogs go?", now_where, v.dogs_inside.clone(),
                    DogsWhere::ALL.iter().map(|p| (p.as_str(), p.label())).collect())}
                {select("size_limit", "Which sizes?", now_size, v.size_limit.clone(),
                    SizeLimit::ALL.iter().map(|s| (s.as_str(), s.label())).collect())}
                {select("leash", "Leash", now_leash, detail.leash.clone(),
                    Leash::ALL.iter().map(|l| (l.as_str(), l.label())).collect())}
                <div class="field field-wide">
                    <label for="conditional">"Times that change it (optional, as on OpenStreetMap)"</label>
                    <input id="conditional" type="text" name="conditional" maxlength="255"
                        value=detail.dog_conditional.clone().unwrap_or_default()
                        placeholder="no @ (Mo-Fr 11:30-14:00)" aria-describedby="conditional-now conditional-help" />
                    <p class="muted small" id="conditional-help">
                        "For example \"no @ (Mo-Fr 11:30-14:00)\": no dogs at weekday lunch; \"leashed @ (Jun-Aug)\": on a leash in summer."
                    </p>
                    <p class="muted small" id="conditional-now">{format!("Now: {now_times}")}</p>
                </div>
                {crate::error::action_error(action.value())}
                <div class="field-wide"><button type="submit" class="button">"Send the change"</button></div>
            </ActionForm>
            <p role="status" data-testid="proposal-status">
                {move || action.value().with(|r| match r {
                    Some(Ok(p)) => thanks(p),
                    _ => "",
                })}
            </p>
        </details>
    }
}
