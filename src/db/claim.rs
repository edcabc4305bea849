//! Claiming an account with a one-time link: the token is consumed and the
//! guest's data promoted or merged in one transaction. A failed merge is rolled
//! back to a savepoint (the guest keeps everything), recorded, and the person is
//! signed in anyway.

use super::ownership::OWNED_TABLES;
use super::tokens::{self, Peek, Purpose, TokenRow};
use crate::claim::{ClaimChoice, GuestData, LinkCheck, LinkPreview};
use crate::email::EmailAddress;
use crate::user::SessionUser;
use anyhow::Context;
use sqlx::{Acquire, PgConnection, PgPool};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Why a claim did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// The link was used already (or replaced by a newer one).
    #[error("This link has already been used.")]
    Used,
    /// The link expired.
    #[error("This link has expired.")]
    Expired,
    /// Not a link we know.
    #[error("This link is not valid.")]
    Unknown,
    /// Infrastructure failure; nothing was changed.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What happened to the guest data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A guest became the account in place (same id, nothing moved).
    Promoted,
    /// A guest's rows were moved into the existing account.
    Merged(GuestData),
    /// A merge failed and was rolled back; it is recorded for a retry.
    MergeFailed,
}

/// A successful claim.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// The account now signed in.
    pub user: SessionUser,
    /// Where to go next (validated when the link was issued).
    pub next: String,
    /// A brand-new account was created (no guest, unknown email).
    pub created: bool,
    /// One entry per guest brought along.
    pub outcomes: Vec<Outcome>,
}

/// Counts what a guest owns.
pub async fn guest_data(conn: &mut PgConnection, guest: Uuid) -> anyhow::Result<GuestData> {
    let (dogs, photos, suggestions): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM pets WHERE user_id = $1),
                (SELECT count(*) FROM media WHERE user_id = $1),
                (SELECT count(*) FROM venue_suggestions WHERE user_id = $1)",
    )
    .bind(guest)
    .fetch_one(conn)
    .await
    .context("failed to count guest data")?;
    Ok(GuestData {
        dogs,
        photos,
        suggestions,
    })
}

/// The guests a claim brings along, in order: the first is promoted when the
/// email is new. In the browser that asked, its guest always comes; elsewhere
/// only what the person ticked.
fn guests_to_bring(token: &TokenRow, browser: Option<&SessionUser>, choice: ClaimChoice) -> Vec<Uuid> {
    let browser_guest = browser.filter(|u| u.is_anonymous).map(|u| u.id);
    if browser_guest.is_some() && browser_guest == token.guest_id {
        return browser_guest.into_iter().collect();
    }
    let mut guests = Vec::new();
    if choice.bring_requester {
        guests.extend(token.guest_id);
    }
    if choice.bring_this_browser {
        guests.extend(browser_guest);
    }
    guests
}

/// What a link's confirm page shows. Never consumes the token.
pub async fn preview(
    pool: &PgPool,
    purpose: Purpose,
    token: &str,
    browser: Option<&SessionUser>,
) -> anyhow::Result<LinkCheck> {
    let row = match tokens::peek(pool, purpose, token).await? {
        Peek::Valid(row) => row,
        Peek::Used => return Ok(LinkCheck::Used),
        Peek::Expired => return Ok(LinkCheck::Expired),
        Peek::Unknown => return Ok(LinkCheck::Unknown),
    };
    let masked_email = EmailAddress::parse(&row.email)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "your address".to_owned());
    let browser_guest = browser.filter(|u| u.is_anonymous).map(|u| u.id);
    let same_browser = browser_guest.is_some() && browser_guest == row.guest_id;
    let mut conn = pool.acquire().await.context("no database connection")?;
    let requester = data_if_guest(&mut conn, row.guest_id).await?;
    let this_browser = data_if_guest(&mut conn, browser_guest.filter(|_| !same_browser)).await?;
    Ok(LinkCheck::Valid(LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
    }))
}

/// The data of `id` when it is (still) a guest.
async fn data_if_guest(conn: &mut PgConnection, id: Option<Uuid>) -> anyhow::Result<Option<GuestData>> {
    let Some(id) = id else { return Ok(None) };
    let found: Option<bool> = sqlx::query_scalar("SELECT is_anonymous FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to look up guest")?;
    if found == Some(true) {
        Ok(Some(guest_data(conn, id).await?))
    } else {
        Ok(None)
    }
}

/// How a claim proves the address.
#[derive(Clone, Copy, Debug)]
pub enum Proof<'a> {
    /// A sign-in link.
    MagicLink,
    /// A password-reset link, with the new password's hash.
    PasswordReset(&'a str),
}

