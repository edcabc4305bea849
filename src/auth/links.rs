//! Every way in through a one-time email link: sign in (and claim the guest's
//! things), confirm the address of a sign-up, set a new password. Opening a
//! link only looks ([`preview`]); the page's POST runs one transaction that
//! uses the token up, promotes or merges the guests, settles the password and
//! opens this browser's new session.

use super::context::{Auth, Caller};
use super::errors::{LinkError, RequestError};
use super::merge::{self, Outcome};
use super::preview::{ClaimChoice, GuestData, LinkCheck, LinkPreview};
use super::tokens::{self, NewToken, Peek, Purpose};
use super::user::User;
use crate::db::rate_limit::limits;
use crate::email::EmailAddress;
use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A person signed in through a link.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// Where to go next (a same-site path, checked when the link was made).
    pub next: String,
    /// One entry per guest brought along.
    pub outcomes: Vec<Outcome>,
    /// A brand-new account (no guest, unknown address).
    pub created: bool,
}

/// Emails a sign-in link. Known and unknown addresses take the same path and
/// get the same answer.
pub async fn request_link(auth: &Auth, caller: &Caller, email: &str, next: &str) -> Result<(), RequestError> {
    let email = EmailAddress::parse(email).map_err(|e| RequestError::Invalid(e.to_string()))?;
    let next = crate::redirect::safe_next(Some(next));
    let checks = [
        (limits::LINK_PER_CLIENT, caller.client()),
        (limits::LINK_PER_EMAIL, email.as_str().to_owned()),
    ];
    let checks: Vec<_> = checks.iter().map(|(l, s)| (*l, s.as_str())).collect();
    auth.limit(&checks).await?.map_err(RequestError::TooMany)?;
    let mut conn = auth.pool.acquire().await.context("no database connection")?;
    let token = tokens::issue(
        &mut conn,
        NewToken {
            purpose: Purpose::MagicLink,
            email: email.as_str(),
            guest_id: caller.session.guest(),
            next_path: &next,
            ttl_minutes: auth.settings.link_minutes,
            password_hash: None,
        },
    )
    .await?;
    let url = auth.url(&format!("/auth/confirm?token={token}"));
    auth.send(crate::mail::magic_link(&email, &url, auth.settings.link_minutes));
    Ok(())
}

/// What a link's page shows. Never uses the link up.
pub async fn preview(
    auth: &Auth,
    caller: &Caller,
    purpose: Purpose,
    token: &str,
) -> anyhow::Result<LinkCheck> {
    let row = match tokens::peek(&auth.pool, purpose, token).await? {
        Peek::Valid(row) => row,
        Peek::Used => return Ok(LinkCheck::Used),
        Peek::Expired => return Ok(LinkCheck::Expired),
        Peek::Unknown => return Ok(LinkCheck::Unknown),
    };
    let masked_email = EmailAddress::parse(&row.email)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "your address".to_owned());
    let browser = caller.session.guest();
    let same_browser = browser.is_some() && browser == row.guest_id;
    let mut conn = auth.pool.acquire().await.context("no database connection")?;
    let requester = data_if_guest(&mut conn, row.guest_id).await?;
    let this_browser = data_if_guest(&mut conn, browser.filter(|_| !same_browser)).await?;
    let unproven_password = purpose == Purpose::EmailVerify
        && (row.password_hash.is_some() || unproven_password(&auth.pool, &row.email).await?.is_some());
    Ok(LinkCheck::Valid(LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
        unproven_password,
    }))
}

/// The data of `id` when it is (still) a guest.
async fn data_if_guest(conn: &mut PgConnection, id: Option<Uuid>) -> anyhow::Result<Option<GuestData>> {
    let Some(id) = id else { return Ok(None) };
    let guest: Option<bool> = sqlx::query_scalar("SELECT is_anonymous FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to look up guest")?;
    match guest {
        Some(true) => Ok(Some(merge::guest_data(conn, id).await?)),
        _ => Ok(None),
    }
}

/// The password of an account nobody has proved the address of (made by the
/// sign-up of older versions), if there is one.
async fn unproven_password(pool: &PgPool, email: &str) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT password_hash FROM users
         WHERE email = $1 AND email_verified_at IS NULL AND password_hash IS NOT NULL",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .context("failed to look up the account's password")
}

/// Confirms a sign-in link: signs this browser in, bringing guests along.
pub async fn sign_in_with_link(
    auth: &Auth,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
) -> Result<SignedIn, LinkError> {
    claim(auth, caller, Purpose::MagicLink, token, choice, None).await
}

