//! Adding a passkey: a member adds one more way in (after a recent sign-in,
//! like a first password, decided again on the session row the ending
//! locks), and a guest keeps its dogs with one, becoming a member in place
//! without an address. Finishing is a way into the one ending: a guest
//! promoted or merged elsewhere while the answer was on its way adds nothing.

use super::{Started, keep, take};
use crate::auth::Caller;
use crate::auth::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use crate::auth::errors::PasskeyError;
use crate::auth::preview::ClaimChoice;
use crate::context::Context;
use crate::limits::LimitedAction;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;
use webauthn_rs::prelude::{CredentialID, Passkey, PasskeyRegistration, RegisterPublicKeyCredential};

/// A passkey's name: what the person typed, or a plain default.
fn name_of(typed: &str) -> Result<String, PasskeyError> {
    const NAME: crate::text::Field = crate::text::Field::line("The passkey's name", 60);
    let name = NAME
        .read(typed)
        .map_err(|e| PasskeyError::BadName(e.to_string()))?;
    Ok(name
        .non_empty()
        .map_or_else(|| "Passkey".to_owned(), String::from))
}

/// Starts adding a passkey to the caller (a member or a guest), answerable
/// only in this browser (`held`: the key it holds already, if any).
pub async fn start(
    ctx: &Context,
    caller: &Caller,
    name: &str,
    held: Option<&str>,
) -> Result<Started, PasskeyError> {
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
    let (ceremony, browser_key) =
        keep(&ctx.pool, "register", Some(user.id()), Some(&name), state, held).await?;
    Ok(Started {
        ceremony,
        options,
        browser_key,
    })
}

/// A new credential for the user signed in here, for the ending.
struct AddPasskey {
    user: Uuid,
    guest: bool,
    name: String,
    passkey: Passkey,
}

impl Way<crate::auth::Profile> for AddPasskey {
    type Error = PasskeyError;

    async fn redeem(&mut self, _: &Caller, conn: &mut PgConnection) -> Result<Proof, PasskeyError> {
        let whom = if self.guest {
            Whom::ThisGuest
        } else {
            let member: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND NOT is_anonymous FOR UPDATE")
                    .bind(self.user)
                    .fetch_optional(conn)
                    .await
                    .context("failed to lock the account")?;
            member.ok_or(PasskeyError::Changed)?;
            Whom::ThisMember { recent: true }
        };
        let next = match self.guest {
            true => "/account?passkey=kept",
            false => "/account?passkey=added",
        };
        Ok(Proof {
            method: Method::PasskeyAdded,
            whom,
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: next.to_owned(),
        })
    }

    async fn attach(&mut self, conn: &mut PgConnection, account: Uuid) -> Result<(), PasskeyError> {
        // The credential names the user it was made for as its handle.
        if account != self.user {
            return Err(PasskeyError::Changed);
        }
        let added = sqlx::query(
            "INSERT INTO passkeys (user_id, credential_id, user_handle, name, passkey)
             VALUES ($1, $2, $1, $3, $4) ON CONFLICT (credential_id) DO NOTHING",
        )
        .bind(account)
        .bind(AsRef::<[u8]>::as_ref(self.passkey.cred_id()))
        .bind(&self.name)
        .bind(serde_json::to_value(&self.passkey).context("failed to encode the passkey")?)
        .execute(conn)
        .await
        .context("failed to store the passkey")?
        .rows_affected();
        if added == 0 {
            return Err(PasskeyError::Duplicate);
        }
        tracing::info!(user = %account, "passkey added");
        Ok(())
    }
}

/// Checks the new credential (only in the browser that started the
/// ceremony, `held`, and only for the user it was started for) and stores it
/// through the one ending; a guest becomes a member in place (its session
/// rotates). Returns where to go.
pub async fn finish(
    ctx: &Context,
    caller: &mut Caller,
    ceremony: &str,
    credential: serde_json::Value,
    held: Option<&str>,
) -> Result<Ended, PasskeyError> {
    let webauthn = ctx.passkeys.get()?;
    let (user_id, name, state) = take(&ctx.pool, ceremony, "register", held).await?;
    let user = caller.user().cloned().ok_or(PasskeyError::SignedOut)?;
    // The ceremony belongs to who started it, as the session was when this
    // request began; the ending checks it still is, under lock.
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
    let way = AddPasskey {
        user: user.id(),
        guest: user.is_guest(),
        name: name.unwrap_or_else(|| "Passkey".to_owned()),
        passkey,
    };
    ending::end(ctx, caller, way).await
}
