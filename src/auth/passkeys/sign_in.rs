//! Signing in with a passkey: the browser offers whichever of ours it holds
//! (discoverable credentials: no address typed), the credential row decides
//! the account, and this browser's guest is merged into it, in one
//! transaction that also stores the new counter and rotates the session.

use super::{Started, keep, take};
use crate::auth::context::Caller;
use crate::auth::errors::PasskeyError;
use crate::auth::merge;
use crate::auth::user::User;
use crate::context::Context;
use crate::limits::LimitedAction;
use anyhow::Context as _;
use uuid::Uuid;
use webauthn_rs::prelude::{DiscoverableAuthentication, Passkey, PublicKeyCredential, WebauthnError};

/// Starts a sign-in: a challenge for any of our passkeys.
pub async fn start(ctx: &Context, caller: &Caller) -> Result<Started, PasskeyError> {
    let webauthn = ctx.passkeys.get()?;
    let client = caller.client();
    let checks = [(LimitedAction::PasskeyPerClient, client.as_str())];
    ctx.limit(&checks).await?.map_err(PasskeyError::TooMany)?;
    let (options, state) = webauthn
        .start_discoverable_authentication()
        .context("failed to start passkey sign-in")?;
    let state = serde_json::to_value(&state).context("failed to keep the sign-in state")?;
    let ceremony = keep(&ctx.pool, "sign_in", None, None, state).await?;
    Ok(Started {
        ceremony,
        options: serde_json::to_value(&options).context("failed to encode the options")?,
    })
}

/// Checks the passkey's answer and signs this browser in as its account,
/// merging the browser's guest. Returns where to go (`next`, made safe).
pub async fn finish(
    ctx: &Context,
    caller: &mut Caller,
    ceremony: &str,
    credential: serde_json::Value,
    next: &str,
) -> Result<String, PasskeyError> {
    let webauthn = ctx.passkeys.get()?;
    let (_, _, state) = take(&ctx.pool, ceremony, "sign_in").await?;
    let state: DiscoverableAuthentication =
        serde_json::from_value(state).context("stored sign-in state is unreadable")?;
    let credential: PublicKeyCredential =
        serde_json::from_value(credential).map_err(|_| PasskeyError::Malformed)?;
    let (handle, credential_id) = webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|_| PasskeyError::Malformed)?;
    let mut tx = ctx
        .pool
        .begin()
        .await
        .context("failed to begin passkey sign-in")?;
    // Whose it is, then the locks in the order every flow takes them: the
    // address (as the email flows do), the account, then the passkey (two
    // sign-ins with one passkey take turns with its counter).
    let owner: Option<Uuid> =
        sqlx::query_scalar("SELECT user_id FROM passkeys WHERE credential_id = $1 AND user_handle = $2")
            .bind(credential_id)
            .bind(handle)
            .fetch_optional(&mut *tx)
            .await
            .context("failed to look up the passkey")?;
    let Some(user_id) = owner else {
        return Err(PasskeyError::UnknownCredential);
    };
    let address: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await
        .context("failed to read the account")?
        .flatten();
    if let Some(email) = &address {
        merge::lock_address(&mut tx, email).await?;
    }
    let member: Option<(Option<String>, Option<String>, bool)> = sqlx::query_as(
        "SELECT email, display_name, role = 'admin' FROM users WHERE id = $1 AND NOT is_anonymous FOR UPDATE",
    )
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to read the account")?;
    let Some((email, display_name, admin)) = member else {
        return Err(PasskeyError::UnknownCredential);
    };
    let row: Option<(Uuid, serde_json::Value)> = sqlx::query_as(
        "SELECT id, passkey FROM passkeys
         WHERE credential_id = $1 AND user_handle = $2 AND user_id = $3 FOR UPDATE",
    )
    .bind(credential_id)
    .bind(handle)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock the passkey")?;
    // Removed (or moved) since the first look.
    let Some((row_id, stored)) = row else {
        return Err(PasskeyError::UnknownCredential);
    };
    let mut passkey: Passkey = serde_json::from_value(stored).context("stored passkey is unreadable")?;
    let result = webauthn
        .finish_discoverable_authentication_v2(&credential, state, &passkey)
        .map_err(|err| {
            tracing::warn!(passkey = %row_id, error = %err, "passkey sign-in did not verify");
            match err {
                WebauthnError::CredentialPossibleCompromise => PasskeyError::Cloned,
                _ => PasskeyError::Rejected,
            }
        })?;
    passkey.update_credential(&result);
    sqlx::query("UPDATE passkeys SET passkey = $2, last_used_at = now() WHERE id = $1")
        .bind(row_id)
        .bind(serde_json::to_value(&passkey).context("failed to encode the passkey")?)
        .execute(&mut *tx)
        .await
        .context("failed to store the counter")?;
    let guests = merge::lock_guests(&mut tx, &caller.session.guest().into_iter().collect::<Vec<_>>()).await?;
    let mut outcomes = Vec::new();
    for guest in guests {
        outcomes.push(merge::merge_or_record(&mut tx, guest, user_id).await?);
    }
    let user = User::Member {
        id: user_id,
        email,
        display_name,
        admin,
    };
    let notice = merge::notice(&outcomes, false);
    let rotation = caller
        .session
        .open(&mut tx, user, &caller.user_agent, Some(notice))
        .await?;
    tx.commit()
        .await
        .context("failed to commit the passkey sign-in")?;
    caller.session.adopt(rotation).await?;
    merge::count_outcomes(&outcomes);
    tracing::info!(user = %user_id, passkey = %row_id, "signed in with a passkey");
    Ok(crate::redirect::safe_next(Some(next)))
}
