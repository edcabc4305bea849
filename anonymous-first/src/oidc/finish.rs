//! Coming back from the provider: the attempt is used up (found by `state`,
//! only in the browser that started it), the code is exchanged with the PKCE
//! verifier, the ID token's signature, issuer, audience, expiry and `nonce`
//! are checked, and then [`super::sign_in`] decides who this browser is.

use super::sign_in::{self, Mode, Verified};
use super::{Finished, OidcError, Providers};
use crate::email::EmailAddress;
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use crate::tokens;
use anyhow::Context as _;
use openidconnect::core::CoreIdTokenClaims;
use openidconnect::{AuthorizationCode, ClaimsVerificationError, Nonce, PkceCodeVerifier, RequestTokenError};
use uuid::Uuid;

/// The query the provider sends the browser back with.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Callback {
    /// Ours, from [`super::start()`].
    #[serde(default)]
    pub state: String,
    /// The authorization code, on success.
    pub code: Option<String>,
    /// The provider's error code (`access_denied`: the person said no).
    pub error: Option<String>,
    /// The issuer that answered (RFC 9207), when the provider says.
    pub iss: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Attempt {
    pkce_verifier: String,
    nonce: String,
    guest_id: Option<Uuid>,
    link_to: Option<Uuid>,
    next_path: String,
}

/// Checks provider `provider`'s answer (only in the browser holding the
/// [`super::Started::browser_key`] it left with) and signs in, or links.
pub async fn finish<P: ProfileRow>(
    id: &Identity,
    providers: &Providers,
    caller: &mut Caller<P>,
    provider: &str,
    answer: &Callback,
    browser_key: Option<&str>,
) -> Result<Finished, OidcError> {
    let (Some(state), Some(browser)) = (tokens::hash(&answer.state), browser_key.and_then(tokens::hash))
    else {
        return Err(OidcError::Stale);
    };
    let key = browser.clone();
    // Used up before anything else: a replayed answer finds nothing.
    let attempt: Option<Attempt> = sqlx::query_as(
        "DELETE FROM oidc_logins
         WHERE state_hash = $1 AND browser_hash = $2 AND provider = $3 AND expires_at > now()
         RETURNING pkce_verifier, nonce, guest_id, link_to, next_path",
    )
    .bind(state)
    .bind(&key)
    .bind(provider)
    .fetch_optional(&id.pool)
    .await
    .context("failed to look up the sign-in attempt")?;
    let Some(attempt) = attempt else {
        return Err(OidcError::Stale);
    };
    // An answer naming another issuer is a mix-up attack (RFC 9207).
    if let Some(iss) = &answer.iss
        && providers
            .issuer(provider)
            .is_some_and(|ours| ours.trim_end_matches('/') != iss.trim_end_matches('/'))
    {
        tracing::warn!(provider, "the answer names another issuer");
        return Err(OidcError::Unverifiable);
    }
    match answer.error.as_deref() {
        Some("access_denied") => return Err(OidcError::Denied),
        Some(other) => {
            tracing::warn!(provider, error = %other.chars().take(64).collect::<String>(), "provider answered with an error");
            return Err(OidcError::ProviderRefused);
        }
        None => {}
    }
    let code = answer
        .code
        .clone()
        .filter(|c| !c.is_empty() && c.len() <= 2048)
        .ok_or(OidcError::Unverifiable)?;
    let verified = verify(providers, provider, code, &attempt).await?;
    match attempt.link_to {
        Some(member) => {
            sign_in::link(id, caller, member, &verified).await?;
            Ok(Finished::Linked)
        }
        None => {
            sign_in::sign_in(
                id,
                caller,
                &verified,
                attempt.guest_id,
                &attempt.next_path,
                Mode::Ask,
                &browser,
            )
            .await
        }
    }
}

