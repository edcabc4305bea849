//! The admin's server functions over people: each converts its form and calls
//! one flow of `paws_inside::moderation::people_flows`, which answers 403 to
//! everyone but an admin (the crate re-reads the role, locked, for a write).

use leptos::prelude::*;
use paws_inside::moderation::people::{Audit, People, PersonPage};

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};
#[cfg(feature = "ssr")]
use paws_inside::moderation::people_flows as flows;

/// People whose address holds `q`, of `kind`, the latest seen first.
#[server(prefix = "/api", endpoint = "admin/people")]
pub async fn admin_people(
    #[server(default)] q: String,
    #[server(default)] kind: String,
    #[server(default)] page: u32,
) -> Result<People, ServerFnError> {
    flows::list(&ctx()?, &caller().await?, &q, &kind, page)
        .await
        .map_err(fail)
}

/// One person and what admins did to them.
#[server(prefix = "/api", endpoint = "admin/person")]
pub async fn admin_person(#[server(default)] id: String) -> Result<PersonPage, ServerFnError> {
    flows::page(&ctx()?, &caller().await?, &id).await.map_err(fail)
}

/// Suspends a person; their sessions end at once. Back to their page.
#[server(prefix = "/api", endpoint = "admin/ban")]
pub async fn admin_ban(
    #[server(default)] id: String,
    #[server(default)] reason: String,
    #[server(default)] length: String,
) -> Result<(), ServerFnError> {
    flows::ban(&ctx()?, &caller().await?, &id, &reason, &length)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&person_path(&id));
    Ok(())
}

/// Lifts a person's suspension. Back to their page.
#[server(prefix = "/api", endpoint = "admin/unban")]
pub async fn admin_unban(#[server(default)] id: String) -> Result<(), ServerFnError> {
    flows::unban(&ctx()?, &caller().await?, &id).await.map_err(fail)?;
    leptos_axum::redirect(&person_path(&id));
    Ok(())
}

/// What admins did to people, the latest first.
#[server(prefix = "/api", endpoint = "admin/audit")]
pub async fn admin_audit(#[server(default)] page: u32) -> Result<Audit, ServerFnError> {
    flows::audit(&ctx()?, &caller().await?, page).await.map_err(fail)
}

/// The person's admin page; only a well-formed id makes a path (the flow
/// accepted it), so the redirect stays on our own paths.
#[cfg(feature = "ssr")]
fn person_path(id: &str) -> String {
    match uuid::Uuid::parse_str(id.trim()) {
        Ok(id) => format!("/admin/people/{id}"),
        Err(_) => "/admin/people".to_owned(),
    }
}
