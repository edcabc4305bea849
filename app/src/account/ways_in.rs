//! The account page's "Ways to sign in": the address (links and codes), the
//! password, and each linked provider, which can be unlinked while another
//! way in remains; unlinked providers offer to link.

use crate::auth::ProviderButtons;
use crate::error::action_error;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};

/// A provider account that signs in to this one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkedView {
    /// Our provider id.
    pub provider: String,
    /// Its label.
    pub label: String,
    /// The address the provider gave, if any.
    pub email: Option<String>,
    /// Linked at (UTC).
    pub since: String,
    /// Last sign-in with it (UTC).
    pub last_used: String,
}

/// Unlinks a provider (refused when it is the only way in).
#[server(prefix = "/api", endpoint = "account/unlink")]
pub async fn unlink_provider(provider: String) -> Result<(), ServerFnError> {
    paws_inside::auth::oidc::identities::unlink(&ctx()?, &caller().await?, &provider)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account?unlinked=1");
    Ok(())
}

/// The section: every way in, with what can be changed.
#[component]
pub fn WaysIn(email: Option<String>, has_password: bool, linked: Vec<LinkedView>) -> impl IntoView {
    let query = use_query_map();
    let unlink = ServerAction::<UnlinkProvider>::new();
    let error = query.with_untracked(|q| q.get("error")).and_then(|c| problem(&c));
    let except: Vec<String> = linked.iter().map(|l| l.provider.clone()).collect();
    view! {
        <section class="form-card" aria-labelledby="acct-ways">
            <h2 id="acct-ways" class="h3">"Ways to sign in"</h2>
            {query.with_untracked(|q| q.get("linked").is_some()).then(|| view! { <p class="notice" role="status">"Linked: you can sign in with it now."</p> })}
            {query.with_untracked(|q| q.get("unlinked").is_some()).then(|| view! { <p class="notice" role="status">"Unlinked."</p> })}
            {error.map(|e| view! { <p class="error" role="alert" data-testid="ways-problem">{e}</p> })}
            <ul class="session-list" data-testid="ways-in">
                {match email {
                    Some(email) => view! { <li><span><strong>"Email link or code"</strong><br /><span class="muted small">{email}</span></span></li> }.into_any(),
                    None => view! { <li><span><strong>"No email address"</strong><br /><span class="muted small">"Add one by signing in with an email link from a provider-linked account — coming soon."</span></span></li> }.into_any(),
                }}
                {has_password.then(|| view! { <li><span><strong>"Password"</strong></span></li> })}
                {linked.into_iter().map(|l| { let testid = format!("linked-{}", l.provider); view! {
                    <li data-testid=testid>
                        <span>
                            <strong>{l.label.clone()}</strong>
                            {l.email.map(|e| view! { " " <span class="muted">{e}</span> })}
                            <br />
                            <span class="muted small">{format!("Linked {} · last used {} (UTC)", l.since, l.last_used)}</span>
                        </span>
                        <ActionForm action=unlink>
                            <input type="hidden" name="provider" value=l.provider />
                            <button type="submit" class="button button-quiet">{format!("Unlink {}", l.label)}</button>
                        </ActionForm>
                    </li>
                }}).collect_view()}
            </ul>
            {action_error(unlink.value())}
            <div class="provider-buttons"><ProviderButtons next="/account".to_owned() intent="link" except /></div>
        </section>
    }
}

#[cfg(feature = "ssr")]
fn problem(code: &str) -> Option<String> {
    paws_inside::auth::OidcError::message_for(code)
}
#[cfg(not(feature = "ssr"))]
fn problem(_code: &str) -> Option<String> {
    None
}
