//! What the identity core tells the operator's funnel (`crate::funnel` reads
//! it): a guest made, a user contributing, a claim, guests reaped. One
//! statement per note, written where it happens (the mint, every
//! contribution, the ending's transaction, the reaper's batch), into
//! `guest_funnel` (one row per guest, no foreign key: a merge or a reap does
//! not lose it) and the weekly rollup `funnel_weeks`.
//!
//! Kept to this one function so the identity core, when it becomes a crate,
//! takes it along as its one hook for the funnel.

use super::merge::Outcome;
use anyhow::Context as _;
use sqlx::PgExecutor;
use uuid::Uuid;

/// Something the funnel counts.
#[derive(Debug)]
pub enum Note<'a> {
    /// A guest was made (its first contribution).
    Made(Uuid),
    /// A user contributed again: counts once per threshold (1, 7, 30 days
    /// after its making) that it crossed, for a user made as a guest.
    Contributed(Uuid),
    /// A way in (`Method::way`) brought guests along (the ending's outcomes).
    Claimed(&'static str, &'a [Outcome]),
    /// The reaper deleted this many idle guests.
    Reaped(u64),
}

/// The outcome's label (the funnel's `what` and the metric's `outcome`).
fn outcome(o: &Outcome) -> &'static str {
    match o {
        Outcome::Promoted => "promoted",
        Outcome::Merged(_) => "merged",
        Outcome::MergeFailed => "merge_failed",
    }
}

/// A guest made: its row, and this week's "made" (`$1`: the guest).
pub const MADE: &str =
    "WITH f AS (INSERT INTO guest_funnel (guest_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING made_at)
     INSERT INTO funnel_weeks (week, what, shard, n)
     SELECT date_trunc('week', made_at AT TIME ZONE 'UTC')::date, 'made', floor(random() * 16)::int2, 1
     FROM f WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL
     ON CONFLICT (week, what, shard) DO UPDATE SET n = funnel_weeks.n + 1";

/// A user contributed: when due, the thresholds crossed, each counted once in
/// the week the guest was made (`$1`: the user).
pub const CONTRIBUTED: &str = "WITH up AS (
       UPDATE guest_funnel SET was = back,
         back = CASE WHEN now() >= made_at + interval '30 days' THEN 30
                     WHEN now() >= made_at + interval '7 days' THEN 7 ELSE 1 END,
         next_due = CASE WHEN now() >= made_at + interval '30 days' THEN NULL
                         WHEN now() >= made_at + interval '7 days' THEN made_at + interval '30 days'
                         ELSE made_at + interval '7 days' END
       WHERE guest_id = $1 AND next_due <= now()
       RETURNING made_at, was, back)
     INSERT INTO funnel_weeks (week, what, shard, n)
     SELECT date_trunc('week', made_at AT TIME ZONE 'UTC')::date, 'back_' || k, floor(random() * 16)::int2, 1
     FROM up, unnest(ARRAY[1, 7, 30]) AS k
     WHERE k > was AND k <= back AND set_config('synchronous_commit', 'off', true) IS NOT NULL
     ON CONFLICT (week, what, shard) DO UPDATE SET n = funnel_weeks.n + 1";

/// Adds `n` to this week's counters `whats` (one statement; equal names are
/// summed first, as one row may be changed once per statement).
pub const BUMP: &str = "INSERT INTO funnel_weeks (week, what, shard, n)
     SELECT date_trunc('week', now() AT TIME ZONE 'UTC')::date, what, floor(random() * 16)::int2, sum(n)
     FROM unnest($1::text[], $2::int8[]) AS t(what, n) WHERE n > 0 GROUP BY what
     ON CONFLICT (week, what, shard) DO UPDATE SET n = funnel_weeks.n + EXCLUDED.n";

/// Records `note` (see the module). Made and Contributed do not wait for the
/// WAL to reach the disk, as the mint does not: a crash can lose a count, not
/// a person's things.
pub async fn note(conn: impl PgExecutor<'_>, note: Note<'_>) -> anyhow::Result<()> {
    match note {
        Note::Made(guest) => sqlx::query(MADE).bind(guest),
        // Most contributions find no row due (a primary-key probe, no write):
        // the row changes at most three times in a guest's life.
        Note::Contributed(user) => sqlx::query(CONTRIBUTED).bind(user),
        Note::Claimed(way, outcomes) => {
            let mut whats: Vec<String> = vec![format!("claim_{way}")];
            whats.extend(outcomes.iter().map(|o| outcome(o).to_owned()));
            let ones = vec![1_i64; whats.len()];
            sqlx::query(BUMP).bind(whats).bind(ones)
        }
        Note::Reaped(n) => sqlx::query(BUMP)
            .bind(vec!["reaped".to_owned()])
            .bind(vec![n as i64]),
    }
    .execute(conn)
    .await
    .context("failed to note the funnel")?;
    Ok(())
}

/// Records `note` outside a transaction; a failure is logged, as a count is
/// never worth refusing a contribution for.
pub async fn note_or_log(pool: &sqlx::PgPool, what: Note<'_>) {
    if let Err(err) = note(pool, what).await {
        tracing::warn!(error = ?err, "the funnel missed a count");
    }
}

/// Counts a claim in the metrics, after its commit: one per guest by way in
/// and outcome.
pub fn count(way: &'static str, outcomes: &[Outcome]) {
    let m = crate::metrics::global();
    for o in outcomes {
        m.funnel_claims.inc(way, outcome(o));
    }
}
