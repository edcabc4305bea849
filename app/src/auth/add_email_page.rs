//! `/auth/add-email?token=…`: the link that adds an address to an account
//! without one. Opening it only shows what will happen; the button POSTs.

use super::links::check_link;
use crate::error::user_message;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::LinkCheck;

/// The page.
#[component]
pub fn AddEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let error = query
        .with_untracked(|q| q.get("error"))
        .and_then(|c| super::pages::problem(&c));
    let check = Resource::new(token, |t| check_link(t, "email_add".into()));
    view! {
        <Title text="Add an address" />
        <div class="narrow">
            <h1>"Add an address"</h1>
            {error.map(|e| view! { <p class="error" role="alert" data-testid="link-problem">{e}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(LinkCheck::Valid(preview)) => view! {
                            <form method="post" action="/auth/add-email" class="form-card stack" data-testid="add-email-form">
                                <input type="hidden" name="token" value=token() />
                                <p class="lead">{format!("Add {} to the account you are signed in to here?", preview.masked_email)}</p>
                                <button type="submit" class="button">"Add this address"</button>
                            </form>
                        }.into_any(),
                        Ok(_) => view! {
                            <p class="error" role="alert" data-testid="dead-link">"This link no longer works (used, replaced or expired). Ask for a new one on your account page."</p>
                        }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