/// Confirms the address of a sign-up and finishes it. The password chosen at
/// sign-up is kept in the browser that signed up, or when the person types it
/// here; otherwise the account starts without one (someone else may have
/// chosen it).
pub async fn confirm_address(
    auth: &Auth,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
    typed_password: &str,
) -> Result<SignedIn, LinkError> {
    let row = match tokens::peek(&auth.pool, Purpose::EmailVerify, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead)),
    };
    let pending = match row.password_hash.clone() {
        Some(hash) => Some(hash),
        None => unproven_password(&auth.pool, &row.email).await?,
    };
    let browser = caller.session.guest();
    let keep = match pending {
        Some(hash) if browser.is_some() && browser == row.guest_id => Some(hash),
        Some(hash) if !typed_password.is_empty() => {
            auth.limit(&[(limits::SIGN_IN_PER_ACCOUNT, row.email.as_str())])
                .await?
                .map_err(LinkError::TooMany)?;
            if !auth
                .hasher
                .verify(typed_password.to_owned(), Some(hash.clone()))
                .await?
            {
                return Err(LinkError::WrongPassword);
            }
            Some(hash)
        }
        _ => None,
    };
    claim(auth, caller, Purpose::EmailVerify, token, choice, keep).await
}

/// Sets a new password from a reset link: proves the address, ends every
/// session of the account and signs this browser in.
pub async fn reset_password(
    auth: &Auth,
    caller: &mut Caller,
    token: &str,
    new_password: String,
) -> Result<SignedIn, LinkError> {
    let row = match tokens::peek(&auth.pool, Purpose::PasswordReset, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead)),
    };
    crate::password::check(&new_password, &row.email).map_err(LinkError::Weak)?;
    let hash = auth.hasher.hash(new_password).await?;
    // Whoever types a new password here owns this browser's guest too (as
    // with a password sign-in): it comes along rather than being left behind.
    let choice = ClaimChoice {
        bring_requester: false,
        bring_this_browser: true,
    };
    claim(auth, caller, Purpose::PasswordReset, token, choice, Some(hash)).await
}

fn dead_link(peek: Peek) -> LinkError {
    match peek {
        Peek::Expired => LinkError::Expired,
        Peek::Unknown => LinkError::Unknown,
        Peek::Used | Peek::Valid(_) => LinkError::Used,
    }
}

/// The guests a claim brings along, in order: the first is promoted when the
/// address is new. In the browser that asked, its guest always comes;
/// elsewhere only what the person ticked.
fn guests_to_bring(requester: Option<Uuid>, browser: Option<Uuid>, choice: ClaimChoice) -> Vec<Uuid> {
    if browser.is_some() && browser == requester {
        return browser.into_iter().collect();
    }
    let mut guests = Vec::new();
    if choice.bring_requester {
        guests.extend(requester);
    }
    if choice.bring_this_browser {
        guests.extend(browser.filter(|b| Some(*b) != requester));
    }
    guests
}

