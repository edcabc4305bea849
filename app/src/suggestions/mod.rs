//! "Suggest a venue" and "My suggestions". Suggestions are owned rows with
//! status `pending`; they become public only after moderation (a later issue).
// The suggestion server function takes one argument per form field: the plain
// HTML form (no JavaScript) posts them flat. The macro copies the signature.
#![allow(clippy::too_many_arguments)]

use crate::auth::MintKeyField;
use crate::error::user_message;
use crate::layout::PawIcon;
use crate::venues::VenueMap;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use paws_inside::suggestions::fields;
use paws_inside::{Category, DogsInside, SizeLimit, Suggestion};

#[cfg(feature = "ssr")]
use crate::error::{ctx, fail, unexpected};

/// Stores a suggestion for the current user, minting a guest if needed.
#[server(prefix = "/api", endpoint = "suggestions/create")]
pub async fn suggest_venue(
    #[server(default)] name: String,
    #[server(default)] category: String,
    #[server(default)] address: String,
    #[server(default)] city: String,
    #[server(default)] dogs_inside: String,
    #[server(default)] size_limit: String,
    #[server(default)] water_bowl: String,
    #[server(default)] treats: String,
    #[server(default)] notes: String,
    #[server(default)] lat: String,
    #[server(default)] lng: String,
    #[server(default)] mint_key: Option<String>,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    if crate::bot::caught("suggestion", &website, &form_started) {
        leptos_axum::redirect("/suggestions?sent=1");
        return Ok(());
    }
    let form = paws_inside::SuggestionForm {
        name,
        category,
        address,
        city,
        dogs_inside,
        size_limit,
        water_bowl,
        treats,
        notes,
        lat,
        lng,
    };
    let mut caller = crate::auth::session::caller().await?;
    paws_inside::suggestions::flows::suggest(&ctx()?, &mut caller, &form, mint_key.as_deref())
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/suggestions?sent=1");
    Ok(())
}

/// The current user's suggestions (none without a session).
#[server(prefix = "/api", endpoint = "suggestions/mine")]
pub async fn my_suggestions() -> Result<Vec<Suggestion>, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::suggestions::flows::mine(&ctx()?, &caller)
        .await
        .map_err(unexpected)
}

/// `/suggest`.
#[component]
pub fn SuggestPage() -> impl IntoView {
    view! {
        <Title text="Suggest a place" />
        <h1>"Suggest a dog-friendly place"</h1>
        <p class="lead">"Know a café or shop that lets dogs inside? Tell us — no account needed. We check every suggestion before it goes on the map."</p>
        <SuggestForm />
    }
}

/// The suggestion form with its map picker; success lands on `/suggestions?sent=1`.
#[island(lazy)]
fn SuggestForm() -> impl IntoView {
    crate::preload::island("suggest_form");
    let action = ServerAction::<SuggestVenue>::new();
    let picked = RwSignal::new(None::<(f64, f64)>);
    let coord = move |i: usize| {
        move || {
            picked
                .get()
                .map(|p| format!("{:.6}", if i == 0 { p.0 } else { p.1 }))
                .unwrap_or_default()
        }
    };
    view! {
        <ActionForm action attr:class="form-card form-grid">
            <div class="field"><label for="s-name">"Name of the place"</label><input id="s-name" name="name" required maxlength=fields::NAME.max /></div>
            <div class="field">
                <label for="s-category">"Kind of place"</label>
                <select id="s-category" name="category" required>
                    {Category::ALL.iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field"><label for="s-address">"Street address"</label><input id="s-address" name="address" required maxlength=fields::ADDRESS.max /></div>
            <div class="field"><label for="s-city">"City"</label><input id="s-city" name="city" required maxlength=fields::CITY.max /></div>
            <div class="field">
                <label for="s-inside">"Where can dogs go inside?"</label>
                <select id="s-inside" name="dogs_inside">
                    {DogsInside::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="s-size">"Which sizes?"</label>
                <select id="s-size" name="size_limit">
                    {SizeLimit::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <fieldset class="field field-wide">
                <legend>"Extras"</legend>
                <div class="flag-row">
                    <label class="check" for="s-water"><input type="checkbox" id="s-water" name="water_bowl" value="1" /><span>"Water bowl"</span></label>
                    <label class="check" for="s-treats"><input type="checkbox" id="s-treats" name="treats" value="1" /><span>"Treats"</span></label>
                </div>
            </fieldset>
            <div class="field field-wide"><label for="s-notes">"Anything else? " <span class="muted">"(optional)"</span></label><textarea id="s-notes" name="notes" rows="3" maxlength=fields::NOTES.max></textarea></div>
            <div class="field field-wide">
                <span class="label">"Location " <span class="muted">"(optional: click the map)"</span></span>
                <VenueMap points=Signal::stored("[]".to_owned()) label="Pick the place on the map" compact=true on_pick=Callback::new(move |p| picked.set(Some(p))) />
                <p class="muted small" aria-live="polite">{move || picked.get().map(|(lat, lng)| format!("Picked {lat:.5}, {lng:.5}"))}</p>
            </div>
            <input type="hidden" name="lat" value=coord(0) prop:value=coord(0) />
            <input type="hidden" name="lng" value=coord(1) prop:value=coord(1) />
            <MintKeyField />
            <crate::bot::BotFields />
            {crate::error::action_error(action.value())}
            <div class="field-wide"><button type="submit" class="button">"Send suggestion"</button></div>
        </ActionForm>
    }
}

/// `/suggestions`.
#[component]
pub fn MySuggestions() -> impl IntoView {
    let list = Resource::new(|| (), |_| my_suggestions());
    let sent = leptos_router::hooks::use_query_map();
    view! {
        <Title text="My suggestions" />
        <div class="page-head">
            <h1>"My suggestions"</h1>
            <A href="/suggest" attr:class="button">"Suggest a place"</A>
        </div>
        {move || sent.with(|q| q.get("sent").is_some()).then(|| view! {
            <p class="notice" role="status">"Thank you! We will check your suggestion soon."</p>
        })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => view! {
                        <div class="empty-state">
                            <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                            <p>"You have not suggested a place yet."</p>
                        </div>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="suggestion-list">
                            {items.into_iter().map(|s| view! {
                                <li class="venue-card">
                                    <div class="venue-card-head">
                                        <h2 class="h3"><a href=format!("/mine/suggestions/{}", s.id)>{s.name.clone()}</a></h2>
                                        <span class=format!("status status-{}", s.status)>{status_label(&s.status)}</span>
                                    </div>
                                    <p class="venue-address">{format!("{} · sent {}", s.city, s.created_on)}</p>
                                    {s.reject_reason.map(|r| view! { <p class="small" data-testid="reject-reason">{format!("Why: {r}")}</p> })}
                                    {s.venue_slug.map(|slug| view! { <p class="small"><A href=format!("/venues/{slug}")>"See it on the map"</A></p> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "approved" => "Approved",
        "rejected" => "Not added",
        _ => "Waiting for review",
    }
}
