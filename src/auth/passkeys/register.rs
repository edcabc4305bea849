//! Adding a passkey: a member adds one more way in (after a recent sign-in,
//! like a first password), and a guest keeps its dogs with one, becoming a
//! member in place without an address.

use super::{Started, keep, take};
use crate::auth::context::Caller;
use crate::auth::errors::PasskeyError;
use crate::auth::merge;
use crate::auth::user::User;
use crate::context::Context;
use crate::limits::LimitedAction;
use anyhow::Context as _;
use webauthn_rs::prelude::{CredentialID, Passkey, PasskeyRegistration, RegisterPublicKeyCredential};

/// A passkey's name: what the person typed, or a plain default.
fn name_of(typed: &str) -> Result<String, PasskeyError> {
    let name = typed.trim();
    let name = if name.is_empty() { "Passkey" } else { name };
    if name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(PasskeyError::BadName);
    }
    Ok(name.to_owned())
}

/// Starts adding a passkey to the caller (a member or a guest).
pub async fn start(ctx: &Context, caller: &Caller, name: &str) -> Result<Started, PasskeyError> {
    let webauthn = ctx.passkeys.get()?;
    let user = caller.user().cloned().ok_or(PasskeyError::SignedOut)?;
    let name = name_of(name)?;
    if !user.is_guest() {
        crate::auth::account::require_recent_sign_in(ctx, caller, "add a passkey")
            .map_err(|_| PasskeyError::NeedsRecentSignIn(ctx.config.reauth_minutes))?;
    }
    let client = caller.client();
    let checks = [(LimitedAction::PasskeyPerClient, client.as_str())];
    ctx.limit(&checks).await?.map_err(PasskeyError::TooMany)?;
    let existing: Vec<Vec<u8>> = sqlx::query_scalar("SELECT credential_id FROM passkeys WHERE user_id = $1")
        .bind(user.id())
        .fetch_all(&ctx.pool)
        .await
        .context("failed to list passkeys")?;
    let label = user.label().unwrap_or("Paws Inside member").to_owned();
    let exclude: Vec<CredentialID> = existing;
    let (options, state) = webauthn
        .start_passkey_registration(user.id(), &label, &label, Some(exclude).filter(|e| !e.is_empty()))
        .context("failed to start passkey registration")?;
    let mut options = serde_json::to_value(&options).context("failed to encode the options")?;
    // Discoverable, so it signs in without typing anything first.
    options["publicKey"]["authenticatorSelection"]["residentKey"] = "required".into();
    options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = true.into();
    let state = serde_json::to_value(&state).context("failed to keep the registration state")?;
    let ceremony = keep(&ctx.pool, "register", Some(user.id()), Some(&name), state).await?;
    Ok(Started { ceremony, options })
}

/// Checks the new credential and stores it; a guest becomes a member in place
/// (its session rotates). Returns where to go.
pub async fn finish(
    ctx: &Context,
    caller: &mut Caller,
    ceremony: &str,
    credential: serde_json::Value,
) -> Result<String, PasskeyError> {
    let webauthn = ctx.passkeys.get()?;
    let (user_id, name, state) = take(&ctx.pool, ceremony, "register").await?;
    let user = caller.user().cloned().ok_or(PasskeyError::SignedOut)?;
    // The ceremony belongs to who started it, as the session is now.
    if user_id != Some(user.id()) {
        return Err(PasskeyError::SignedOut);
    }
    let state: PasskeyRegistration =
        serde_json::from_value(state).context("stored registration state is unreadable")?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(credential).map_err(|_| PasskeyError::Malformed)?;
    let passkey: Passkey = webauthn
        .finish_passkey_registration(&credential, &state)
        .map_err(|err| {
            tracing::warn!(error = %err, "passkey registration did not verify");
            PasskeyError::Rejected
        })?;
    // What the table keeps (the spec allows 16–1023 bytes).
    if !(16..=1023).contains(&AsRef::<[u8]>::as_ref(passkey.cred_id()).len()) {
        return Err(PasskeyError::Rejected);
    }
    let mut tx = ctx
        .pool
        .begin()
        .await
        .context("failed to begin adding the passkey")?;
    let still: Option<(bool, Option<String>)> =
        sqlx::query_as("SELECT is_anonymous, display_name FROM users WHERE id = $1 FOR UPDATE")
            .bind(user.id())
            .fetch_optional(&mut *tx)
            .await
            .context("failed to lock the account")?;
    let Some((was_guest, display_name)) = still else {
        return Err(PasskeyError::SignedOut);
    };
    let added = sqlx::query(
        "INSERT INTO passkeys (user_id, credential_id, user_handle, name, passkey)
         VALUES ($1, $2, $1, $3, $4) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(user.id())
    .bind(AsRef::<[u8]>::as_ref(passkey.cred_id()))
    .bind(name.as_deref().unwrap_or("Passkey"))
    .bind(serde_json::to_value(&passkey).context("failed to encode the passkey")?)
    .execute(&mut *tx)
    .await
    .context("failed to store the passkey")?
    .rows_affected();
    if added == 0 {
        return Err(PasskeyError::Duplicate);
    }
    if !was_guest {
        tx.commit().await.context("failed to commit the passkey")?;
        tracing::info!(user = %user.id(), "passkey added");
        return Ok("/account?passkey=added".to_owned());
    }
    // The guest keeps its dogs: a member now, in place, signed in only here.
    merge::end_sessions(&mut tx, user.id()).await?;
    sqlx::query("DELETE FROM guest_mint_keys WHERE user_id = $1")
        .bind(user.id())
        .execute(&mut *tx)
        .await
        .context("failed to retire the guest's mint keys")?;
    sqlx::query("UPDATE users SET is_anonymous = false WHERE id = $1")
        .bind(user.id())
        .execute(&mut *tx)
        .await
        .context("failed to promote the guest")?;
    let member = User::Member {
        id: user.id(),
        email: None,
        display_name,
        admin: false,
    };
    let notice = "Your passkey is saved: everything you added is now in your account.".to_owned();
    let rotation = caller
        .session
        .open(&mut tx, member, &caller.user_agent, Some(notice))
        .await?;
    tx.commit().await.context("failed to commit the passkey")?;
    caller.session.adopt(rotation).await?;
    merge::count_outcomes(&[merge::Outcome::Promoted]);
    tracing::info!(user = %user.id(), "guest kept its dogs with a passkey");
    Ok("/account?passkey=kept".to_owned())
}
