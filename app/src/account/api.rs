//! Server functions of the account page. Members manage their password,
//! sessions and account; guests see what they made and may discard it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::{bad_request, not_found, pool, unexpected};

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
        /// Address.
        email: String,
        /// Whether it was confirmed.
        verified: bool,
        /// Whether a password is set (magic-link accounts may have none).
        has_password: bool,
        /// Live sessions.
        sessions: Vec<SessionView>,
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
    use paws_inside::db::{accounts, claim};
    let Some(user) = crate::auth::session::current().await else {
        return Ok(AccountView::Visitor);
    };
    let pool = pool()?;
    if user.is_anonymous {
        let mut conn = pool.acquire().await.map_err(|e| unexpected(e.into()))?;
        return Ok(AccountView::Guest(
            claim::guest_data(&mut conn, user.id).await.map_err(unexpected)?,
        ));
    }
    let Some(account) = accounts::account(&pool, user.id).await.map_err(unexpected)? else {
        return Ok(AccountView::Visitor);
    };
    let current = crate::auth::session::handle()
        .await?
        .id()
        .map(|id| id.to_string());
    let sessions = accounts::sessions(&pool, user.id, current.as_deref())
        .await
        .map_err(unexpected)?
        .into_iter()
        .map(|s| SessionView {
            handle: s.handle,
            device: describe_agent(&s.user_agent),
            since: s.created_at,
            last_seen: s.last_seen_at,
            current: s.current,
        })
        .collect();
    Ok(AccountView::Member {
        email: account.email,
        verified: account.verified,
        has_password: account.has_password,
        sessions,
    })
}

/// The signed-in member, or 404 for guests and visitors (account-only actions).
#[cfg(feature = "ssr")]
async fn member() -> Result<paws_inside::SessionUser, ServerFnError> {
    crate::auth::session::current()
        .await
        .filter(|u| !u.is_anonymous)
        .ok_or_else(|| not_found("Sign in to manage your account."))
}

/// Sets a new password; needs the current one when there is one.
#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_password(
    #[server(default)] current: String,
    #[server(default)] new_password: String,
    #[server(default)] sign_out_others: Option<String>,
) -> Result<(), ServerFnError> {
    use paws_inside::db::accounts;
    let user = member().await?;
    let email = user.email.clone().unwrap_or_default();
    paws_inside::password::check(&new_password, &email).map_err(|e| bad_request(&e.to_string()))?;
    let hasher: paws_inside::password::Hasher =
        use_context().ok_or_else(|| unexpected(anyhow::anyhow!("no Hasher in context")))?;
    let pool = pool()?;
    if let Some(stored) = accounts::password_hash(&pool, user.id)
        .await
        .map_err(unexpected)?
        && !hasher.verify(current, Some(stored)).await.map_err(unexpected)?
    {
        return Err(bad_request("Your current password is not right."));
    }
    let hash = hasher.hash(new_password).await.map_err(unexpected)?;
    let mut conn = pool.acquire().await.map_err(|e| unexpected(e.into()))?;
    accounts::set_password(&mut conn, user.id, &hash)
        .await
        .map_err(unexpected)?;
    if sign_out_others.is_some() {
        let keep = crate::auth::session::handle()
            .await?
            .id()
            .map(|id| id.to_string());
        accounts::revoke_other_sessions(&mut conn, user.id, keep.as_deref())
            .await
            .map_err(unexpected)?;
    }
    leptos_axum::redirect("/account?password=1");
    Ok(())
}

/// Signs one device out (by its handle from the session list).
#[server(prefix = "/api", endpoint = "account/revoke")]
pub async fn revoke_session(#[server(default)] handle: String) -> Result<(), ServerFnError> {
    let user = member().await?;
    if !paws_inside::db::accounts::revoke_session(&pool()?, user.id, &handle)
        .await
        .map_err(unexpected)?
    {
        return Err(not_found("That session has already ended."));
    }
    leptos_axum::redirect("/account");
    Ok(())
}

/// Signs every other device out.
#[server(prefix = "/api", endpoint = "account/revoke-others")]
pub async fn revoke_other_sessions() -> Result<(), ServerFnError> {
    let user = member().await?;
    let keep = crate::auth::session::handle()
        .await?
        .id()
        .map(|id| id.to_string());
    let mut conn = pool()?.acquire().await.map_err(|e| unexpected(e.into()))?;
    paws_inside::db::accounts::revoke_other_sessions(&mut conn, user.id, keep.as_deref())
        .await
        .map_err(unexpected)?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// Deletes the member's account with its dogs, photos (and files) and
/// suggestions. Needs a sign-in within the last 10 minutes and the address typed.
#[server(prefix = "/api", endpoint = "account/delete")]
pub async fn delete_account(#[server(default)] confirm_email: String) -> Result<(), ServerFnError> {
    let user = member().await?;
    let session = crate::auth::session::handle().await?;
    let window = use_context::<crate::auth::AuthConfig>().map_or(10, |c| c.reauth_minutes) * 60;
    let fresh = crate::auth::session::seconds_since_sign_in(&session)
        .await
        .is_some_and(|s| s < window.max(1));
    if !fresh {
        return Err(bad_request(&format!(
            "For your safety, sign in again (within the last {} minutes) to delete your account.",
            window / 60
        )));
    }
    if !confirm_email
        .trim()
        .eq_ignore_ascii_case(user.email.as_deref().unwrap_or_default())
    {
        return Err(bad_request("Type your email address exactly to confirm."));
    }
    erase(user.id, &session).await?;
    leptos_axum::redirect("/sign-in?deleted=1");
    Ok(())
}

/// Deletes this browser's guest and everything it made, after confirmation.
#[server(prefix = "/api", endpoint = "account/discard-guest")]
pub async fn discard_guest(#[server(default)] confirm: Option<String>) -> Result<(), ServerFnError> {
    let Some(user) = crate::auth::session::current().await.filter(|u| u.is_anonymous) else {
        return Err(not_found("There is no guest data in this browser."));
    };
    if confirm.is_none() {
        return Err(bad_request("Tick the box to confirm."));
    }
    erase(user.id, &crate::auth::session::handle().await?).await?;
    leptos_axum::redirect("/?discarded=1");
    Ok(())
}

/// Deletes a user's rows (one transaction), then its photo files, then the session.
#[cfg(feature = "ssr")]
async fn erase(user: uuid::Uuid, session: &tower_sessions::Session) -> Result<(), ServerFnError> {
    let keys = paws_inside::db::accounts::delete_user(&pool()?, user)
        .await
        .map_err(unexpected)?;
    if let Some(photos) = use_context::<paws_inside::media::PhotoService>() {
        for key in &keys {
            photos.store.remove(key).await;
        }
    }
    session.flush().await.map_err(|e| unexpected(e.into()))?;
    tracing::info!(%user, photos = keys.len(), "user deleted");
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
