//! Photo reports: anyone may report a photo once; admins hide it (files kept,
//! no longer served publicly), delete it (row and files), or dismiss the report.

use super::queries::audit;
use crate::moderation::OpenReport;
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// Records a report; false when this reporter already reported the photo or
/// the photo does not exist.
pub async fn report(
    pool: &PgPool,
    reporter: Uuid,
    photo: Uuid,
    reason: &str,
    note: &str,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO photo_reports (photo_id, reporter_id, reason, note)
         SELECT id, $2, $3, $4 FROM photos WHERE id = $1
         ON CONFLICT (photo_id, reporter_id) DO NOTHING",
    )
    .bind(photo)
    .bind(reporter)
    .bind(reason)
    .bind(note)
    .execute(pool)
    .await
    .context("failed to store report")?;
    Ok(done.rows_affected() == 1)
}

/// Open reports, oldest first.
pub async fn open(pool: &PgPool, page: crate::moderation::Page) -> anyhow::Result<Vec<OpenReport>> {
    sqlx::query_as(
        "SELECT r.id, r.photo_id, m.storage_key, r.reason, r.note, m.hidden_at IS NOT NULL AS hidden,
                to_char(r.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS created_on
         FROM photo_reports r JOIN photos m ON m.id = r.photo_id
         WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT $1 OFFSET $2",
    )
    .bind(page.fetch())
    .bind(page.offset())
    .fetch_all(pool)
    .await
    .context("failed to list reports")
}

/// What an admin decided about a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Keep the files, stop serving the photo publicly.
    Hide,
    /// Remove the row (the caller removes the files).
    Delete,
    /// The photo is fine.
    Dismiss,
}

impl Resolution {
    /// Parses a form value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "hide" => Some(Self::Hide),
            "delete" => Some(Self::Delete),
            "dismiss" => Some(Self::Dismiss),
            _ => None,
        }
    }
}

/// What resolving a report did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The storage key whose files must be removed now (after a delete).
    pub remove: Option<String>,
    /// A venue page showed the photo and no longer does.
    pub withdrawn: bool,
}

/// Resolves a report (and every other open report of the same photo); nothing
/// when the report was already resolved.
pub async fn resolve(pool: &PgPool, admin: Uuid, report: Uuid, how: Resolution) -> anyhow::Result<Resolved> {
    let mut tx = pool.begin().await.context("failed to begin resolution")?;
    let found: Option<(Uuid, String, bool)> = sqlx::query_as(
        "SELECT m.id, m.storage_key, m.venue_id IS NOT NULL AND m.hidden_at IS NULL
         FROM photo_reports r JOIN photos m ON m.id = r.photo_id
         WHERE r.id = $1 AND r.resolved_at IS NULL FOR UPDATE OF r, m",
    )
    .bind(report)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock report")?;
    let Some((photo, key, shown)) = found else {
        return Ok(Resolved::default());
    };
    let label = match how {
        Resolution::Hide => "hidden",
        Resolution::Delete => "deleted",
        Resolution::Dismiss => "dismissed",
    };
    sqlx::query("UPDATE photo_reports SET resolved_at = now(), resolution = $2 WHERE photo_id = $1 AND resolved_at IS NULL")
        .bind(photo)
        .bind(label)
        .execute(&mut *tx)
        .await
        .context("failed to resolve reports")?;
    match how {
        Resolution::Hide => {
            sqlx::query("UPDATE photos SET hidden_at = now() WHERE id = $1")
                .bind(photo)
                .execute(&mut *tx)
                .await
                .context("failed to hide photo")?;
        }
        Resolution::Delete => {
            sqlx::query("DELETE FROM photos WHERE id = $1")
                .bind(photo)
                .execute(&mut *tx)
                .await
                .context("failed to delete photo")?;
        }
        Resolution::Dismiss => {}
    }
    audit(
        &mut tx,
        Some(admin),
        &format!("photo_{label}"),
        &photo.to_string(),
        serde_json::json!({ "report": report }),
    )
    .await?;
    tx.commit().await.context("failed to commit resolution")?;
    Ok(Resolved {
        remove: (how == Resolution::Delete).then_some(key),
        withdrawn: shown && how != Resolution::Dismiss,
    })
}

/// Whether a photo may be served to the public (exists and is not hidden).
pub async fn is_public(pool: &PgPool, storage_key: &str) -> anyhow::Result<bool> {
    let Some(id) = crate::photos::PhotoStore::photo_id(storage_key) else {
        return Ok(false);
    };
    let hidden: Option<bool> = sqlx::query_scalar("SELECT hidden_at IS NOT NULL FROM photos WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .context("failed to look up photo")?;
    Ok(hidden == Some(false))
}
