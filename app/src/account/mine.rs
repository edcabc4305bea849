//! `/mine`, "My contributions", for guests and members alike: counts, then a
//! page of each list with a way to take each thing back. Plain forms (no
//! island): each removal is a POST that comes back to the same list page, and
//! a small "Remove…" disclosure stands between a tap and the removal.

use super::mine_api::{RemoveAnswer, RemovePhoto, my_contributions};
use crate::error::{action_error, user_message};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::contributions::{Contributions, Listed, MyAnswer, MyPhoto, Pages};
use paws_inside::{GuestData, Suggestion};

/// `/mine`.
#[component]
pub fn MinePage() -> impl IntoView {
    let query = use_query_map();
    let pages = query.with_untracked(|q| Pages {
        photos: Pages::read(q.get("photos").as_deref()),
        answers: Pages::read(q.get("answers").as_deref()),
        suggestions: Pages::read(q.get("suggestions").as_deref()),
    });
    let withdrawn = query.with_untracked(|q| q.get("withdrawn").is_some());
    let data = Resource::new(
        move || pages,
        |p| {
            my_contributions(
                p.photos.to_string(),
                p.answers.to_string(),
                p.suggestions.to_string(),
            )
        },
    );
    view! {
        <Title text="My contributions" />
        <div class="narrow mine">
            <h1>"My contributions"</h1>
            {withdrawn.then(|| view! { <p class="notice" role="status">"Your suggestion is withdrawn."</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(Some(made)) => view! { <Lists made /> }.into_any(),
                        Ok(None) => view! {
                            <p class="lead">"Nothing here yet: add your dog, a photo or a place, no account needed."</p>
                        }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// "2 dogs · 3 photos · 1 answer · 1 suggestion", as links to the lists.
#[component]
pub fn Counts(counts: GuestData) -> impl IntoView {
    let item = |n: i64, one: &'static str, many: &'static str, href: &'static str| {
        view! { <li><a href=href>{format!("{n} {}", if n == 1 { one } else { many })}</a></li> }
    };
    view! {
        <ul class="mine-counts" data-testid="mine-counts">
            {item(counts.dogs, "dog", "dogs", "/mine#dogs")}
            {item(counts.photos, "photo", "photos", "/mine#photos")}
            {item(counts.checks, "“still welcome?” answer", "“still welcome?” answers", "/mine#answers")}
            {item(counts.suggestions, "suggestion", "suggestions", "/mine#suggestions")}
            {item(counts.saved, "saved place", "saved places", "/saved")}
        </ul>
    }
}

#[component]
fn Lists(made: Contributions) -> impl IntoView {
    let Contributions {
        guest,
        counts,
        dogs,
        photos,
        answers,
        suggestions,
        pages,
    } = made;
    view! {
        <Counts counts />
        {guest.then(|| view! {
            <p class="muted">"You are a guest: all of this lives in this browser. "
                <a href="/sign-in?next=/mine">"Sign in to keep it"</a>"."</p>
        })}
        <section class="form-card" id="dogs" aria-labelledby="mine-dogs">
            <h2 id="mine-dogs" class="h3">{format!("Dogs ({})", counts.dogs)}</h2>
            {dogs.is_empty().then(|| view! { <p class="muted">"No dogs yet. " <a href="/dogs/new">"Add your dog"</a></p> })}
            <ul class="mine-list">
                {dogs.into_iter().map(|(id, name)| view! {
                    <li><a href=format!("/dogs/{id}")>{name}</a></li>
                }).collect_view()}
            </ul>
            <p class="small muted">"To remove a dog (and its photos), open it and choose “Delete”."</p>
        </section>
        <PhotoList photos pages total=counts.photos />
        <AnswerList answers pages total=counts.checks />
        <SuggestionList suggestions pages total=counts.suggestions />
    }
}

/// "Newer" / "Older" links of one list.
#[component]
fn Pager(list: &'static str, page: i64, more: bool, pages: Pages) -> impl IntoView {
    (page > 1 || more).then(|| view! {
        <nav class="pager" aria-label=format!("More {list}")>
            {(page > 1).then(|| view! { <a class="button button-quiet" href=pages.href(list, page - 1)>"Newer"</a> })}
            {more.then(|| view! { <a class="button button-quiet" rel="next" href=pages.href(list, page + 1)>"Older"</a> })}
        </nav>
    })
}

#[component]
fn PhotoList(photos: Listed<MyPhoto>, pages: Pages, total: i64) -> impl IntoView {
    let remove = ServerAction::<RemovePhoto>::new();
    let back = pages.href("photos", photos.page);
    view! {
        <section class="form-card" id="photos" aria-labelledby="mine-photos">
            <h2 id="mine-photos" class="h3">{format!("Photos ({total})")}</h2>
            {action_error(remove.value())}
            {photos.rows.is_empty().then(|| view! { <p class="muted">"No photos here."</p> })}
            <ul class="mine-photos">
                {photos.rows.into_iter().map(|p| {
                    let back = back.clone();
                    let alt = p.dog_name.clone().map_or_else(|| "Your photo".to_owned(), |n| format!("Your photo of {n}"));
                    view! {
                        <li data-testid="mine-photo">
                            <a href=p.photo.display_url()><img src=p.photo.thumb_url() alt=alt loading="lazy" width="96" height="96" /></a>
                            <span class="small">
                                {p.venue.map(|(slug, name)| view! { "At " <a href=format!("/venues/{slug}")>{name}</a> " · " })}
                                {format!("added {}", p.added_on)}
                                {p.hidden.then_some(" · hidden by a moderator")}
                            </span>
                            <details class="confirm-remove">
                                <summary>"Remove…"</summary>
                                <ActionForm action=remove>
                                    <input type="hidden" name="id" value=p.photo.id.to_string() />
                                    <input type="hidden" name="back" value=back />
                                    <button type="submit" class="button button-danger">"Remove this photo for good"</button>
                                </ActionForm>
                            </details>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Pager list="photos" page=photos.page more=photos.more pages />
        </section>
    }
}

#[component]
fn AnswerList(answers: Listed<MyAnswer>, pages: Pages, total: i64) -> impl IntoView {
    let remove = ServerAction::<RemoveAnswer>::new();
    let back = pages.href("answers", answers.page);
    view! {
        <section class="form-card" id="answers" aria-labelledby="mine-answers">
            <h2 id="mine-answers" class="h3">{format!("“Dogs still welcome?” answers ({total})")}</h2>
            {action_error(remove.value())}
            {answers.rows.is_empty().then(|| view! { <p class="muted">"No answers here."</p> })}
            <ul class="mine-list">
                {answers.rows.into_iter().map(|a| { let back = back.clone(); view! {
                    <li data-testid="mine-answer">
                        <span>
                            <a href=format!("/venues/{}", a.venue_slug)>{a.venue_name}</a>
                            {format!(" · {} · {}", if a.welcome { "yes, still welcome" } else { "no longer welcome" }, a.on)}
                        </span>
                        <details class="confirm-remove">
                            <summary>"Remove…"</summary>
                            <ActionForm action=remove>
                                <input type="hidden" name="id" value=a.id.to_string() />
                                <input type="hidden" name="back" value=back />
                                <button type="submit" class="button button-danger">"Remove this answer"</button>
                            </ActionForm>
                        </details>
                    </li>
                }}).collect_view()}
            </ul>
            <Pager list="answers" page=answers.page more=answers.more pages />
        </section>
    }
}

#[component]
fn SuggestionList(suggestions: Listed<Suggestion>, pages: Pages, total: i64) -> impl IntoView {
    view! {
        <section class="form-card" id="suggestions" aria-labelledby="mine-suggestions">
            <h2 id="mine-suggestions" class="h3">{format!("Suggestions ({total})")}</h2>
            {suggestions.rows.is_empty().then(|| view! { <p class="muted">"No suggestions here. " <a href="/suggest">"Suggest a place"</a></p> })}
            <ul class="mine-list">
                {suggestions.rows.into_iter().map(|s| view! {
                    <li data-testid="mine-suggestion">
                        <span>
                            <a href=format!("/mine/suggestions/{}", s.id)>{s.name}</a>
                            {format!(" · {} · {} · sent {}", s.city, super::suggestion::status_label(&s.status), s.created_on)}
                        </span>
                    </li>
                }).collect_view()}
            </ul>
            <Pager list="suggestions" page=suggestions.page more=suggestions.more pages />
        </section>
    }
}
