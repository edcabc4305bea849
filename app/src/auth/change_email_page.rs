//! `/auth/change-email?token=…`: the link that makes a new address the
//! account's; `/auth/undo-email?token=…`: the old address's link that puts
//! it back. Opening either only shows what will happen; the button POSTs.

use super::links::check_link;
use crate::error::user_message;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::LinkCheck;

/// The new address's page.
#[component]
pub fn ChangeEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let error = query
        .with_untracked(|q| q.get("error"))
        .and_then(|c| super::pages::problem(&c));
    let check = Resource::new(token, |t| check_link(t, "email_change".into()));
    view! {
        <Title text="Change your address" />
        <div class="narrow">
            <h1>"Change your address"</h1>
            {error.map(|e| view! { <p class="error" role="alert" data-testid="link-problem">{e}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(LinkCheck::Valid(preview)) => view! {
                            <form method="post" action="/auth/change-email" class="form-card stack" data-testid="change-email-form">
                                <input type="hidden" name="token" value=token() />
                                <p class="lead">{format!("Make {} the address of the account you are signed in to here?", preview.masked_email)}</p>
                                <p class="muted">"Your other devices will be signed out, and your old address gets a link to undo this for seven days."</p>
                                <button type="submit" class="button">"Use this address"</button>
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

/// The old address's page: undo the change.
#[component]
pub fn UndoEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let done = query.with_untracked(|q| q.get("done").is_some());
    let error = query
        .with_untracked(|q| q.get("error"))
        .and_then(|c| super::pages::problem(&c));
    let check = Resource::new(token, |t| check_link(t, "email_undo".into()));
    view! {
        <Title text="Undo the address change" />
        <div class="narrow">
            <h1>"Undo the address change"</h1>
            {error.map(|e| view! { <p class="error" role="alert" data-testid="link-problem">{e}</p> })}
            {match done {
                true => view! {
                    <p class="notice" role="status" data-testid="undone">
                        "Done: your old address is back, every device was signed out and the password removed. "
                        <a href="/sign-in">"Sign in with a link to your address"</a>
                        ", then choose a new password on your account page."
                    </p>
                }.into_any(),
                false => view! {
                    <Suspense fallback=|| view! { <p class="muted">"Checking your link…"</p> }>
                        {move || Suspend::new(async move {
                            match check.await {
                                Ok(LinkCheck::Valid(preview)) => view! {
                                    <form method="post" action="/auth/undo-email" class="form-card stack" data-testid="undo-email-form">
                                        <input type="hidden" name="token" value=token() />
                                        <p class="lead">{format!("Put {} back as your account's address?", preview.masked_email)}</p>
                                        <p class="muted">"Every device will be signed out and the password removed, so whoever changed it is out. Then you sign in with a link to this address."</p>
                                        <button type="submit" class="button button-danger">"Undo the change"</button>
                                    </form>
                                }.into_any(),
                                Ok(_) => view! {
                                    <p class="error" role="alert" data-testid="dead-link">"This link no longer works (used, or older than seven days)."</p>
                                }.into_any(),
                                Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                }.into_any(),
            }}
        </div>
    }
}
