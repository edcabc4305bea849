//! Keeping each venue's stored verdict (`venues.verdict*`) equal to what
//! [`verdict::decide`] says of its answers now. Stored, so the map's boxes,
//! cards and the directory filter read a column; recomputed where answers
//! change (an answer, its removal, an admin's review, a claim) and daily by
//! [`refresh_all`], as answers age and guests turn a week old.

use super::verdict::{self, Answer, MAX_AGE_DAYS};
use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Venues recomputed per transaction by the daily pass.
const BATCH: usize = 500;

/// `(venue, welcome, age in days, guest's age in days, dismissed, network)`.
type Row = (Uuid, bool, i32, Option<i32>, bool, Option<String>);

/// The answers of the last year of `venues` as the rule reads them, each
/// venue's newest first. `venue_checks.checked_on` is a UTC day.
pub async fn answers(conn: &mut PgConnection, venues: &[Uuid]) -> anyhow::Result<Vec<(Uuid, Answer)>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.venue_id, c.welcome, ((now() AT TIME ZONE 'UTC')::date - c.checked_on)::int4,
                CASE WHEN u.is_anonymous THEN extract(day FROM now() - u.created_at)::int4 END,
                NOT c.welcome AND c.resolution IS NOT DISTINCT FROM 'dismissed', c.network
         FROM venue_checks c LEFT JOIN users u ON u.id = c.user_id
         WHERE c.venue_id = ANY($1) AND c.checked_on >= (now() AT TIME ZONE 'UTC')::date - $2
         ORDER BY c.venue_id, c.checked_on DESC, c.created_at DESC, c.id",
    )
    .bind(venues)
    .bind(MAX_AGE_DAYS)
    .fetch_all(conn)
    .await
    .context("failed to read the venues' answers")?;
    Ok(rows
        .into_iter()
        .map(|(venue, welcome, age_days, guest_days, dismissed, network)| {
            let answer = Answer {
                welcome,
                age_days,
                guest_days,
                dismissed,
                network,
            };
            (venue, answer)
        })
        .collect())
}

/// Recomputes and stores the verdicts of `venues` in `conn`'s transaction;
/// how many changed. The venues' rows are locked first (in id order,
/// `FOR NO KEY UPDATE`: answers' foreign-key checks still pass), so two
/// answers committing at once cannot each store a verdict without the other.
pub async fn recompute(conn: &mut PgConnection, venues: &[Uuid]) -> anyhow::Result<u64> {
    let mut ids = venues.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(0);
    }
    sqlx::query("SELECT 1 FROM venues WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
        .bind(&ids)
        .execute(&mut *conn)
        .await
        .context("failed to lock the venues")?;
    let all = answers(conn, &ids).await?;
    let (mut verdicts, mut weights, mut yes, mut no, mut last_yes, mut last_no) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for id in &ids {
        let mine: Vec<Answer> = all
            .iter()
            .filter(|(v, _)| v == id)
            .map(|(_, a)| a.clone())
            .collect();
        let o = verdict::decide(&mine);
        verdicts.push(o.verdict.as_str());
        // Rounded, so a day's decay alone rarely rewrites a row.
        weights.push(((o.weight * 100.0).round() / 100.0) as f32);
        yes.push(o.yes);
        no.push(o.no);
        last_yes.push(o.last_yes);
        last_no.push(o.last_no);
    }
    let changed = sqlx::query(
        "UPDATE venues v SET verdict = n.verdict, verdict_weight = n.weight,
                verdict_yes = n.yes, verdict_no = n.no,
                verdict_last_yes = (now() AT TIME ZONE 'UTC')::date - n.last_yes,
                verdict_last_no = (now() AT TIME ZONE 'UTC')::date - n.last_no
         FROM UNNEST($1::uuid[], $2::text[], $3::real[], $4::int4[], $5::int4[], $6::int4[], $7::int4[])
              AS n (id, verdict, weight, yes, no, last_yes, last_no)
         WHERE v.id = n.id
           AND (v.verdict, v.verdict_weight, v.verdict_yes, v.verdict_no, v.verdict_last_yes, v.verdict_last_no)
               IS DISTINCT FROM
               (n.verdict, n.weight, n.yes, n.no,
                (now() AT TIME ZONE 'UTC')::date - n.last_yes, (now() AT TIME ZONE 'UTC')::date - n.last_no)",
    )
    .bind(&ids)
    .bind(&verdicts)
    .bind(&weights)
    .bind(&yes)
    .bind(&no)
    .bind(&last_yes)
    .bind(&last_no)
    .execute(conn)
    .await
    .context("failed to store the verdicts")?;
    Ok(changed.rows_affected())
}

/// Recomputes, in a transaction of its own, the venues `user` answered in the
/// last year: after a claim (whose transaction has committed) the answers of
/// the guest it brought count fully. How many changed.
pub async fn after_claim(pool: &PgPool, user: Uuid) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await.context("failed to begin recomputing")?;
    let venues = answered_by(&mut tx, user).await?;
    let changed = recompute(&mut tx, &venues).await?;
    tx.commit().await.context("failed to commit the verdicts")?;
    Ok(changed)
}

/// The venues whose verdict the answers of `user` (in the last year) weigh in.
async fn answered_by(conn: &mut PgConnection, user: Uuid) -> anyhow::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT DISTINCT venue_id FROM venue_checks
         WHERE user_id = $1 AND checked_on >= (now() AT TIME ZONE 'UTC')::date - $2",
    )
    .bind(user)
    .bind(MAX_AGE_DAYS)
    .fetch_all(conn)
    .await
    .context("failed to find the answered venues")
}

/// The daily pass: every venue with an answer in the last year or a verdict
/// still stored, `BATCH` to a transaction; returns how many changed. Also how
/// a guest's answers reach full weight a week after they were given (the
/// guest's age is not an event).
pub async fn refresh_all(pool: &PgPool) -> anyhow::Result<u64> {
    let venues: Vec<Uuid> = sqlx::query_scalar(
        "SELECT venue_id FROM venue_checks WHERE checked_on >= (now() AT TIME ZONE 'UTC')::date - $1 - 1
         UNION SELECT id FROM venues WHERE verdict <> 'unconfirmed'",
    )
    .bind(MAX_AGE_DAYS)
    .fetch_all(pool)
    .await
    .context("failed to list venues with answers")?;
    let mut changed = 0;
    for batch in venues.chunks(BATCH) {
        let mut tx = pool.begin().await.context("failed to begin recomputing")?;
        changed += recompute(&mut tx, batch).await?;
        tx.commit().await.context("failed to commit the verdicts")?;
    }
    Ok(changed)
}
