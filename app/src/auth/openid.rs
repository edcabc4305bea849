//! "Sign in with …": the provider buttons (plain form POSTs, so they work
//! without JavaScript) and `/auth/oidc/confirm`, where a person decides
//! whether a provider account joins the account that has its address.

use crate::error::user_message;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// A configured provider, as a button shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderButton {
    /// Its name in URLs.
    pub id: String,
    /// "Sign in with {label}".
    pub label: String,
}

/// The configured providers (none: no buttons).
#[server(prefix = "/api", endpoint = "auth/providers")]
pub async fn providers() -> Result<Vec<ProviderButton>, ServerFnError> {
    let ctx = crate::error::ctx()?;
    Ok(ctx
        .oidc
        .buttons()
        .into_iter()
        .map(|b| ProviderButton {
            id: b.id,
            label: b.label,
        })
        .collect())
}

/// What the confirm page asks about: the provider's label and the masked
/// address, if this browser has a sign-in waiting (read from its cookie,
/// which only this page's request carries).
#[server(prefix = "/api", endpoint = "auth/oidc-pending")]
pub async fn pending() -> Result<Option<(String, String)>, ServerFnError> {
    let key = super::session::flow_cookie(paws_inside::auth::cookies::OPENID).await;
    paws_inside::auth::oidc::finish::pending(&crate::error::ctx()?, key.as_deref())
        .await
        .map_err(crate::error::unexpected)
}

/// One form per provider. `intent` "link" adds it to the signed-in account.
#[component]
pub fn ProviderButtons(
    next: String,
    #[prop(default = "sign_in")] intent: &'static str,
    #[prop(optional)] except: Vec<String>,
) -> impl IntoView {
    let list = Resource::new(|| (), |_| providers());
    let verb = if intent == "link" { "Link" } else { "Sign in with" };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (next, except) = (next.clone(), except.clone());
                Suspend::new(async move {
                    let buttons = list.await.unwrap_or_default();
                    buttons
                        .into_iter()
                        .filter(|b| !except.contains(&b.id))
                        .map(|b| view! {
                            <form method="post" action=format!("/auth/oidc/{}/start", b.id) class="provider-form">
                                <input type="hidden" name="next" value=next.clone() />
                                <input type="hidden" name="intent" value=intent />
                                <button type="submit" class="button button-quiet" data-testid=format!("oidc-{}", b.id)>
                                    {format!("{verb} {}", b.label)}
                                </button>
                            </form>
                        })
                        .collect_view()
                })
            }}
        </Suspense>
    }
}

/// `/auth/oidc/confirm`: the provider vouched for an address that already
/// has an account here; link it to that account, or keep it separate.
#[component]
pub fn OidcConfirmPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| pending());
    view! {
        <Title text="Link your sign-in" />
        <div class="narrow">
            <h1>"Link your sign-in?"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(Some((label, masked))) => view! {
                            <form method="post" action="/auth/oidc/confirm" class="form-card stack" data-testid="oidc-confirm">
                                <p class="lead">{format!("{masked} already has a Paws Inside account.")}</p>
                                <p>{format!("{label} says this address is yours. Link your {label} sign-in to that account and sign in? Your guest dogs and photos come along either way.")}</p>
                                <button type="submit" name="choice" value="link" class="button">{format!("Link {label} and sign in")}</button>
                                <button type="submit" name="choice" value="separate" class="button button-quiet">"Keep it separate: make a new account"</button>
                            </form>
                        }.into_any(),
                        Ok(None) => view! {
                            <p class="error" role="alert" data-testid="oidc-confirm-gone">"Nothing is waiting here: the sign-in expired or was finished. Please start again."</p>
                            <p><a class="button" href="/sign-in">"Sign in"</a></p>
                        }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
