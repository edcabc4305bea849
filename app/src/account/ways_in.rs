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

/// A passkey on the account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyView {
    /// Its id (to remove it).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Added at (UTC).
    pub since: String,
    /// Last sign-in with it (UTC), if any.
    pub last_used: Option<String>,
}

/// Removes a passkey (refused when it is the only way in).
#[server(prefix = "/api", endpoint = "account/passkey-remove")]
pub async fn remove_passkey(id: String) -> Result<(), ServerFnError> {
    paws_inside::auth::passkeys::manage::remove(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account?passkey=removed");
    Ok(())
}

/// Mails a link that adds an address to an account without one.
#[server(prefix = "/api", endpoint = "account/add-email")]
pub async fn add_email(email: String) -> Result<(), ServerFnError> {
    paws_inside::auth::add_email::request(&ctx()?, &caller().await?, &email)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account?email=sent");
    Ok(())
}

/// Mails a link that makes a new address the account's.
#[server(prefix = "/api", endpoint = "account/change-email")]
pub async fn change_email(email: String) -> Result<(), ServerFnError> {
    paws_inside::auth::change_email::request(&ctx()?, &caller().await?, &email)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account?email=change-sent");
    Ok(())
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
pub fn WaysIn(
    email: Option<String>,
    has_password: bool,
    linked: Vec<LinkedView>,
    passkeys: Vec<PasskeyView>,
) -> impl IntoView {
    let query = use_query_map();
    let unlink = ServerAction::<UnlinkProvider>::new();
    let remove = ServerAction::<RemovePasskey>::new();
    let add = ServerAction::<AddEmail>::new();
    let change = ServerAction::<ChangeEmail>::new();
    let no_email = email.is_none();
    let said = query.with_untracked(|q| q.get("email"));
    let changed = said.as_deref() == Some("changed");
    let change_sent = said.as_deref() == Some("change-sent");
    let passkey_notice = query
        .with_untracked(|q| q.get("passkey"))
        .and_then(|p| match p.as_str() {
            "added" => Some("Passkey added: you can sign in with it now."),
            "kept" => Some("Passkey saved: everything you added as a guest is in your account."),
            "removed" => Some("Passkey removed."),
            _ => None,
        });
    let added = query.with_untracked(|q| q.get("email").as_deref() == Some("added"));
    let error = query.with_untracked(|q| q.get("error")).and_then(|c| problem(&c));
    let except: Vec<String> = linked.iter().map(|l| l.provider.clone()).collect();
    view! {
        <section class="form-card" aria-labelledby="acct-ways">
            <h2 id="acct-ways" class="h3">"Ways to sign in"</h2>
            {query.with_untracked(|q| q.get("linked").is_some()).then(|| view! { <p class="notice" role="status">"Linked: you can sign in with it now."</p> })}
            {query.with_untracked(|q| q.get("unlinked").is_some()).then(|| view! { <p class="notice" role="status">"Unlinked."</p> })}
            {error.map(|e| view! { <p class="error" role="alert" data-testid="ways-problem">{e}</p> })}
            {added.then(|| view! { <p class="notice" role="status" data-testid="email-added">"Address added: you can sign in by email too."</p> })}
            {changed.then(|| view! { <p class="notice" role="status" data-testid="email-changed">"Address changed. Your other devices were signed out, and your old address got a link to undo it."</p> })}
            {passkey_notice.map(|n| view! { <p class="notice" role="status" data-testid="passkey-notice">{n}</p> })}
            <ul class="session-list" data-testid="ways-in">
                {match email {
                    Some(email) => view! { <li><span><strong>"Email link or code"</strong><br /><span class="muted small">{email}</span></span></li> }.into_any(),
                    None => view! { <li><span><strong>"No email address"</strong><br /><span class="muted small">"You sign in with the ways below. Add an address to sign in by email too."</span></span></li> }.into_any(),
                }}
                {has_password.then(|| view! { <li><span><strong>"Password"</strong></span></li> })}
                {linked.into_iter().map(|l| { let testid = format!("linked-{}", l.provider); view! {
                    <li data-testid=testid>
                        <span>
                            <strong>{l.label.clone()}</strong>
                            {l.email.map(|e| view! { " " <span class="muted">{e}</span> })}
                            <br />
                            <span class="muted small">{format!("Linked {} · last used {}", l.since, l.last_used)}</span>
                        </span>
                        <ActionForm action=unlink>
                            <input type="hidden" name="provider" value=l.provider />
                            <button type="submit" class="button button-quiet">{format!("Unlink {}", l.label)}</button>
                        </ActionForm>
                    </li>
                }}).collect_view()}
                {passkeys.into_iter().map(|p| { let testid = format!("passkey-{}", p.name); view! {
                    <li data-testid=testid>
                        <span>
                            <strong>{format!("Passkey: {}", p.name)}</strong>
                            <br />
                            <span class="muted small">{format!("Added {} · last used {}", p.since, p.last_used.unwrap_or_else(|| "never".to_owned()))}</span>
                        </span>
                        <ActionForm action=remove>
                            <input type="hidden" name="id" value=p.id />
                            <button type="submit" class="button button-quiet">{format!("Remove passkey {}", p.name)}</button>
                        </ActionForm>
                    </li>
                }}).collect_view()}
            </ul>
            {no_email.then(|| view! {
                {query.with_untracked(|q| q.get("email").is_some()).then(|| view! { <p class="notice" role="status" data-testid="email-sent">"Check your inbox: open the link in this browser to add the address."</p> })}
                <ActionForm action=add attr:class="stack" attr:data-testid="add-email">
                    <div class="field">
                        <label for="add-email">"Add an email address"</label>
                        <input id="add-email" type="email" name="email" required maxlength="254" autocomplete="email" />
                    </div>
                    {action_error(add.value())}
                    <button type="submit" class="button button-quiet">"Send a confirmation link"</button>
                </ActionForm>
            })}
            {(!no_email).then(|| view! {
                {change_sent.then(|| view! { <p class="notice" role="status" data-testid="change-sent">"Check the new address's inbox: open the link in this browser to use it."</p> })}
                <ActionForm action=change attr:class="stack" attr:data-testid="change-email">
                    <div class="field">
                        <label for="change-email">"Change your email address"</label>
                        <input id="change-email" type="email" name="email" required maxlength="254" autocomplete="email" />
                    </div>
                    {action_error(change.value())}
                    <button type="submit" class="button button-quiet">"Send a link to the new address"</button>
                </ActionForm>
            })}
            {action_error(unlink.value())}
            {action_error(remove.value())}
            <crate::auth::PasskeyButton kind="register" label="Add a passkey" with_name=true />
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
