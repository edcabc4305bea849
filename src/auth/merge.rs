//! Bringing a guest's things into an account: promote the guest in place, or
//! move every owned row in a fixed number of statements. A merge runs in a
//! savepoint; if it fails it is rolled back, recorded in `claim_failures` and
//! the sign-in still commits (blocking a login is how you lose someone).

use super::preview::GuestData;
use crate::db::ownership::owned;
use anonymous_first::Counts;
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

/// Counts what a guest owns (what the confirm page and the audit show), in
/// one statement over every owned table.
pub async fn guest_data(conn: &mut PgConnection, guest: Uuid) -> anyhow::Result<GuestData> {
    Ok(words(&owned().count(conn, guest).await?))
}

/// The owned tables' counts as the person reads them.
pub fn words(counts: &Counts) -> GuestData {
    GuestData {
        dogs: counts.get("dogs"),
        photos: counts.get("photos"),
        suggestions: counts.get("venue_suggestions"),
        checks: counts.get("venue_checks"),
        saved: counts.get("saved_places"),
        reports: counts.get("photo_reports"),
        proposals: counts.get("policy_proposals"),
    }
}

/// Locks the guests among `wanted` that are still guests, in `wanted`'s order.
pub(super) async fn lock_guests(conn: &mut PgConnection, wanted: &[Uuid]) -> anyhow::Result<Vec<Uuid>> {
    let locked: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = ANY($1) AND is_anonymous FOR UPDATE")
            .bind(wanted)
            .fetch_all(&mut *conn)
            .await
            .context("failed to lock guests")?;
    Ok(wanted.iter().copied().filter(|g| locked.contains(g)).collect())
}

/// Serialises the flows that decide about one address (its account, the
/// guests promoted into or merged with it) for the rest of the transaction:
/// two links confirmed at once, or a link and a password sign-in, then queue
/// instead of racing to create the account or locking rows in opposite orders.
pub(super) async fn lock_address(conn: &mut PgConnection, email: &str) -> anyhow::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7278))")
        .bind(email)
        .execute(conn)
        .await
        .context("failed to lock the address")?;
    Ok(())
}

/// Merges inside a savepoint; on failure rolls it back and records the failure
/// in the outer transaction, so the sign-in still commits.
pub(super) async fn merge_or_record(
    conn: &mut PgConnection,
    guest: Uuid,
    target: Uuid,
) -> anyhow::Result<Outcome> {
    let mut savepoint = conn.begin().await.context("failed to open savepoint")?;
    match merge(&mut savepoint, guest, target).await {
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
            crate::metrics::global().merge_failures.inc();
            // Counted in a savepoint of its own: a failure here must not abort
            // the sign-in's transaction (the record is what matters).
            let counts = {
                let mut counting = conn.begin().await.context("failed to open savepoint")?;
                match owned().count(&mut counting, guest).await {
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
/// leaving a farewell), deletes the guest and writes the audit row. One statement per owned
/// table, whatever the number of rows.
pub async fn merge(conn: &mut PgConnection, guest: Uuid, target: Uuid) -> anyhow::Result<Counts> {
    let moved = owned().move_all(conn, guest, target).await?;
    // Its browsers learn where its things went (their sessions end with it).
    let farewell = super::farewell::Ending {
        moved_to: Some(target),
        ..super::farewell::Ending::all(guest)
    };
    super::farewell::end_sessions(conn, farewell).await?;
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

/// Counts every outcome in the claims metric (`plain`: nobody came along).
pub(super) fn count_outcomes(outcomes: &[Outcome]) {
    let m = crate::metrics::global();
    for outcome in outcomes {
        let kind = match outcome {
            Outcome::Promoted => "promote",
            Outcome::Merged(_) => "merge",
            Outcome::MergeFailed => "merge_failed",
        };
        m.claims.inc(kind);
    }
    if outcomes.is_empty() {
        m.claims.inc("plain");
    }
}

/// What to tell the person on the next page after signing in.
pub fn notice(outcomes: &[Outcome], created: bool) -> String {
    if outcomes.contains(&Outcome::MergeFailed) {
        return "You are signed in. Your guest dogs and photos are safe and will join your account shortly."
            .to_owned();
    }
    let moved = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Merged(moved) => Some(words(moved)),
            _ => None,
        })
        .fold(GuestData::default(), GuestData::plus);
    match (outcomes.contains(&Outcome::Promoted), moved.is_empty(), created) {
        (_, false, _) => format!("You are signed in. Your {} came with you.", moved.describe()),
        (true, true, _) => {
            "You are signed in. Everything you added as a guest is now in your account.".to_owned()
        }
        (false, true, true) => "Welcome to Paws Inside! Your account is ready.".to_owned(),
        (false, true, false) => "You are signed in.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, notice};

    #[test]
    fn notices() {
        let merged = Outcome::Merged([("dogs", 2), ("photos", 0)].into_iter().collect());
        assert_eq!(
            notice(&[merged], false),
            "You are signed in. Your 2 dogs came with you."
        );
        assert!(notice(&[Outcome::MergeFailed], false).contains("safe"));
        assert!(notice(&[], true).starts_with("Welcome"));
        assert_eq!(notice(&[], false), "You are signed in.");
    }
}
