//! What the identity core tells the operator's funnel (`crate::funnel` reads
//! it): a guest made, a user contributing, a claim, guests reaped. Written
//! where it happens (every contribution, the ending's transaction, the
//! reaper's batch), into `guest_funnel` (one row per guest, no foreign key: a
//! merge or a reap does not lose it) and the weekly rollup `funnel_weeks`.
//! The mint writes its guest's row inside its own one statement ([`MADE`])
//! and counts it in memory ([`MadeCounts`]).
//!
//! The identity crate reaches it through its seams only: the mint's app step
//! ([`MADE`]) and `PawsHooks::signing_in` (a claim, in the one ending's
//! transaction).
//!
//! The funnel must not slow contributions down (bench/ab measured adding a
//! dog 18 % slower with a probe per contribution: one more round trip on one
//! of the pool's few connections). A user's next threshold is remembered
//! here, per process, and the probe is skipped before it. `next_due` only
//! ever moves forward, so what one instance remembers is never later than
//! the truth; at worst an instance probes once more. A plain map, forgotten
//! whole when it reaches [`REMEMBERED`] users: a cache crate would add a
//! dependency for what a dozen lines do.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use anonymous_first::merge::Outcome;
use anyhow::Context as _;
use sqlx::PgExecutor;
use uuid::Uuid;

/// Users whose next threshold is remembered, at most.
pub const REMEMBERED: usize = 100_000;

/// Each user's next threshold (unix seconds; infinite: never), as last read.
static NOT_BEFORE: LazyLock<Mutex<HashMap<Uuid, f64>>> = LazyLock::new(Default::default);

/// Now, in unix seconds.
fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Something the funnel counts.
#[derive(Debug)]
pub enum Note<'a> {
    /// A user contributed again: counts once per threshold (1, 7, 30 days
    /// after its making) that it crossed, for a user made as a guest.
    Contributed(Uuid),
    /// A way in (`Method::way`) brought guests along (the ending's outcomes).
    Claimed(&'static str, &'a [Outcome]),
    /// The reaper deleted this many idle guests.
    Reaped(u64),
}

/// A guest made: its row, for the thresholds to come. A CTE for the mint's
/// own statement, after its `fresh(id)` (the new guest, when one was made).
/// This week's "made" is counted in memory ([`MadeCounts`]), not here.
pub const MADE: &str = "made AS (
           INSERT INTO guest_funnel (guest_id) SELECT id FROM fresh ON CONFLICT DO NOTHING)";

/// Guests made by this process and not yet in `funnel_weeks`, by week (days
/// from 1970-01-01 to its Monday). Adding one to a shared counter row in
/// every mint made guest creation 15–30 % slower (bench/ab: the row's lock
/// and its versions); [`MadeCounts::flush`] adds them up every few seconds,
/// and before the funnel is read. A crash loses those seconds' counts, never
/// a guest. One per [`crate::Context`], so each database gets its own.
#[derive(Clone, Debug, Default)]
pub struct MadeCounts(Arc<Mutex<HashMap<i32, i64>>>);

impl MadeCounts {
    /// Counts a guest made now (after its commit).
    pub fn add(&self) {
        let days = (now_secs() / 86_400.0).floor() as i32;
        // 1970-01-01 was a Thursday: Monday is three days on in its week.
        let monday = days - (days + 3).rem_euclid(7);
        if let Ok(mut weeks) = self.0.lock() {
            *weeks.entry(monday).or_default() += 1;
        }
    }

    /// Writes the counts so far into `funnel_weeks` (one statement); on a
    /// failure they are kept for the next try.
    pub async fn flush(&self, pool: &sqlx::PgPool) -> anyhow::Result<()> {
        let taken: Vec<(i32, i64)> = match self.0.lock() {
            Ok(mut weeks) => weeks.drain().collect(),
            Err(_) => return Ok(()),
        };
        if taken.is_empty() {
            return Ok(());
        }
        let written = sqlx::query(
            "INSERT INTO funnel_weeks (week, what, shard, n)
             SELECT date '1970-01-01' + d, 'made', floor(random() * 16)::int2, n
             FROM unnest($1::int4[], $2::int8[]) AS t(d, n)
             ON CONFLICT (week, what, shard) DO UPDATE SET n = funnel_weeks.n + EXCLUDED.n",
        )
        .bind(taken.iter().map(|t| t.0).collect::<Vec<_>>())
        .bind(taken.iter().map(|t| t.1).collect::<Vec<_>>())
        .execute(pool)
        .await;
        if written.is_err()
            && let Ok(mut weeks) = self.0.lock()
        {
            for (week, n) in &taken {
                *weeks.entry(*week).or_default() += n;
            }
        }
        written.context("failed to write the guests made")?;
        Ok(())
    }
}

