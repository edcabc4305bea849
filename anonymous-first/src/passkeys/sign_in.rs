//! Signing in with a passkey: the browser offers whichever of the site's it
//! holds (discoverable credentials: no address typed), the credential row
//! decides the account, and the one ending brings this browser's guest into
//! it, in the transaction that also stores the new counter and rotates the
//! session.

use super::{PasskeyError, Passkeys, Started, keep, take};
use crate::claim::ClaimChoice;
use crate::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;
use webauthn_rs::Webauthn;
use webauthn_rs::prelude::{DiscoverableAuthentication, Passkey, PublicKeyCredential, WebauthnError};

/// Starts a sign-in: a challenge for any of the site's passkeys, answerable
/// only in this browser (`held`: the key it holds already, if any).
pub async fn start<P: ProfileRow>(
    id: &Identity,
    passkeys: &Passkeys,
    caller: &Caller<P>,
    held: Option<&str>,
) -> Result<Started, PasskeyError> {
    let webauthn = passkeys.get()?;
    passkeys.hit(&id.pool, &caller.client()).await?;
    let (options, state) = webauthn
        .start_discoverable_authentication()
        .context("failed to start passkey sign-in")?;
    let state = serde_json::to_value(&state).context("failed to keep the sign-in state")?;
    let (ceremony, browser_key) = keep(&id.pool, "sign_in", None, None, state, held).await?;
    Ok(Started {
        ceremony,
        options: serde_json::to_value(&options).context("failed to encode the options")?,
        browser_key,
    })
}

/// A passkey's answer to a challenge, for the ending.
struct ByPasskey<'a> {
    webauthn: &'a Webauthn,
    state: Option<DiscoverableAuthentication>,
    credential: PublicKeyCredential,
    handle: Uuid,
    credential_id: Vec<u8>,
    next: String,
}

impl<P: ProfileRow> Way<P> for ByPasskey<'_> {
    type Error = PasskeyError;

    /// Something the person has, unlocked by something they are or know.
    fn two_factors(&self) -> bool {
        true
    }

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, PasskeyError> {
        // Whose it is, then the locks in the order every flow takes them: the
        // address (as the address flows do), the account, then the passkey
        // (two sign-ins with one passkey take turns with its counter).
        let owner: Option<(Uuid, Option<String>)> = sqlx::query_as(
            "SELECT p.user_id, u.email FROM passkeys p JOIN users u ON u.id = p.user_id
             WHERE p.credential_id = $1 AND p.user_handle = $2",
        )
        .bind(&self.credential_id)
        .bind(self.handle)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to look up the passkey")?;
        let Some((user_id, address)) = owner else {
            return Err(PasskeyError::UnknownCredential);
        };
        if let Some(email) = &address {
            crate::merge::lock_address(conn, email).await?;
        }
        let member: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND NOT is_anonymous FOR UPDATE")
                .bind(user_id)
                .fetch_optional(&mut *conn)
                .await
                .context("failed to lock the account")?;
        if member.is_none() {
            return Err(PasskeyError::UnknownCredential);
        }
        let row: Option<(Uuid, serde_json::Value)> = sqlx::query_as(
            "SELECT id, passkey FROM passkeys
             WHERE credential_id = $1 AND user_handle = $2 AND user_id = $3 FOR UPDATE",
        )
        .bind(&self.credential_id)
        .bind(self.handle)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to lock the passkey")?;
        // Removed (or moved) since the first look.
        let Some((row_id, stored)) = row else {
            return Err(PasskeyError::UnknownCredential);
        };
        let mut passkey: Passkey = serde_json::from_value(stored).context("stored passkey is unreadable")?;
        let state = self.state.take().ok_or(PasskeyError::Expired)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(&self.credential, state, &passkey)
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
            .execute(conn)
            .await
            .context("failed to store the counter")?;
        Ok(Proof {
            method: Method::Passkey,
            whom: Whom::Member {
                id: user_id,
                first_proof: false,
                password: None,
            },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: std::mem::take(&mut self.next),
        })
    }
}

/// Checks the passkey's answer (only in the browser that started the
/// ceremony, `held`) and signs this browser in as its account, bringing the
/// browser's guest; `next` (made a path of the site) is where to go.
pub async fn finish<P: ProfileRow>(
    id: &Identity,
    passkeys: &Passkeys,
    caller: &mut Caller<P>,
    ceremony: &str,
    credential: serde_json::Value,
    next: &str,
    held: Option<&str>,
) -> Result<Ended, PasskeyError> {
    let webauthn = passkeys.get()?;
    let (_, _, state) = take(&id.pool, ceremony, "sign_in", held).await?;
    let state: DiscoverableAuthentication =
        serde_json::from_value(state).context("stored sign-in state is unreadable")?;
    let credential: PublicKeyCredential =
        serde_json::from_value(credential).map_err(|_| PasskeyError::Malformed)?;
    let (handle, credential_id) = webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|_| PasskeyError::Malformed)?;
    let way = ByPasskey {
        webauthn,
        state: Some(state),
        credential_id: credential_id.to_vec(),
        credential,
        handle,
        next: crate::redirect::safe_next(Some(next)),
    };
    ending::end(id, caller, way).await
}
