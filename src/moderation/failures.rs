//! Claim merges that failed and were recorded; a retry reruns the merge in one
//! transaction and marks the failure resolved, so it moves everything exactly once.

use crate::moderation::ClaimFailure;
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// Open failures, oldest first.
pub async fn open(pool: &PgPool, page: crate::moderation::Page) -> anyhow::Result<Vec<ClaimFailure>> {
    sqlx::query_as(
        "SELECT f.id, f.guest_id, f.target_id, u.email AS target_email, f.error, f.counts::text AS counts,
                to_char(f.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY, HH24:MI \"UTC\"') AS created_at
         FROM claim_failures f LEFT JOIN users u ON u.id = f.target_id
         WHERE f.resolved_at IS NULL ORDER BY f.created_at, f.id LIMIT $1 OFFSET $2",
    )
    .bind(page.fetch())
    .bind(page.offset())
    .fetch_all(pool)
    .await
    .context("failed to list claim failures")
}

/// Ids of every open failure.
pub async fn open_ids(pool: &PgPool) -> anyhow::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM claim_failures WHERE resolved_at IS NULL ORDER BY id")
        .fetch_all(pool)
        .await
        .context("failed to list claim failures")
}

/// What a retry did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Moved this much (per owned table) into `account` and resolved the failure.
    Merged {
        /// The account the guest's rows moved into.
        account: Uuid,
        /// What moved.
        moved: anonymous_first::Counts,
    },
    /// Already resolved (or unknown): nothing done.
    NothingToDo,
}

impl Retry {
    /// Whether public pages may show something else now: moving answers can
    /// drop one of two the guest and the account gave the same venue that
    /// day, which a venue page counts. Nothing else a merge moves is shown
    /// with its owner.
    pub fn changes_public_pages(&self) -> bool {
        matches!(self, Self::Merged { moved, .. } if moved.get("venue_checks") > 0)
    }
}

/// Reruns a recorded merge. The failure row is locked first, so two retries
/// at once cannot both move rows; on error nothing changes and the error is kept.
pub async fn retry(pool: &PgPool, admin: Option<Uuid>, id: i64) -> anyhow::Result<Retry> {
    let mut tx = pool.begin().await.context("failed to begin retry")?;
    let row: Option<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT guest_id, target_id FROM claim_failures WHERE id = $1 AND resolved_at IS NULL FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock claim failure")?;
    let Some((guest, target)) = row else {
        return Ok(Retry::NothingToDo);
    };
    let guest_exists: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND is_anonymous FOR UPDATE")
            .bind(guest)
            .fetch_optional(&mut *tx)
            .await
            .context("failed to lock guest")?;
    if guest_exists.is_none() {
        resolve(&mut tx, id, "guest_gone").await?;
        tx.commit().await.context("failed to commit retry")?;
        return Ok(Retry::NothingToDo);
    }
    let result = crate::auth::merge::merge(&mut tx, guest, target).await;
    let counts = match result {
        Ok(counts) => counts,
        Err(err) => {
            drop(tx);
            sqlx::query("UPDATE claim_failures SET error = $2 WHERE id = $1")
                .bind(id)
                .bind(format!("retry failed: {err:#}"))
                .execute(pool)
                .await
                .context("failed to record retry error")?;
            return Err(err);
        }
    };
    resolve(&mut tx, id, "merged").await?;
    super::queries::audit(
        &mut tx,
        admin,
        "claim_retry",
        &id.to_string(),
        serde_json::json!({ "guest": guest, "target": target }),
    )
    .await?;
    tx.commit().await.context("failed to commit retry")?;
    Ok(Retry::Merged {
        account: target,
        moved: counts,
    })
}

async fn resolve(conn: &mut sqlx::PgConnection, id: i64, how: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE claim_failures SET resolved_at = now(), resolution = $2 WHERE id = $1")
        .bind(id)
        .bind(how)
        .execute(conn)
        .await
        .context("failed to resolve claim failure")?;
    Ok(())
}