/// Exchanges the code and checks the ID token; a signature that fails is
/// checked once more against freshly fetched keys (the provider rotated).
async fn verify(
    providers: &Providers,
    id: &str,
    code: String,
    attempt: &Attempt,
) -> Result<Verified, OidcError> {
    let client = providers.require(id, false).await?;
    let http = providers.http.client();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .context("the provider has no token endpoint")?
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|err| match err {
            RequestTokenError::Request(err) => OidcError::ProviderDown(anyhow::Error::new(err)),
            other => {
                tracing::warn!(provider = id, error = %other, "the provider refused the code");
                OidcError::Unverifiable
            }
        })?;
    let id_token = openidconnect::TokenResponse::id_token(&tokens).ok_or(OidcError::Unverifiable)?;
    let nonce = Nonce::new(attempt.nonce.clone());
    let claims: CoreIdTokenClaims = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(claims) => claims.clone(),
        Err(ClaimsVerificationError::SignatureVerification(_)) => {
            let fresh = providers.require(id, true).await?;
            id_token
                .claims(&fresh.id_token_verifier(), &nonce)
                .map_err(rejected(id))?
                .clone()
        }
        Err(err) => return Err(rejected(id)(err)),
    };
    let subject = claims.subject().as_str().to_owned();
    if subject.is_empty() || subject.len() > 255 {
        return Err(OidcError::Unverifiable);
    }
    let email = claims
        .email()
        .and_then(|e| EmailAddress::parse(e.as_str()).ok())
        .map(|e| e.as_str().to_owned());
    Ok(Verified {
        provider: id.to_owned(),
        subject,
        verified_email: email
            .clone()
            .filter(|_| claims.email_verified() == Some(true) && providers.trusts_email(id)),
        email,
    })
}

fn rejected(id: &str) -> impl Fn(ClaimsVerificationError) -> OidcError + '_ {
    move |err| {
        tracing::warn!(provider = id, error = %err, "the ID token did not verify");
        OidcError::Unverifiable
    }
}

/// The confirm page's answer (after [`Finished::Confirm`]): `link` the
/// provider to the account that has its address, or keep it as an account
/// of its own. Only in the browser that came back from the provider.
pub async fn confirm<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    browser_key: Option<&str>,
    link: bool,
) -> Result<Finished, OidcError> {
    let browser = browser_key.and_then(tokens::hash).ok_or(OidcError::Stale)?;
    let row: Option<(String, String, String, Option<Uuid>, String)> = sqlx::query_as(
        "DELETE FROM oidc_pending WHERE browser_hash = $1 AND expires_at > now()
         RETURNING provider, subject, email, guest_id, next_path",
    )
    .bind(&browser)
    .fetch_optional(&id.pool)
    .await
    .context("failed to look up the pending sign-in")?;
    let (provider, subject, email, guest, next) = row.ok_or(OidcError::Stale)?;
    let verified = Verified {
        provider,
        subject,
        email: Some(email.clone()),
        verified_email: Some(email),
    };
    let mode = if link { Mode::LinkExisting } else { Mode::Separate };
    sign_in::sign_in(id, caller, &verified, guest, &next, mode, &browser).await
}

/// What the confirm page shows: the provider's label and the masked address,
/// if this browser has a pending sign-in.
pub async fn pending(
    id: &Identity,
    providers: &Providers,
    browser_key: Option<&str>,
) -> anyhow::Result<Option<(String, String)>> {
    let Some(browser) = browser_key.and_then(tokens::hash) else {
        return Ok(None);
    };
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT provider, email FROM oidc_pending WHERE browser_hash = $1 AND expires_at > now()",
    )
    .bind(browser)
    .fetch_optional(&id.pool)
    .await
    .context("failed to look up the pending sign-in")?;
    Ok(row.map(|(provider, email)| {
        let masked = EmailAddress::parse(&email).map_or_else(|_| String::new(), |e| e.masked());
        (providers.label(&provider), masked)
    }))
}
