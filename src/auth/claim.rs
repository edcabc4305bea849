//! Claiming: the one transaction behind every link that proves an address.
//! It uses the token up, brings the chosen guests into the account (promoting
//! the first in place when the address is new, merging the rest), settles the
//! password and opens this browser's session. "Claim" means exactly this:
//! bringing what guests made into an account.

use super::context::Caller;
use super::errors::LinkError;
use super::merge::{self, Outcome};
use super::preview::ClaimChoice;
use super::tokens::{self, Peek, Purpose};
use super::user::User;
use crate::context::Context;
use anyhow::Context as _;
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

/// What proves the address: the link's secret, or the code from the same
/// mail typed in the browser that asked (the token's id stands for it there).
#[derive(Clone, Copy, Debug)]
pub(super) enum Proof<'a> {
    /// The secret in the link.
    Link(&'a str),
    /// A sign-in link's code, checked right against this stored hash.
    Code {
        /// The token the code belongs to.
        request: Uuid,
        /// The hash the code matched (the token must still hold it).
        code_hash: &'a str,
    },
}

/// Why a link could not be used, from how it looks now.
pub(super) fn dead_link(peek: Peek) -> LinkError {
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
pub(super) async fn claim(
    ctx: &Context,
    caller: &mut Caller,
    purpose: Purpose,
    proof: Proof<'_>,
    choice: ClaimChoice,
    password: Option<String>,
) -> Result<SignedIn, LinkError> {
    let mut tx = ctx.pool.begin().await.context("failed to begin claim")?;
    let row = match proof {
        Proof::Link(token) => match tokens::consume(&mut tx, purpose, token).await? {
            Some(row) => row,
            None => {
                drop(tx);
                return Err(dead_link(tokens::peek(&ctx.pool, purpose, token).await?));
            }
        },
        Proof::Code { request, code_hash } => {
            match tokens::consume_code(&mut tx, request, code_hash).await? {
                Some(row) => row,
                // Used (by the link, or a racing try) or expired since it was checked.
                None => return Err(LinkError::Used),
            }
        }
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
        // Address links never reach a claim (`add_email::confirm` uses them).
        Purpose::EmailAdd => merge::notice(&outcomes, created),
    };
    let user = User::Member {
        id,
        email: Some(row.email.clone()),
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
