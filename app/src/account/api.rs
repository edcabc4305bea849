//! Server functions of the account page. Members manage their password,
//! sessions and account; guests see what they made and may discard it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::unexpected;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};

/// One signed-in device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// Public name used to revoke it.
    pub handle: String,
    /// Browser and system, as its User-Agent says.
    pub device: String,
    /// Signed in at (UTC).
    pub since: String,
    /// Last active (UTC).
    pub last_seen: String,
    /// The device making this request.
    pub current: bool,
}

/// What the account page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AccountView {
    /// No session: nothing to show but a sign-in link.
    Visitor,
    /// A guest and what it has made.
    Guest(paws_inside::GuestData),
    /// A member.
    Member {
        /// Address (`None`: signed in through a provider only).
        email: Option<String>,
        /// Whether it was confirmed.
        verified: bool,
        /// Whether a password is set (magic-link accounts may have none).
        has_password: bool,
        /// The name suggestions are credited to.
        display_name: Option<String>,
        /// Live sessions.
        sessions: Vec<SessionView>,
        /// Linked "Sign in with …" providers.
        linked: Vec<super::ways_in::LinkedView>,
        /// Passkeys.
        passkeys: Vec<super::ways_in::PasskeyView>,
    },
}

/// "Chrome on Linux" from a User-Agent, roughly; the raw string when unsure.
pub fn describe_agent(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) if agent.is_empty() => "Unknown device".to_owned(),
        (None, None) => agent.chars().take(60).collect(),
    }
}

/// The account page's data for this browser's session.
#[server(prefix = "/api", endpoint = "account/get")]
pub async fn account() -> Result<AccountView, ServerFnError> {
    use paws_inside::auth::account::{Overview, overview};
    let (ctx, caller) = (ctx()?, caller().await?);
    let view = match overview(&ctx, &caller).await.map_err(unexpected)? {
        Overview::Visitor => AccountView::Visitor,
        Overview::Guest(data) => AccountView::Guest(data),
        Overview::Member(account, sessions) => AccountView::Member {
            passkeys: paws_inside::auth::passkeys::manage::list(&ctx, account.id)
                .await
                .map_err(unexpected)?
                .into_iter()
                .map(|p| super::ways_in::PasskeyView {
                    id: p.id.to_string(),
                    name: p.name,
                    since: p.since,
                    last_used: p.last_used,
                })
                .collect(),
            linked: paws_inside::auth::oidc::identities::list(&ctx, account.id)
                .await
                .map_err(unexpected)?
                .into_iter()
                .map(|l| super::ways_in::LinkedView {
                    provider: l.provider,
                    label: l.label,
                    email: l.email,
                    since: l.since,
                    last_used: l.last_used,
                })
                .collect(),
            email: account.email,
            verified: account.verified,
            has_password: account.has_password,
            display_name: account.display_name,
            sessions: sessions
                .into_iter()
                .map(|s| SessionView {
                    handle: s.handle,
                    device: describe_agent(&s.user_agent),
                    since: s.created_at,
                    last_seen: s.last_seen_at,
                    current: s.current,
                })
                .collect(),
        },
    };
    Ok(view)
}

/// Sets the name the member's suggestions are credited to.
#[server(prefix = "/api", endpoint = "account/name")]
pub async fn set_display_name(#[server(default)] name: String) -> Result<(), ServerFnError> {
    paws_inside::auth::account::set_display_name(&ctx()?, &caller().await?, &name)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account?name=1");
    Ok(())
}

/// Sets a new password; needs the current one when there is one.
#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_password(
    #[server(default)] current: String,
    #[server(default)] new_password: String,
    #[server(default)] sign_out_others: Option<String>,
) -> Result<(), ServerFnError> {
    paws_inside::auth::password::change_password(
        &ctx()?,
        &caller().await?,
        current,
        new_password,
        sign_out_others.is_some(),
    )
    .await
    .map_err(fail)?;
    leptos_axum::redirect("/account?password=1");
    Ok(())
}

/// Signs one device out (by its handle from the session list).
#[server(prefix = "/api", endpoint = "account/revoke")]
pub async fn revoke_session(#[server(default)] handle: String) -> Result<(), ServerFnError> {
    paws_inside::auth::account::revoke_session(&ctx()?, &caller().await?, &handle)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// Signs every other device out.
#[server(prefix = "/api", endpoint = "account/revoke-others")]
pub async fn revoke_other_sessions() -> Result<(), ServerFnError> {
    paws_inside::auth::account::revoke_other_sessions(&ctx()?, &caller().await?)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// Deletes the member's account with its dogs, photos (and files) and
/// suggestions. Needs a recent sign-in and the address typed.
#[server(prefix = "/api", endpoint = "account/delete")]
pub async fn delete_account(#[server(default)] confirm_email: String) -> Result<(), ServerFnError> {
    let mut caller = caller().await?;
    paws_inside::auth::account::delete_account(&ctx()?, &mut caller, &confirm_email)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/sign-in?deleted=1");
    Ok(())
}

/// Deletes this browser's guest and everything it made, after confirmation.
#[server(prefix = "/api", endpoint = "account/discard-guest")]
pub async fn discard_guest(#[server(default)] confirm: Option<String>) -> Result<(), ServerFnError> {
    let mut caller = caller().await?;
    paws_inside::auth::account::discard_guest(&ctx()?, &mut caller, confirm.is_some())
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/?discarded=1");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn devices() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(super::describe_agent(chrome), "Chrome on Linux");
        assert_eq!(super::describe_agent(""), "Unknown device");
        assert_eq!(super::describe_agent("curl/8.0"), "curl/8.0");
    }
}
