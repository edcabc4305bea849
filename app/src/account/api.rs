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
    /// Browser and system, as its User-Agent says, and the day it was first
    /// signed in: "Safari 17 on iPhone (iOS 17.4), since 6 Dec 2026".
    pub device: String,
    /// The day of its last activity.
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
        /// Backup codes left when two-step sign-in is on; `None`: off.
        two_step: Option<usize>,
        /// Browsers that skip the two-step code.
        trusted: Vec<super::two_step::TrustedView>,
    },
}

/// "Safari 17 on iPhone (iOS 17.4)" from a User-Agent, roughly: browser and
/// major version, system and its version where the agent says it; the raw
/// string (cut) when it names neither. Two phones of one kind are told apart
/// by the day each was first signed in, which the list adds.
pub fn describe_agent(agent: &str) -> String {
    // First match wins: Edge and the iOS shells say "Safari" and "Chrome" too;
    // Safari's own version is in "Version/".
    let browser = [
        ("Edg/", "Edge", "Edg/"),
        ("EdgiOS/", "Edge", "EdgiOS/"),
        ("FxiOS/", "Firefox", "FxiOS/"),
        ("Firefox/", "Firefox", "Firefox/"),
        ("CriOS/", "Chrome", "CriOS/"),
        ("Chrome/", "Chrome", "Chrome/"),
        ("Safari/", "Safari", "Version/"),
    ]
    .into_iter()
    .find(|(marker, ..)| agent.contains(marker))
    .map(|(_, name, version)| match version_after(agent, version, '.') {
        Some(v) => format!("{name} {v}"),
        None => name.to_owned(),
    });
    let system = [
        ("Android", "Android", Some("Android ")),
        ("iPhone", "iPhone", Some("iPhone OS ")),
        ("iPad", "iPad", Some("CPU OS ")),
        ("Windows", "Windows", None),
        ("Mac OS X", "Mac", None),
        ("CrOS", "ChromeOS", None),
        ("Linux", "Linux", None),
    ]
    .into_iter()
    .find(|(marker, ..)| agent.contains(marker))
    .map(
        |(_, name, version)| match (name, version.and_then(|v| version_after(agent, v, ';'))) {
            ("Android", Some(v)) => format!("Android {v}"),
            (_, Some(v)) => format!("{name} (iOS {})", v.replace('_', ".")),
            _ => name.to_owned(),
        },
    );
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b,
        (None, Some(s)) => s,
        (None, None) if agent.is_empty() => "Unknown device".to_owned(),
        (None, None) => agent.chars().take(60).collect(),
    }
}

/// The version after `marker` in `agent`, up to `stop` (or a space or `)`):
/// digits, dots and underscores only, at most 12 characters.
fn version_after(agent: &str, marker: &str, stop: char) -> Option<String> {
    let rest = &agent[agent.find(marker)? + marker.len()..];
    let v: String = rest
        .chars()
        .take_while(|c| *c != stop && *c != ' ' && *c != ')')
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_')
        .take(12)
        .collect();
    (!v.is_empty() && v.starts_with(|c: char| c.is_ascii_digit())).then_some(v)
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
            two_step: paws_inside::auth::two_step::status(&ctx, account.id)
                .await
                .map_err(unexpected)?,
            trusted: super::two_step::trusted_views(&ctx, account.id)
                .await
                .map_err(unexpected)?,
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
                    device: format!("{}, since {}", describe_agent(&s.user_agent), s.created_at),
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
        assert_eq!(super::describe_agent(chrome), "Chrome 156 on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        assert_eq!(super::describe_agent(iphone), "Safari 17 on iPhone (iOS 17.4)");
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
        assert_eq!(super::describe_agent(android), "Chrome 120 on Android 14");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(super::describe_agent(edge), "Edge 120 on Windows");
        let firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0";
        assert_eq!(super::describe_agent(firefox), "Firefox 121 on Mac");
        assert_eq!(super::describe_agent(""), "Unknown device");
        assert_eq!(super::describe_agent("curl/8.0"), "curl/8.0");
    }
}
