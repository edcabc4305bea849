//! Reading the funnel: one query over the weekly rollup (`funnel_weeks`: at
//! most 12 weeks × ~13 names × 16 shards rows, whatever the number of users;
//! `bench/funnel` times it with 1 000 000).

use super::{Funnel, WAYS, WEEKS, Week};
use crate::auth::Caller;
use crate::context::Context;
use crate::errors::{Kind, failure};
use crate::moderation::flows::{ModerationError, require_admin};
use anyhow::Context as _;
use sqlx::PgPool;

/// Why the funnel is not shown.
#[derive(Debug, thiserror::Error)]
pub enum FunnelError {
    /// Not an admin (guests, members, visitors alike).
    #[error("Admins only.")]
    Forbidden,
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(no_limit FunnelError { Forbidden => Kind::Forbidden });

/// The last 12 weeks' numbers, for an admin.
pub async fn weeks(ctx: &Context, caller: &Caller) -> Result<Funnel, FunnelError> {
    require_admin(caller).map_err(|e| match e {
        ModerationError::Unexpected(e) => FunnelError::Unexpected(e),
        _ => FunnelError::Forbidden,
    })?;
    // This instance's guests made so far are counted; another's arrive
    // within seconds (the server's funnel job).
    ctx.funnel
        .flush(&ctx.pool)
        .await
        .map_err(FunnelError::Unexpected)?;
    Ok(read(&ctx.pool).await?)
}

/// The query `bench/funnel` times: every week of the last 12 (empty ones
/// too, from `generate_series`), each named counter summed over its shards
/// (a range of the rollup's primary key).
pub const QUERY: &str = "WITH w AS (
       SELECT d::date AS week FROM generate_series(
         date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => $1 - 1),
         date_trunc('week', now() AT TIME ZONE 'UTC'), interval '1 week') AS d),
     f AS (
       SELECT week, what, sum(n) AS n FROM funnel_weeks
       WHERE week >= (date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => $1 - 1))::date
       GROUP BY week, what)
     SELECT 'week of ' || to_char(w.week, 'FMDD Mon'), f.what, coalesce(f.n, 0)::int8
     FROM w LEFT JOIN f ON f.week = w.week ORDER BY w.week";

/// The rollup's last [`WEEKS`] weeks, oldest first.
pub async fn read(pool: &PgPool) -> anyhow::Result<Funnel> {
    let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(QUERY)
        .bind(WEEKS as i32)
        .fetch_all(pool)
        .await
        .context("failed to read the funnel")?;
    let mut weeks: Vec<Week> = Vec::with_capacity(WEEKS);
    for (label, what, n) in rows {
        if weeks.last().is_none_or(|w| w.label != label) {
            weeks.push(Week {
                label,
                ..Week::default()
            });
        }
        let (Some(week), Some(what)) = (weeks.last_mut(), what) else {
            continue;
        };
        let n = n.max(0) as u64;
        match what.as_str() {
            "made" => week.made = n,
            "back_1" => week.back[0] = n,
            "back_7" => week.back[1] = n,
            "back_30" => week.back[2] = n,
            "promoted" => week.promoted = n,
            "merged" => week.merged = n,
            "merge_failed" => week.merge_failed = n,
            "reaped" => week.reaped = n,
            other => {
                let way = other.strip_prefix("claim_").unwrap_or_default();
                if let Some(i) = WAYS.iter().position(|(key, _)| *key == way) {
                    week.claims[i] = n;
                }
            }
        }
    }
    Ok(Funnel { weeks })
}

#[cfg(test)]
mod tests {
    use crate::auth::ending::Method;

    #[test]
    fn every_way_in_is_a_column() {
        for method in Method::ALL {
            assert!(
                super::WAYS.iter().any(|(key, _)| *key == method.way()),
                "{method:?}"
            );
        }
    }
}
