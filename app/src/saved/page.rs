//! The pages of `/saved` and `/saved/unsubscribe`. Both are personal (a
//! cookie, or a token in the address) and never in the shared page cache.

use super::saved_page;
use crate::error::user_message;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use paws_inside::saved::{Changes, SavedPage as Page, describe};

/// What the address's `?saved=1` / `?error=…` (set by our own redirects)
/// mean, in the page's words: the address never carries a sentence.
fn notice(key: &str, value: &str) -> Option<(&'static str, bool)> {
    Some(match (key, value) {
        ("saved", _) => ("Saved. The place is on your list.", false),
        ("removed", _) => ("Removed from your list.", false),
        ("digest", "on") => ("You will get the weekly email when something changes.", false),
        ("digest", _) => ("No more weekly emails.", false),
        ("error", "not_found") => ("That place could not be found. Nothing was changed.", true),
        ("error", "too_many") => (
            "That is a lot of places saved in a short time. Please try again later.",
            true,
        ),
        ("error", "full") => ("Your list is full. Remove a place to save another.", true),
        ("error", "no_address") => (
            "Only an account with a confirmed email address can get the weekly email.",
            true,
        ),
        _ => return None,
    })
}

/// `/saved`.
#[component]
pub fn SavedPage() -> impl IntoView {
    let query = use_query_map();
    let (page, note) = query.with_untracked(|q| {
        let note = ["saved", "removed", "digest", "error"]
            .into_iter()
            .find_map(|k| q.get(k).and_then(|v| notice(k, &v)));
        (q.get("page").unwrap_or_default(), note)
    });
    let data = Resource::new(move || page.clone(), saved_page);
    view! {
        <Title text="Saved places" />
        <div class="narrow saved">
            <h1>"Saved places"</h1>
            {note.map(|(text, bad)| if bad {
                view! { <p class="error" role="alert">{text}</p> }.into_any()
            } else {
                view! { <p class="notice" role="status">{text}</p> }.into_any()
            })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(page) if page.total == 0 => view! { <Empty page /> }.into_any(),
                        Ok(page) => view! { <Filled page /> }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Empty(page: Page) -> impl IntoView {
    view! {
        <p class="lead">"Nothing saved yet. Press “Save” on a place you want to visit with your dog: it stays on this list, no account needed."</p>
        <p><a href="/">"Find places"</a></p>
        {page.digest.map(|on| view! { <DigestChoice on /> })}
    }
}

#[component]
fn Filled(page: Page) -> impl IntoView {
    let Page {
        places,
        total,
        page: number,
        changes,
        digest,
    } = page;
    let more = Page {
        total,
        page: number,
        ..Page::default()
    }
    .has_more();
    view! {
        <section aria-labelledby="list-heading">
            <h2 id="list-heading">{format!("Your list ({total})")}</h2>
            <ul class="saved-list" data-testid="saved-list">
                {places.into_iter().map(|p| {
                    let label = format!("Remove {} from your list", p.name);
                    view! {
                        <li class="saved-item">
                            <div>
                                <a href=format!("/venues/{}", p.slug)>{p.name}</a>
                                <span class="muted small">{format!(" · {} · saved {}", p.city, p.saved_on)}</span>
                            </div>
                            <form method="post" action="/saved/remove">
                                <input type="hidden" name="slug" value=p.slug />
                                <button type="submit" class="button button-quiet" aria-label=label>"Remove"</button>
                            </form>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <nav class="pager" aria-label="Pages of your list">
                {(number > 1).then(|| view! { <a href=format!("/saved?page={}", number - 1)>"Previous page"</a> })}
                {more.then(|| view! { <a href=format!("/saved?page={}", number + 1)>"Next page"</a> })}
            </nav>
        </section>
        <WhatChanged changes />
        {match digest {
            Some(on) => view! { <DigestChoice on /> }.into_any(),
            None => view! {
                <p class="muted">
                    <a href="/sign-in?next=%2Fsaved">"Sign in or create an account"</a>
                    " to keep your list on every device and, if you like, get a weekly email of what changed."
                </p>
            }.into_any(),
        }}
    }
}

/// New places nearby and new answers at saved places since the last look.
#[component]
fn WhatChanged(changes: Changes) -> impl IntoView {
    let since = changes.since.clone();
    view! {
        <section class="saved-changes" aria-labelledby="changes-heading" data-testid="saved-changes">
            <h2 id="changes-heading">"What changed near your saved places"</h2>
            {if changes.is_empty() {
                view! { <p class="muted">{format!("Nothing new since {since}.")}</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">{format!("Since {since}:")}</p>
                    <ul>
                        {changes.new_nearby.into_iter().map(|n| view! {
                            <li>
                                {format!("New near {}: ", n.near)}
                                <a href=format!("/venues/{}", n.slug)>{n.name}</a>
                                {format!(", {}", n.city)}
                            </li>
                        }).collect_view()}
                        {changes.answers.into_iter().map(|a| {
                            let line = format!(": {} (latest {})", describe(&a), a.last_on);
                            view! { <li><a href=format!("/venues/{}", a.slug)>{a.name}</a>{line}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The weekly email's checkbox (members with a confirmed address).
#[component]
fn DigestChoice(on: bool) -> impl IntoView {
    view! {
        <form method="post" action="/saved/digest" class="saved-digest">
            <label>
                <input type="checkbox" name="digest" value="on" checked=on />
                " Email me once a week when something changed near my saved places"
            </label>
            <button type="submit" class="button button-quiet">"Save this choice"</button>
        </form>
    }
}

/// `/saved/unsubscribe?token=…`: one button (a GET never unsubscribes: mail
/// scanners open links), then what happened.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let query = use_query_map();
    let (token, done, unknown) = query.with_untracked(|q| {
        (
            q.get("token").unwrap_or_default(),
            q.get("done").is_some(),
            q.get("unknown").is_some(),
        )
    });
    view! {
        <Title text="Weekly email" />
        <Meta name="referrer" content="no-referrer" />
        <div class="narrow">
            <h1>"Weekly email"</h1>
            {if done {
                view! {
                    <p class="notice" role="status">"Done: you will get no more weekly emails."</p>
                    <p>"You can turn it on again on " <a href="/saved">"your saved places"</a> "."</p>
                }.into_any()
            } else if unknown {
                view! { <p class="error" role="alert">"This link is not one we sent, or it is too old. Turn the email off on " <a href="/saved">"your saved places"</a> " instead."</p> }.into_any()
            } else {
                view! {
                    <p>"Stop the weekly email about your saved places?"</p>
                    <form method="post" action="/saved/unsubscribe">
                        <input type="hidden" name="token" value=token />
                        <button type="submit" class="button">"Stop the weekly email"</button>
                    </form>
                }.into_any()
            }}
        </div>
    }
}
