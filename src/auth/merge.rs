//! Bringing a guest's things into an account: promote the guest in place, or
//! move every owned row in a fixed number of statements. A merge runs in a
//! savepoint; if it fails it is rolled back, recorded in `claim_failures` and
//! the sign-in still commits (blocking a login is how you lose someone).

use super::preview::GuestData;
use crate::db::ownership::OWNED;
use anyhow::Context;
use sqlx::{Acquire, PgConnection};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What happened to one guest's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The guest became the account in place (same id, nothing moved).
    Promoted,
    /// The guest's rows were moved into the existing account.
    Merged(GuestData),
    /// A merge failed and was rolled back; it is recorded for a retry.
    MergeFailed,
}

/// Counts what a guest owns (what the confirm page and the audit show).
pub async fn guest_data(conn: &mut PgConnection, guest: Uuid) -> anyhow::Result<GuestData> {
    let (dogs, photos, suggestions, checks, saved): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM dogs WHERE user_id = $1),
                (SELECT count(*) FROM photos WHERE user_id = $1),
                (SELECT count(*) FROM venue_suggestions WHERE user_id = $1),
                (SELECT count(*) FROM venue_checks WHERE user_id = $1),
                (SELECT count(*) FROM saved_places WHERE user_id = $1)",
    )
    .bind(guest)
    .fetch_one(conn)
    .await
    .context("failed to count guest data")?;
    Ok(GuestData {
        dogs,
        photos,
        suggestions,
        checks,
        saved,
    })
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
            crate::metrics::global().merge_failures.inc();
            // Counted in a savepoint of its own: a failure here must not abort
            // the sign-in's transaction (the record is what matters).
            let counts = {
                let mut counting = conn.begin().await.context("failed to open savepoint")?;
                match guest_data(&mut counting, guest).await {
                    Ok(counts) => {
                        counting.commit().await.context("failed to release savepoint")?;
                        counts
                    }
                    Err(_) => {
                        counting
                            .rollback()
                            .await
                            .context("failed to roll back savepoint")?;
                        GuestData::default()
                    }
                }
            };
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

/// Moves every owned row of `guest` to `target`, ends its sessions (each
/// leaving a farewell), deletes the guest and writes the audit row. One statement per owned
/// table, whatever the number of rows.
pub async fn merge(conn: &mut PgConnection, guest: Uuid, target: Uuid) -> anyhow::Result<GuestData> {
    let mut moved = BTreeMap::new();
    for owned in OWNED {
        if let Some(refresh) = owned.refresh_statement() {
            sqlx::query(&refresh)
                .bind(guest)
                .bind(target)
                .execute(&mut *conn)
                .await
                .with_context(|| format!("failed to refresh {}", owned.table))?;
        }
        let done = sqlx::query(&owned.move_statement())
            .bind(guest)
            .bind(target)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("failed to move {}", owned.table))?;
        moved.insert(owned.table, done.rows_affected() as i64);
    }
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
    let count = |table| moved.get(table).copied().unwrap_or(0);
    let counts = GuestData {
        dogs: count("dogs"),
        photos: count("photos"),
        suggestions: count("venue_suggestions"),
        checks: count("venue_checks"),
        saved: count("saved_places"),
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

fn counts_json(d: &GuestData) -> BTreeMap<&'static str, i64> {
    BTreeMap::from([
        ("dogs", d.dogs),
        ("photos", d.photos),
        ("venue_suggestions", d.suggestions),
        ("venue_checks", d.checks),
        ("saved_places", d.saved),
    ])
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
            Outcome::Merged(data) => Some(*data),
            _ => None,
        })
        .fold(GuestData::default(), |a, b| GuestData {
            dogs: a.dogs + b.dogs,
            photos: a.photos + b.photos,
            suggestions: a.suggestions + b.suggestions,
            checks: a.checks + b.checks,
            saved: a.saved + b.saved,
        });
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
    use super::{GuestData, Outcome, notice};

    #[test]
    fn notices() {
        let merged = Outcome::Merged(GuestData {
            dogs: 2,
            ..GuestData::default()
        });
        assert_eq!(
            notice(&[merged], false),
            "You are signed in. Your 2 dogs came with you."
        );
        assert!(notice(&[Outcome::MergeFailed], false).contains("safe"));
        assert!(notice(&[], true).starts_with("Welcome"));
        assert_eq!(notice(&[], false), "You are signed in.");
    }
}
