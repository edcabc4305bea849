//! Email + password: sign up, sign in, and asking for a reset link. Signing in
//! merges the browser's guest data exactly as a link claim does.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::error::{bad_request, pool, unexpected};
#[cfg(feature = "ssr")]
use paws_inside::db::rate_limit::{Limit, hit};

/// Sign-in attempts per account: a person mistyping, not a guessing machine.
#[cfg(feature = "ssr")]
const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    name: "sign_in_account",
    max: 10,
    window_secs: 900,
};
/// Sign-in attempts per client IP (IPv6 by /64).
#[cfg(feature = "ssr")]
const SIGN_IN_PER_CLIENT: Limit = Limit {
    name: "sign_in_client",
    max: 30,
    window_secs: 900,
};
/// Sign-ups and reset requests per client.
#[cfg(feature = "ssr")]
const MAIL_PER_CLIENT: Limit = Limit {
    name: "account_mail_client",
    max: 10,
    window_secs: 900,
};
/// Sign-ups and reset requests per address.
#[cfg(feature = "ssr")]
const MAIL_PER_EMAIL: Limit = Limit {
    name: "account_mail_email",
    max: 3,
    window_secs: 900,
};

/// Counts one hit per (limit, subject); the first one over answers 429.
#[cfg(feature = "ssr")]
async fn limit(checks: &[(Limit, &str)]) -> Result<(), ServerFnError> {
    let pool = pool()?;
    for (l, subject) in checks {
        if let Err(retry) = hit(&pool, *l, subject).await.map_err(unexpected)? {
            return Err(super::links::too_many(
                retry.0,
                "Too many attempts in a short time.",
            ));
        }
    }
    Ok(())
}