/// Consumes the link and signs its owner in, bringing guest data along: in one
/// transaction, exactly once however many requests race with the same token.
pub async fn claim(
    pool: &PgPool,
    proof: Proof<'_>,
    token: &str,
    browser: Option<&SessionUser>,
    choice: ClaimChoice,
) -> Result<Claimed, ClaimError> {
    let purpose = match proof {
        Proof::MagicLink => Purpose::MagicLink,
        Proof::PasswordReset(_) => Purpose::PasswordReset,
    };
    let mut tx = pool.begin().await.context("failed to begin claim")?;
    let Some(row) = tokens::consume(&mut tx, purpose, token).await? else {
        drop(tx);
        return Err(dead_token(pool, purpose, token).await?);
    };
    let wanted = guests_to_bring(&row, browser, choice);
    // Lock the guests; any that were claimed or deleted meanwhile drop out.
    let locked: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = ANY($1) AND is_anonymous FOR UPDATE")
            .bind(&wanted)
            .fetch_all(&mut *tx)
            .await
            .context("failed to lock guests")?;
    let guests: Vec<Uuid> = wanted.into_iter().filter(|g| locked.contains(g)).collect();
    let existing: Option<(Uuid, Option<String>, bool)> = sqlx::query_as(
        "SELECT id, display_name, email_verified_at IS NULL AND password_hash IS NOT NULL
         FROM users WHERE email = $1 FOR UPDATE",
    )
    .bind(&row.email)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to look up account")?;
    if let (Proof::PasswordReset(_), None) = (proof, &existing) {
        // Reset links are only sent to existing accounts; this one was deleted since.
        return Err(ClaimError::Unknown);
    }

    let mut outcomes = Vec::new();
    let mut created = false;
    let (user_id, display_name, to_merge) = match (existing, guests.split_first()) {
        (Some((id, name, unproven_password)), _) => {
            // Pre-hijacking: a password set on an address nobody had proven may be
            // an attacker's. Proving the address removes it and ends every session.
            if unproven_password {
                tracing::warn!(user = %id, "address proven: removing the unverified password, ending sessions");
                sqlx::query("UPDATE users SET password_hash = NULL WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .context("failed to remove unproven password")?;
                end_sessions(&mut tx, id).await?;
            }
            sqlx::query(
                "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("failed to mark email verified")?;
            if let Proof::PasswordReset(hash) = proof {
                super::accounts::set_password(&mut tx, id, hash).await?;
                // A reset ends every other session; this browser gets a fresh one.
                end_sessions(&mut tx, id).await?;
            }
            (id, name, guests.as_slice())
        }
        (None, Some((first, rest))) => {
            let name: Option<String> = sqlx::query_scalar(
                "UPDATE users SET email = $2, email_verified_at = now(), is_anonymous = false
                 WHERE id = $1 RETURNING display_name",
            )
            .bind(first)
            .bind(&row.email)
            .fetch_one(&mut *tx)
            .await
            .context("failed to promote guest")?;
            end_sessions(&mut tx, *first).await?;
            outcomes.push(Outcome::Promoted);
            (*first, name, rest)
        }
        (None, None) => {
            let id: Uuid = sqlx::query_scalar(
                "INSERT INTO users (email, is_anonymous, email_verified_at) VALUES ($1, false, now())
                 ON CONFLICT (email) DO UPDATE SET email_verified_at = coalesce(users.email_verified_at, now())
                 RETURNING id",
            )
            .bind(&row.email)
            .fetch_one(&mut *tx)
            .await
            .context("failed to create account")?;
            created = true;
            (id, None, &[][..])
        }
    };
    for guest in to_merge {
        outcomes.push(merge_or_record(&mut tx, *guest, user_id).await?);
    }
    tx.commit().await.context("failed to commit claim")?;
    let m = crate::metrics::global();
    for outcome in &outcomes {
        let kind = match outcome {
            Outcome::Promoted => "promote",
            Outcome::Merged(_) => "merge",
            Outcome::MergeFailed => "merge_failed",
        };
        m.inc("paws_claims_total", &[("kind", kind)]);
    }
    if outcomes.is_empty() {
        m.inc("paws_claims_total", &[("kind", "plain")]);
    }
    let user = SessionUser {
        id: user_id,
        is_anonymous: false,
        display_name,
        email: Some(row.email.clone()),
    };
    Ok(Claimed {
        user,
        next: row.next_path,
        created,
        outcomes,
    })
}

/// Why a token could not be consumed.
async fn dead_token(pool: &PgPool, purpose: Purpose, token: &str) -> anyhow::Result<ClaimError> {
    Ok(match tokens::peek(pool, purpose, token).await? {
        Peek::Expired => ClaimError::Expired,
        Peek::Unknown => ClaimError::Unknown,
        Peek::Used | Peek::Valid(_) => ClaimError::Used,
    })
}

/// Confirms the address given at sign-up (the verification link). Returns the
/// account's id. The password chosen at sign-up stays: this link proves it.
pub async fn verify_email(pool: &PgPool, token: &str) -> Result<Uuid, ClaimError> {
    let mut tx = pool.begin().await.context("failed to begin verification")?;
    let Some(row) = tokens::consume(&mut tx, Purpose::EmailVerify, token).await? else {
        drop(tx);
        return Err(dead_token(pool, Purpose::EmailVerify, token).await?);
    };
    let id: Option<Uuid> = sqlx::query_scalar(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
         WHERE email = $1 AND NOT is_anonymous RETURNING id",
    )
    .bind(&row.email)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to verify address")?;
    let id = id.ok_or(ClaimError::Unknown)?;
    tx.commit().await.context("failed to commit verification")?;
    Ok(id)
}

/// Brings a guest's data into `target` after a password sign-in: the same
/// savepoint merge as a link claim; a failure is recorded, never blocks sign-in.
pub async fn absorb_guest(pool: &PgPool, guest: Uuid, target: Uuid) -> anyhow::Result<Outcome> {
    let mut tx = pool.begin().await.context("failed to begin merge")?;
    let still_guest: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND is_anonymous FOR UPDATE")
            .bind(guest)
            .fetch_optional(&mut *tx)
            .await
            .context("failed to lock guest")?;
    if still_guest.is_none() || guest == target {
        return Ok(Outcome::Merged(GuestData::default()));
    }
    let outcome = merge_or_record(&mut tx, guest, target).await?;
    tx.commit().await.context("failed to commit merge")?;
    let kind = if outcome == Outcome::MergeFailed {
        "merge_failed"
    } else {
        "merge"
    };
    crate::metrics::global().inc("paws_claims_total", &[("kind", kind)]);
    Ok(outcome)
}

/// Merges inside a savepoint; on failure rolls it back and records the failure
/// in the outer transaction, so the sign-in still commits.
async fn merge_or_record(conn: &mut PgConnection, guest: Uuid, target: Uuid) -> anyhow::Result<Outcome> {
    let mut savepoint = conn.begin().await.context("failed to open savepoint")?;
    match merge(&mut savepoint, guest, target).await {
        Ok(counts) => {
            savepoint.commit().await.context("failed to release savepoint")?;
            Ok(Outcome::Merged(counts))
        }
        Err(err) => {
            savepoint
                .rollback()
                .await
                .context("failed to roll back savepoint")?;
            tracing::error!(%guest, %target, error = ?err, "guest merge failed; recorded for retry");
            crate::metrics::global().inc("paws_merge_failures_total", &[]);
            let counts = guest_data(conn, guest).await.unwrap_or_default();
            sqlx::query(
                "INSERT INTO claim_failures (guest_id, target_id, error, counts) VALUES ($1, $2, $3, $4)",
            )
            .bind(guest)
            .bind(target)
            .bind(format!("{err:#}"))
            .bind(sqlx::types::Json(counts_json(&counts)))
            .execute(&mut *conn)
            .await
            .context("failed to record merge failure")?;
            Ok(Outcome::MergeFailed)
        }
    }
}

/// Moves every owned row of `guest` to `target`, ends the guest's sessions,
/// deletes it and writes the audit row. The statement count is fixed: one
/// UPDATE per owned table, whatever the number of rows.
pub async fn merge(conn: &mut PgConnection, guest: Uuid, target: Uuid) -> anyhow::Result<GuestData> {
    let mut moved = BTreeMap::new();
    for table in OWNED_TABLES {
        let done = sqlx::query(&format!("UPDATE {table} SET user_id = $2 WHERE user_id = $1"))
            .bind(guest)
            .bind(target)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("failed to move {table}"))?;
        moved.insert(*table, done.rows_affected() as i64);
    }
    end_sessions(conn, guest).await?;
    sqlx::query("DELETE FROM users WHERE id = $1 AND is_anonymous")
        .bind(guest)
        .execute(&mut *conn)
        .await
        .context("failed to delete merged guest")?;
    let counts = GuestData {
        dogs: moved.get("pets").copied().unwrap_or(0),
        photos: moved.get("media").copied().unwrap_or(0),
        suggestions: moved.get("venue_suggestions").copied().unwrap_or(0),
    };
    sqlx::query("INSERT INTO claim_audit (from_user, to_user, counts) VALUES ($1, $2, $3)")
        .bind(guest)
        .bind(target)
        .bind(sqlx::types::Json(&moved))
        .execute(&mut *conn)
        .await
        .context("failed to write claim audit")?;
    Ok(counts)
}

/// Ends every session of a user: after a claim no cookie that held the guest
/// authenticates anyone (the claiming browser gets a fresh session).
async fn end_sessions(conn: &mut PgConnection, user: Uuid) -> anyhow::Result<()> {
    sqlx::query(
        "DELETE FROM tower_sessions.session WHERE id IN (SELECT session_id FROM user_sessions WHERE user_id = $1)",
    )
    .bind(user)
    .execute(conn)
    .await
    .context("failed to end guest sessions")?;
    Ok(())
}

fn counts_json(d: &GuestData) -> BTreeMap<&'static str, i64> {
    BTreeMap::from([
        ("pets", d.dogs),
        ("media", d.photos),
        ("venue_suggestions", d.suggestions),
    ])
}
