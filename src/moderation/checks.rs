//! Dog owners who said a venue no longer lets dogs inside. Admins read the
//! "no" answers oldest first and either dismiss them (the listing is right)
//! or mark them handled after editing the listing; either way every open "no"
//! of that venue is closed at once, with an audit row. The venue page shows a
//! reviewed "no" as reviewed; a dismissed one no longer counts in the venue's
//! verdict (recomputed in the review's transaction).

use super::queries::audit;
use crate::moderation::{Page, PolicyDoubt};
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// Open "no" answers, oldest first, with the "yes" answers given since.
pub async fn open(pool: &PgPool, page: Page) -> anyhow::Result<Vec<PolicyDoubt>> {
    sqlx::query_as(
        "SELECT c.id, v.slug, v.name AS venue, v.city,
                to_char(c.checked_on, 'FMDD Mon YYYY') AS checked_on,
                (SELECT count(*) FROM venue_checks y
                  WHERE y.venue_id = c.venue_id AND y.welcome AND y.checked_on >= c.checked_on) AS yes_since
         FROM venue_checks c JOIN venues v ON v.id = c.venue_id
         WHERE NOT c.welcome AND c.reviewed_at IS NULL
         ORDER BY c.created_at, c.id LIMIT $1 OFFSET $2",
    )
    .bind(page.fetch())
    .bind(page.offset())
    .fetch_all(pool)
    .await
    .context("failed to list venue checks")
}

/// What an admin decided about a "no".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The listing is right as it is.
    Dismiss,
    /// The admin changed the listing.
    Updated,
}

impl Verdict {
    /// Parses a form value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "dismiss" => Some(Self::Dismiss),
            "updated" => Some(Self::Updated),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Dismiss => "dismissed",
            Self::Updated => "updated",
        }
    }
}

/// Closes the answer and the venue's other open "no"s given no later (the
/// admin saw those; a newer one waits for its own look); false when it was
/// already closed (or changed to "yes" by the person meanwhile).
pub async fn resolve(pool: &PgPool, admin: Uuid, check: Uuid, verdict: Verdict) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await.context("failed to begin review")?;
    let venue: Option<(Uuid, String)> = sqlx::query_as(
        "SELECT v.id, v.slug FROM venue_checks c JOIN venues v ON v.id = c.venue_id
         WHERE c.id = $1 AND NOT c.welcome AND c.reviewed_at IS NULL FOR UPDATE OF c",
    )
    .bind(check)
    .fetch_optional(&mut *tx)
    .await
    .context("failed to lock the answer")?;
    let Some((venue, slug)) = venue else {
        return Ok(false);
    };
    let closed = sqlx::query(
        "UPDATE venue_checks SET reviewed_at = now(), resolution = $2
         WHERE venue_id = $1 AND NOT welcome AND reviewed_at IS NULL
           AND created_at <= (SELECT created_at FROM venue_checks WHERE id = $3)",
    )
    .bind(venue)
    .bind(verdict.label())
    .bind(check)
    .execute(&mut *tx)
    .await
    .context("failed to close the answers")?;
    // A dismissed "no" stops counting in the venue's verdict.
    crate::venues::verdicts::recompute(&mut tx, &[venue]).await?;
    audit(
        &mut tx,
        Some(admin),
        &format!("venue_check_{}", verdict.label()),
        &slug,
        serde_json::json!({ "check": check, "closed": closed.rows_affected() }),
    )
    .await?;
    tx.commit().await.context("failed to commit the review")?;
    Ok(true)
}