#[cfg(feature = "ssr")]
async fn client() -> String {
    super::session::client_ip()
        .await
        .map(paws_inside::db::rate_limit::client_subject)
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn services() -> Result<
    (
        paws_inside::password::Hasher,
        paws_inside::mail::Mailer,
        super::AuthConfig,
    ),
    ServerFnError,
> {
    let missing = |what: &str| unexpected(anyhow::anyhow!("no {what} in the request context"));
    Ok((
        use_context().ok_or_else(|| missing("Hasher"))?,
        use_context().ok_or_else(|| missing("Mailer"))?,
        use_context().ok_or_else(|| missing("AuthConfig"))?,
    ))
}

/// Creates an account (promoting this browser's guest in place) and emails a
/// verification link. An address that already has an account gets the same
/// answer here, and its owner an email saying someone tried.
#[server(prefix = "/api", endpoint = "auth/sign-up")]
pub async fn sign_up(
    #[server(default)] email: String,
    #[server(default)] password: String,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    use paws_inside::db::{accounts, tokens};
    if crate::bot::caught("sign_up", &website, &form_started) {
        leptos_axum::redirect("/sign-up?sent=1");
        return Ok(());
    }
    let email = paws_inside::EmailAddress::parse(&email).map_err(|e| bad_request(&e.to_string()))?;
    paws_inside::password::check(&password, email.as_str()).map_err(|e| bad_request(&e.to_string()))?;
    limit(&[
        (MAIL_PER_CLIENT, &client().await),
        (MAIL_PER_EMAIL, email.as_str()),
    ])
    .await?;
    let (hasher, mailer, config) = services()?;
    // Hash before knowing whether the address exists: both paths cost the same.
    let hash = hasher.hash(password).await.map_err(unexpected)?;
    let session = super::session::handle().await?;
    let guest = super::session::current()
        .await
        .filter(|u| u.is_anonymous)
        .map(|u| u.id);
    let pool = pool()?;
    match accounts::sign_up(&pool, email.as_str(), &hash, guest)
        .await
        .map_err(unexpected)?
    {
        accounts::SignUp::Promoted(id) | accounts::SignUp::Created(id) => {
            let user = paws_inside::SessionUser {
                id,
                is_anonymous: false,
                display_name: None,
                email: Some(email.to_string()),
            };
            let agent = super::session::user_agent().await;
            super::session::sign_in(&session, &pool, &user, &agent)
                .await
                .map_err(unexpected)?;
            let token = tokens::issue(
                &pool,
                tokens::Purpose::EmailVerify,
                email.as_str(),
                None,
                "/account",
                24 * 60,
            )
            .await
            .map_err(unexpected)?;
            let url = format!("{}/auth/verify?token={token}", config.public_url);
            mailer.send_in_background(paws_inside::mail::verify_email(&email, &url));
        }
        accounts::SignUp::Exists => {
            // Same visible answer as a sign-up, down to a fresh session cookie;
            // the session holds no user.
            session.cycle_id().await.map_err(|e| unexpected(e.into()))?;
            session
                .insert("sign_up_seen", true)
                .await
                .map_err(|e| unexpected(e.into()))?;
            let url = format!("{}/sign-in", config.public_url);
            mailer.send_in_background(paws_inside::mail::sign_up_attempt(&email, &url));
        }
    }
    leptos_axum::redirect("/sign-up?sent=1");
    Ok(())
}

/// Signs in with email and password; a guest in this browser is merged in.
#[server(prefix = "/api", endpoint = "auth/sign-in")]
pub async fn sign_in_password(
    #[server(default)] email: String,
    #[server(default)] password: String,
    #[server(default)] next: String,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<(), ServerFnError> {
    use paws_inside::db::{accounts, claim};
    let wrong = || {
        crate::error::set_error_status(http::StatusCode::UNAUTHORIZED);
        ServerFnError::ServerError("That email and password do not match an account.".to_owned())
    };
    let Ok(email) = paws_inside::EmailAddress::parse(&email) else {
        return Err(wrong());
    };
    if crate::bot::caught("sign_in", &website, &form_started) {
        return Err(wrong());
    }
    limit(&[
        (SIGN_IN_PER_CLIENT, &client().await),
        (SIGN_IN_PER_ACCOUNT, email.as_str()),
    ])
    .await?;
    let (hasher, _, _) = services()?;
    let pool = pool()?;
    let found = accounts::credentials(&pool, email.as_str())
        .await
        .map_err(unexpected)?;
    let stored = found.as_ref().and_then(|c| c.password_hash.clone());
    // Unknown addresses verify against a dummy hash: same work, same time.
    let ok = hasher.verify(password, stored).await.map_err(unexpected)?;
    let Some(creds) = found.filter(|_| ok) else {
        return Err(wrong());
    };
    let session = super::session::handle().await?;
    let guest = super::session::current()
        .await
        .filter(|u| u.is_anonymous)
        .map(|u| u.id);
    let user = paws_inside::SessionUser {
        id: creds.id,
        is_anonymous: false,
        display_name: creds.display_name,
        email: Some(email.to_string()),
    };
    let agent = super::session::user_agent().await;
    super::session::sign_in(&session, &pool, &user, &agent)
        .await
        .map_err(unexpected)?;
    let notice = match guest {
        None => "You are signed in.".to_owned(),
        Some(g) => match claim::absorb_guest(&pool, g, creds.id).await {
            Ok(claim::Outcome::Merged(data)) if !data.is_empty() => {
                format!("You are signed in. Your {} came with you.", data.describe())
            }
            Ok(claim::Outcome::MergeFailed) | Err(_) => {
                "You are signed in. Your guest dogs and photos are safe and will join your account shortly."
                    .to_owned()
            }
            Ok(_) => "You are signed in.".to_owned(),
        },
    };
    let _ = session.insert(super::session::NOTICE_KEY, notice).await;
    leptos_axum::redirect(&paws_inside::redirect::safe_next(Some(&next)));
    Ok(())
}

/// Emails a password-reset link if the address has an account; the answer is
/// the same either way.
#[server(prefix = "/api", endpoint = "auth/forgot")]
pub async fn request_password_reset(#[server(default)] email: String) -> Result<(), ServerFnError> {
    use paws_inside::db::{accounts, tokens};
    let email = paws_inside::EmailAddress::parse(&email).map_err(|e| bad_request(&e.to_string()))?;
    limit(&[
        (MAIL_PER_CLIENT, &client().await),
        (MAIL_PER_EMAIL, email.as_str()),
    ])
    .await?;
    let (_, mailer, config) = services()?;
    let pool = pool()?;
    if accounts::credentials(&pool, email.as_str())
        .await
        .map_err(unexpected)?
        .is_some()
    {
        let guest = super::session::current()
            .await
            .filter(|u| u.is_anonymous)
            .map(|u| u.id);
        let token = tokens::issue(
            &pool,
            tokens::Purpose::PasswordReset,
            email.as_str(),
            guest,
            "/account",
            30,
        )
        .await
        .map_err(unexpected)?;
        let url = format!("{}/auth/reset?token={token}", config.public_url);
        mailer.send_in_background(paws_inside::mail::password_reset(&email, &url));
    }
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}
