//! Bringing a guest's things into an account: promote the guest in place, or
//! move every owned row in a fixed number of statements ([`OwnedData`]'s). A
//! merge runs in a savepoint; if it fails it is rolled back, recorded in
//! `claim_failures` and the sign-in still commits (blocking a sign-in is how
//! you lose someone).

use crate::owned::{Counts, OwnedData};
use crate::sessions::farewell::{self, Ending};
use anyhow::Context;
use sqlx::{Acquire, PgConnection};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What happened to one guest's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The guest became the account in place (same id, nothing moved).
    Promoted,
    /// The guest's rows were moved into the existing account (per table).
    Merged(Counts),
    /// A merge failed and was rolled back; it is recorded for a retry.
    MergeFailed,
}

impl Outcome {
    /// Its label in the claims metric and an app's reports: promoted, merged
    /// or merge_failed.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Promoted => "promoted",
            Outcome::Merged(_) => "merged",
            Outcome::MergeFailed => "merge_failed",
        }
    }
}

/// Locks the guests among `wanted` that are still guests, in `wanted`'s order.
pub(crate) async fn lock_guests(conn: &mut PgConnection, wanted: &[Uuid]) -> anyhow::Result<Vec<Uuid>> {
    let locked: Vec<Uuid> =
        // A suspended guest's things stay with it (`admin`).
        sqlx::query_scalar(
            "SELECT id FROM users WHERE id = ANY($1) AND is_anonymous
               AND (banned_at IS NULL OR banned_until <= now()) FOR UPDATE",
        )
            .bind(wanted)
            .fetch_all(&mut *conn)
            .await
            .context("failed to lock guests")?;
    Ok(wanted.iter().copied().filter(|g| locked.contains(g)).collect())
}

/// Serialises the flows that decide about one address (its account, the
/// guests promoted into or merged with it) for the rest of the transaction:
/// two links confirmed at once, or a link and a password sign-in, then queue
/// instead of racing to create the account or locking rows in opposite
/// orders. A way in takes it before it locks the account's row.
pub async fn lock_address(conn: &mut PgConnection, email: &str) -> anyhow::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7278))")
        .bind(email)
        .execute(conn)
        .await
        .context("failed to lock the address")?;
    Ok(())
}

/// Merges inside a savepoint; on failure rolls it back and records the failure
/// in the outer transaction, so the sign-in still commits.
pub(crate) async fn merge_or_record(
    owned: &OwnedData,
    conn: &mut PgConnection,
    guest: Uuid,
    target: Uuid,
) -> anyhow::Result<Outcome> {
    let mut savepoint = conn.begin().await.context("failed to open savepoint")?;
    match merge(owned, &mut savepoint, guest, target).await {
        Ok(moved) => {
            savepoint.commit().await.context("failed to release savepoint")?;
            Ok(Outcome::Merged(moved))
        }
        Err(err) => {
            savepoint
                .rollback()
                .await
                .context("failed to roll back savepoint")?;
            tracing::error!(%guest, %target, error = ?err, "guest merge failed; recorded for retry");
            crate::counters::merge_failed();
            // Counted in a savepoint of its own: a failure here must not abort
            // the sign-in's transaction (the record is what matters).
            let counts = {
                let mut counting = conn.begin().await.context("failed to open savepoint")?;
                match owned.count(&mut counting, guest).await {
                    Ok(counts) => {
                        counting.commit().await.context("failed to release savepoint")?;
                        counts
                    }
                    Err(_) => {
                        counting
                            .rollback()
                            .await
                            .context("failed to roll back savepoint")?;
                        Counts::default()
                    }
                }
            };
            sqlx::query(
                "INSERT INTO claim_failures (guest_id, target_id, error, counts) VALUES ($1, $2, $3, $4)",
            )
            .bind(guest)
            .bind(target)
            .bind(format!("{err:#}"))
            .bind(sqlx::types::Json(counts.iter().collect::<BTreeMap<_, _>>()))
            .execute(&mut *conn)
            .await
            .context("failed to record merge failure")?;
            Ok(Outcome::MergeFailed)
        }
    }
}

/// Moves every owned row of `guest` to `target`, ends its sessions (each
/// leaving a farewell), deletes the guest and writes the audit row. One
/// statement per owned table, whatever the number of rows. The sign-in's
/// ending calls it; so may an operator's retry of a recorded failure.
pub async fn merge(
    owned: &OwnedData,
    conn: &mut PgConnection,
    guest: Uuid,
    target: Uuid,
) -> anyhow::Result<Counts> {
    let moved = owned.move_all(conn, guest, target).await?;
    // Its browsers learn where its things went (their sessions end with it).
    let moved_to = Ending {
        moved_to: Some(target),
        ..Ending::all(guest)
    };
    farewell::end_sessions(conn, moved_to).await?;
    sqlx::query("DELETE FROM users WHERE id = $1 AND is_anonymous")
        .bind(guest)
        .execute(&mut *conn)
        .await
        .context("failed to delete merged guest")?;
    sqlx::query("INSERT INTO claim_audit (from_user, to_user, counts) VALUES ($1, $2, $3)")
        .bind(guest)
        .bind(target)
        .bind(sqlx::types::Json(moved.iter().collect::<BTreeMap<_, _>>()))
        .execute(&mut *conn)
        .await
        .context("failed to write claim audit")?;
    Ok(moved)
}
