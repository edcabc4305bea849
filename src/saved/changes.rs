//! "What changed near your saved places": new venues within 2 km of a saved
//! place, and new answers at saved places — "yes" (confirmations) and "no" —
//! from the raw `venue_checks` rows, the person's own left out. The same
//! changes fill `/saved` and the weekly digest.

use super::{Changes, DEFAULT_DAYS, MAX_CHANGES, NEAR_KM, NewAnswers, NewNearby};
use anyhow::Context as _;
use sqlx::PgPool;
use uuid::Uuid;

/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.2;
/// The furthest back anything is looked for, however long ago the last look.
const MAX_DAYS: i64 = 30;

/// Records a look at `/saved` and returns since when its changes count: the
/// look before the last one when the last was within the hour (a reload
/// shows the same), else the last look, else [`DEFAULT_DAYS`] ago.
/// The moment is in seconds since 1970 (UTC).
pub async fn look(pool: &PgPool, user: Uuid) -> anyhow::Result<f64> {
    sqlx::query_scalar(
        "INSERT INTO saved_watch AS w (user_id, looked_at) VALUES ($1, now())
         ON CONFLICT (user_id) DO UPDATE SET
           looked_before = CASE WHEN w.looked_at < now() - interval '1 hour' THEN w.looked_at ELSE w.looked_before END,
           looked_at = CASE WHEN w.looked_at < now() - interval '1 hour' OR w.looked_at IS NULL THEN now() ELSE w.looked_at END
         RETURNING extract(epoch FROM coalesce(looked_before, now() - make_interval(days => $2)))::float8",
    )
    .bind(user)
    .bind(DEFAULT_DAYS as i32)
    .fetch_one(pool)
    .await
    .context("failed to record the look")
}

/// What changed near `user`'s saved places after `since` (at most
/// [`MAX_DAYS`] back), at most [`MAX_CHANGES`] lines of each kind.
/// `since` is in seconds since 1970 (UTC).
pub async fn since(pool: &PgPool, user: Uuid, since: f64) -> anyhow::Result<Changes> {
    let floor = crate::time::unix_millis() as f64 / 1000.0 - (MAX_DAYS * 86_400) as f64;
    let since = since.max(floor);
    let degrees = NEAR_KM / KM_PER_DEGREE;
    // The box (GiST on venues.location) finds the candidates; the great-circle
    // distance keeps those within NEAR_KM. `location` is (lng, lat).
    let nearby: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT slug, name, city, near FROM (
           SELECT DISTINCT ON (n.id) n.slug, n.name, n.city, s.name AS near, n.created_at
           FROM saved_places sp
           JOIN venues s ON s.id = sp.venue_id
           JOIN venues n ON n.location <@ box(
                  point(s.location[0] - $3 / greatest(cos(radians(s.location[1])), 0.01), s.location[1] - $3),
                  point(s.location[0] + $3 / greatest(cos(radians(s.location[1])), 0.01), s.location[1] + $3))
           WHERE sp.user_id = $1 AND n.created_at > to_timestamp($2) AND n.id <> s.id
             AND NOT EXISTS (SELECT 1 FROM saved_places x WHERE x.user_id = $1 AND x.venue_id = n.id)
             AND 2 * 6371 * asin(sqrt(
                   power(sin(radians(n.location[1] - s.location[1]) / 2), 2)
                   + cos(radians(s.location[1])) * cos(radians(n.location[1]))
                     * power(sin(radians(n.location[0] - s.location[0]) / 2), 2))) <= $4
           ORDER BY n.id, s.name
         ) found ORDER BY created_at DESC, slug LIMIT $5",
    )
    .bind(user)
    .bind(since)
    .bind(degrees)
    .bind(NEAR_KM)
    .bind(MAX_CHANGES)
    .fetch_all(pool)
    .await
    .context("failed to find new places nearby")?;
    // Raw answers: a stored verdict (with "disputed") could say this in one
    // word per place once it exists.
    let answers: Vec<(String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT v.slug, v.name,
                count(*) FILTER (WHERE c.welcome), count(*) FILTER (WHERE NOT c.welcome),
                to_char(max(c.created_at) AT TIME ZONE 'UTC', 'FMDD Mon YYYY')
         FROM saved_places sp
         JOIN venues v ON v.id = sp.venue_id
         JOIN venue_checks c ON c.venue_id = sp.venue_id
         WHERE sp.user_id = $1 AND c.created_at > to_timestamp($2) AND c.user_id IS DISTINCT FROM $1
         GROUP BY v.id ORDER BY max(c.created_at) DESC, v.slug LIMIT $3",
    )
    .bind(user)
    .bind(since)
    .bind(MAX_CHANGES)
    .fetch_all(pool)
    .await
    .context("failed to find new answers")?;
    let since: String =
        sqlx::query_scalar("SELECT to_char(to_timestamp($1) AT TIME ZONE 'UTC', 'FMDD Mon YYYY')")
            .bind(since)
            .fetch_one(pool)
            .await
            .context("failed to name the day")?;
    Ok(Changes {
        since,
        new_nearby: nearby
            .into_iter()
            .map(|(slug, name, city, near)| NewNearby {
                slug,
                name,
                city,
                near,
            })
            .collect(),
        answers: answers
            .into_iter()
            .map(|(slug, name, yes, no, last_on)| NewAnswers {
                slug,
                name,
                yes,
                no,
                last_on,
            })
            .collect(),
    })
}
