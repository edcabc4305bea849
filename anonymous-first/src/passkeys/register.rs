//! Adding a passkey: a member adds one more way in (after a recent sign-in
//! here, decided again on the session row the ending locks), and a guest
//! keeps what it made with one, becoming a member in place without an
//! address. Finishing is a way into the one ending: a guest promoted or
//! merged elsewhere while the answer was on its way adds nothing.

use super::{PasskeyError, Passkeys, Started, keep, take};
use crate::claim::ClaimChoice;
use crate::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;
use webauthn_rs::prelude::{CredentialID, Passkey, PasskeyRegistration, RegisterPublicKeyCredential};

/// The longest name a passkey keeps (characters).
pub const NAME_MAX: usize = 60;

/// A passkey's name: what the person typed, trimmed, or "Passkey". Joiners
/// are writing, kept; any other hidden character is refused.
fn name_of(typed: &str) -> Result<String, PasskeyError> {
    use crate::text::{invisible, joiner};
    let name = typed.trim();
    if name.chars().count() > NAME_MAX || name.chars().any(|c| invisible(c) && !joiner(c)) {
        return Err(PasskeyError::BadName);
    }
    Ok(if name.is_empty() { "Passkey" } else { name }.to_owned())
}

/// Starts adding a passkey named `name` to the caller (a member, signed in
/// here recently, or a guest), answerable only in this browser (`held`: the
/// key it holds already, if any).
pub async fn start<P: ProfileRow>(
    id: &Identity,
    passkeys: &Passkeys,
    caller: &Caller<P>,
    name: &str,
    held: Option<&str>,
) -> Result<Started, PasskeyError> {
    let webauthn = passkeys.get()?;
    let user = caller.user().cloned().ok_or(PasskeyError::SignedOut)?;
    let name = name_of(name)?;
    if !user.is_guest() && !crate::account::recent(&id.config, caller) {
        return Err(PasskeyError::NeedsRecentSignIn(id.config.reauth_minutes));
    }
    passkeys.hit(&id.pool, &caller.client()).await?;
    let existing: Vec<Vec<u8>> = sqlx::query_scalar("SELECT credential_id FROM passkeys WHERE user_id = $1")
        .bind(user.id())
        .fetch_all(&id.pool)
        .await
        .context("failed to list passkeys")?;
    let label = user.label().unwrap_or(&passkeys.member_label).to_owned();
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
        keep(&id.pool, "register", Some(user.id()), Some(&name), state, held).await?;
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
    next: String,
}

impl<P: ProfileRow> Way<P> for AddPasskey {
    type Error = PasskeyError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, PasskeyError> {
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
        Ok(Proof {
            method: Method::PasskeyAdded,
            whom,
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: std::mem::take(&mut self.next),
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
/// rotates). `next` (a path of the site) is where to go.
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
    let (user_id, name, state) = take(&id.pool, ceremony, "register", held).await?;
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
    // What the table keeps (the specification allows 16–1023 bytes).
    if !(16..=1023).contains(&AsRef::<[u8]>::as_ref(passkey.cred_id()).len()) {
        return Err(PasskeyError::Rejected);
    }
    let way = AddPasskey {
        user: user.id(),
        guest: user.is_guest(),
        name: name.unwrap_or_else(|| "Passkey".to_owned()),
        passkey,
        next: crate::redirect::safe_next(Some(next)),
    };
    ending::end(id, caller, way).await
}

#[cfg(test)]
mod tests {
    use super::{NAME_MAX, name_of};

    #[test]
    fn a_name_keeps_joined_writing_and_refuses_what_hides() {
        let joined = "🐕\u{200D}🦺 phone";
        assert_eq!(name_of(joined).unwrap(), joined);
        assert_eq!(name_of("  ").unwrap(), "Passkey");
        assert_eq!(name_of(&"é".repeat(NAME_MAX)).unwrap().chars().count(), NAME_MAX);
        for hidden in ["a\u{200B}b", "\u{202E}lmth", &"é".repeat(NAME_MAX + 1)] {
            assert!(name_of(hidden).is_err(), "{hidden:?}");
        }
    }
}