/// A user contributed: when due, the thresholds crossed, each counted once in
/// the week the guest was made (`$1`: the user). Answers the user's next
/// threshold in unix seconds (infinite when none comes: 30 days reached, or
/// not made as a guest here).
pub const CONTRIBUTED: &str = "WITH up AS (
       UPDATE guest_funnel SET was = back,
         back = CASE WHEN now() >= made_at + interval '30 days' THEN 30
                     WHEN now() >= made_at + interval '7 days' THEN 7 ELSE 1 END,
         next_due = CASE WHEN now() >= made_at + interval '30 days' THEN NULL
                         WHEN now() >= made_at + interval '7 days' THEN made_at + interval '30 days'
                         ELSE made_at + interval '7 days' END
       WHERE guest_id = $1 AND next_due <= now()
       RETURNING made_at, was, back, next_due),
     counted AS (
       INSERT INTO funnel_weeks (week, what, shard, n)
       SELECT date_trunc('week', made_at AT TIME ZONE 'UTC')::date, 'back_' || k, floor(random() * 16)::int2, 1
       FROM up, unnest(ARRAY[1, 7, 30]) AS k
       WHERE k > was AND k <= back
       ON CONFLICT (week, what, shard) DO UPDATE SET n = funnel_weeks.n + 1)
     SELECT extract(epoch FROM coalesce(
              (SELECT next_due FROM up),
              (SELECT next_due FROM guest_funnel WHERE guest_id = $1 AND NOT EXISTS (SELECT 1 FROM up)),
              'infinity'))::float8
     WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL";

/// Adds `n` to this week's counters `whats` (one statement; equal names are
/// summed first, as one row may be changed once per statement).
pub const BUMP: &str = "INSERT INTO funnel_weeks (week, what, shard, n)
     SELECT date_trunc('week', now() AT TIME ZONE 'UTC')::date, what, floor(random() * 16)::int2, sum(n)
     FROM unnest($1::text[], $2::int8[]) AS t(what, n) WHERE n > 0 GROUP BY what
     ON CONFLICT (week, what, shard) DO UPDATE SET n = funnel_weeks.n + EXCLUDED.n";

/// Records `note` (see the module). Contributed does not wait for the WAL to
/// reach the disk, as the mint does not: a crash can lose a count, not a
/// person's things.
pub async fn note(conn: impl PgExecutor<'_>, note: Note<'_>) -> anyhow::Result<()> {
    match note {
        Note::Contributed(user) => return contributed(conn, user).await,
        Note::Claimed(way, outcomes) => {
            let mut whats: Vec<String> = vec![format!("claim_{way}")];
            whats.extend(outcomes.iter().map(|o| o.as_str().to_owned()));
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

/// The probe of a contribution, unless this process knows it is not due.
/// Most that run find no row due (a primary-key probe, no write): the row
/// changes at most three times in a guest's life.
async fn contributed(conn: impl PgExecutor<'_>, user: Uuid) -> anyhow::Result<()> {
    let known = NOT_BEFORE.lock().ok().and_then(|m| m.get(&user).copied());
    if known.is_some_and(|due| now_secs() < due) {
        return Ok(());
    }
    let next: f64 = sqlx::query_scalar(CONTRIBUTED)
        .bind(user)
        .fetch_one(conn)
        .await
        .context("failed to note the funnel")?;
    if let Ok(mut map) = NOT_BEFORE.lock() {
        if map.len() >= REMEMBERED {
            map.clear();
        }
        map.insert(user, next);
    }
    Ok(())
}

/// Records `note` outside a transaction; a failure is logged, as a count is
/// never worth refusing a contribution for.
pub async fn note_or_log(pool: &sqlx::PgPool, what: Note<'_>) {
    if let Err(err) = note(pool, what).await {
        tracing::warn!(error = ?err, "the funnel missed a count");
    }
}
