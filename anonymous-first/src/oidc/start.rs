//! Leaving for the provider: a fresh `state`, `nonce` and PKCE verifier, kept
//! server-side with the guest this browser holds and where to go after, and a
//! key for an HttpOnly cookie that binds the answer to this browser.

use super::{FLOW_MINUTES, OidcError, Providers};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use crate::tokens;
use anyhow::Context as _;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope};

/// Why the browser goes to the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Sign in (or make an account), bringing this browser's guest along.
    SignIn,
    /// A member adds this provider as one more way into their account.
    Link,
}

/// Where to send the browser, and the cookie's key.
#[derive(Debug)]
pub struct Started {
    /// The provider's authorization URL.
    pub url: String,
    /// A random key for the app's HttpOnly cookie that binds the answer to
    /// this browser (given back to [`super::finish`]).
    pub browser_key: String,
}

/// Starts a sign-in with provider `provider` (or, with [`Intent::Link`], a
/// member signed in here recently adding it); `next`: where to go after,
/// made a path of the site.
pub async fn start<P: ProfileRow>(
    id: &Identity,
    providers: &Providers,
    caller: &Caller<P>,
    provider: &str,
    next: &str,
    intent: Intent,
) -> Result<Started, OidcError> {
    let link_to = match (intent, caller.user()) {
        (Intent::Link, Some(user)) if !user.is_guest() => Some(user.id()),
        (Intent::Link, _) => return Err(OidcError::SignedOut),
        (Intent::SignIn, _) => None,
    };
    // A stolen or unattended session must not add a lasting way in.
    if link_to.is_some() && !crate::account::recent(&id.config, caller) {
        return Err(OidcError::NeedsRecentSignIn(id.config.reauth_minutes));
    }
    let client = providers.require(provider, false).await?;
    providers
        .per_client
        .hit(&id.pool, &caller.client())
        .await?
        .map_err(OidcError::TooMany)?;
    let (state, nonce, verifier, browser_key) = (
        tokens::generate()?,
        tokens::generate()?,
        tokens::generate()?,
        tokens::generate()?,
    );
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.clone()));
    let next = crate::redirect::safe_next(Some(next));
    sqlx::query(
        "INSERT INTO oidc_logins (state_hash, browser_hash, provider, pkce_verifier, nonce, guest_id, link_to, next_path, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(mins => $9))",
    )
    .bind(tokens::hash(&state).context("generated state is malformed")?)
    .bind(tokens::hash(&browser_key).context("generated key is malformed")?)
    .bind(provider)
    .bind(&verifier)
    .bind(&nonce)
    .bind(caller.session.guest())
    .bind(link_to)
    .bind(&next)
    .bind(FLOW_MINUTES as i32)
    .execute(&id.pool)
    .await
    .context("failed to store the sign-in attempt")?;
    let (url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || CsrfToken::new(state),
            move || Nonce::new(nonce),
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Started {
        url: url.to_string(),
        browser_key,
    })
}