/// Uses the token up and signs its owner in, in one transaction, exactly once
/// however many requests race with it. `password`: the hash the account ends
/// with (`None`: whatever proven password it had stays; an unproven one goes).
async fn claim(
    auth: &Auth,
    caller: &mut Caller,
    purpose: Purpose,
    token: &str,
    choice: ClaimChoice,
    password: Option<String>,
) -> Result<SignedIn, LinkError> {
    let mut tx = auth.pool.begin().await.context("failed to begin claim")?;
    let Some(row) = tokens::consume(&mut tx, purpose, token).await? else {
        drop(tx);
        return Err(dead_link(tokens::peek(&auth.pool, purpose, token).await?));
    };
    merge::lock_address(&mut tx, &row.email).await?;
    let browser = caller.session.guest();
    let wanted = guests_to_bring(row.guest_id, browser, choice);
    let guests = merge::lock_guests(&mut tx, &wanted).await?;
    // Never lose a dog: this browser's guest is about to lose its only session,
    // so if it made anything and was not chosen, nothing happens (the token
    // stays usable) and the person is asked to choose.
    if let Some(own) = browser.filter(|b| !wanted.contains(b))
        && !merge::guest_data(&mut tx, own).await?.is_empty()
    {
        return Err(LinkError::LeftBehind);
    }
    let existing: Option<(Uuid, Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT id, display_name, email_verified_at IS NULL, role = 'admin' FROM users WHERE email = $1 FOR UPDATE",
    )
    .bind(&row.email)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to look up account")?;
    let reset = purpose == Purpose::PasswordReset;
    if reset && existing.is_none() {
        // Reset links only go to accounts; this one was deleted since. The
        // link is used up, so its page says so instead of asking again.
        tx.commit().await.context("failed to commit the used link")?;
        return Err(LinkError::Unknown);
    }
    let mut outcomes = Vec::new();
    let mut created = false;
    let (id, display_name, admin, to_merge) = match (existing, guests.split_first()) {
        (Some((id, name, unproven, admin)), _) => {
            // The first proof of an address ends every session opened before
            // it, and a password nobody proved goes unless the owner kept it;
            // a new password ends the sessions that came in with the old one.
            if unproven || password.is_some() {
                if unproven {
                    tracing::warn!(user = %id, "address proven for the first time: ending earlier sessions");
                }
                merge::end_sessions(&mut tx, id).await?;
            }
            sqlx::query(
                "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()),
                        password_hash = CASE WHEN $2 THEN $3 ELSE password_hash END
                 WHERE id = $1",
            )
            .bind(id)
            .bind(unproven || password.is_some())
            .bind(password.as_deref())
            .execute(&mut *tx)
            .await
            .context("failed to settle the account")?;
            (id, name, admin, guests.as_slice())
        }
        (None, Some((first, rest))) => {
            // Only the browser that proved the address stays in, and the
            // guest's mint keys can no longer name it.
            merge::end_sessions(&mut tx, *first).await?;
            sqlx::query("DELETE FROM guest_mint_keys WHERE user_id = $1")
                .bind(first)
                .execute(&mut *tx)
                .await
                .context("failed to retire the guest's mint keys")?;
            let name: Option<String> = sqlx::query_scalar(
                "UPDATE users SET email = $2, email_verified_at = now(), is_anonymous = false, password_hash = $3
                 WHERE id = $1 RETURNING display_name",
            )
            .bind(first)
            .bind(&row.email)
            .bind(password.as_deref())
            .fetch_one(&mut *tx)
            .await
            .context("failed to promote guest")?;
            outcomes.push(Outcome::Promoted);
            (*first, name, false, rest)
        }
        (None, None) => {
            let id: Uuid = sqlx::query_scalar(
                "INSERT INTO users (email, is_anonymous, email_verified_at, password_hash)
                 VALUES ($1, false, now(), $2)
                 ON CONFLICT (email) DO UPDATE SET email_verified_at = coalesce(users.email_verified_at, now())
                 RETURNING id",
            )
            .bind(&row.email)
            .bind(password.as_deref())
            .fetch_one(&mut *tx)
            .await
            .context("failed to create account")?;
            created = true;
            (id, None, false, &[][..])
        }
    };
    for guest in to_merge {
        outcomes.push(merge::merge_or_record(&mut tx, *guest, id).await?);
    }
    let notice = match purpose {
        Purpose::MagicLink => merge::notice(&outcomes, created),
        Purpose::EmailVerify => format!("Your address is confirmed. {}", merge::notice(&outcomes, created)),
        Purpose::PasswordReset => "Your new password is saved. Every other device was signed out.".to_owned(),
    };
    let user = User::Member {
        id,
        email: row.email.clone(),
        display_name,
        admin,
    };
    let rotation = caller
        .session
        .open(&mut tx, user, &caller.user_agent, Some(notice))
        .await?;
    tx.commit().await.context("failed to commit claim")?;
    caller.session.adopt(rotation).await?;
    merge::count_outcomes(&outcomes);
    tracing::info!(user = %id, purpose = purpose.as_str(), outcomes = ?outcomes, "signed in by email link");
    Ok(SignedIn {
        next: row.next_path,
        outcomes,
        created,
    })
}

#[cfg(test)]
mod tests {
    use super::{ClaimChoice, guests_to_bring};
    use uuid::Uuid;

    #[test]
    fn only_the_asking_browser_brings_its_guest_unasked() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let none = ClaimChoice::default();
        assert_eq!(guests_to_bring(Some(a), Some(a), none), vec![a]);
        assert!(guests_to_bring(Some(a), Some(b), none).is_empty());
        let both = ClaimChoice {
            bring_requester: true,
            bring_this_browser: true,
        };
        assert_eq!(guests_to_bring(Some(a), Some(b), both), vec![a, b]);
        assert_eq!(guests_to_bring(None, Some(b), both), vec![b]);
    }
}
