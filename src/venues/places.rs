//! Places we have venues in (`venue_cities`), and where a typed street is:
//! the place field and its suggestions, a city named in a search, and the
//! suggestion form's map picker.

use crate::geo::BBox;
use crate::venues::queries::{Edges, escape_like};
use anyhow::Context;
use sqlx::PgPool;

/// A place we have venues in, as typed: the city of that name (any case), or
/// else the biggest whose name starts with it. "Berlin, Germany" is read as
/// "Berlin" when no city has the whole name: people add the country
/// ([`city_part`](crate::venues::search::city_part)).
pub async fn place(pool: &PgPool, typed: &str) -> anyhow::Result<Option<(String, BBox)>> {
    let first = crate::venues::search::city_part(typed);
    let row: Option<(String, Edges)> = sqlx::query_as(
        "SELECT name, (min_lat, min_lng, max_lat, max_lng) FROM venue_cities
         WHERE lower(name) IN (lower($1), lower($2)) OR lower(name) LIKE lower($3) ESCAPE '\\'
         ORDER BY lower(name) = lower($1) DESC, lower(name) = lower($2) DESC, n DESC, name LIMIT 1",
    )
    .bind(typed)
    .bind(&first)
    .bind(format!("{}%", escape_like(&first)))
    .fetch_optional(pool)
    .await
    .context("failed to look up a place")?;
    Ok(row.and_then(|(name, (s, w, n, e))| Some((name, BBox::new(s?, w?, n?, e?)?))))
}

/// The box around the venues of `city` (its stored name) whose name, street
/// or city have every word of `words` (a `to_tsquery` text, see
/// [`crate::venues::search::Search::tsquery`]): where a typed street is, from our own data.
pub async fn street_area(pool: &PgPool, city: &str, words: &str) -> anyhow::Result<Option<BBox>> {
    let row: Edges = sqlx::query_as(
        "SELECT min(location[1]), min(location[0]), max(location[1]), max(location[0]) FROM venues
         WHERE city = $1 AND paws_venue_words(name, address, city) @@ to_tsquery('simple', $2)",
    )
    .bind(city)
    .bind(words)
    .persistent(false)
    .fetch_one(pool)
    .await
    .context("failed to find a street")?;
    Ok(match row {
        (Some(s), Some(w), Some(n), Some(e)) => BBox::new(s, w, n, e),
        _ => None,
    })
}

/// The biggest city whose lowercase name is one of `names`, with its extent.
pub async fn city_named(pool: &PgPool, names: &[String]) -> anyhow::Result<Option<(String, BBox)>> {
    let row: Option<(String, Edges)> = sqlx::query_as(
        "SELECT name, (min_lat, min_lng, max_lat, max_lng) FROM venue_cities
         WHERE lower(name) = ANY($1) ORDER BY n DESC, name LIMIT 1",
    )
    .bind(names)
    .fetch_optional(pool)
    .await
    .context("failed to look up a city in a search")?;
    Ok(row.and_then(|(name, (s, w, n, e))| Some((name, BBox::new(s?, w?, n?, e?)?))))
}

/// The places whose name starts with `prefix` (any case; all for an empty
/// one), the most venues first, at most `limit`: the place field's
/// suggestions. An index read of `venue_cities`, not a scan of venues.
pub async fn places(pool: &PgPool, prefix: &str, limit: i64) -> anyhow::Result<Vec<String>> {
    let sql = if prefix.is_empty() {
        "SELECT name FROM venue_cities ORDER BY n DESC, name LIMIT $1"
    } else {
        "SELECT name FROM venue_cities WHERE lower(name) LIKE lower($2) ESCAPE '\\'
         ORDER BY n DESC, name LIMIT $1"
    };
    let mut q = sqlx::query_scalar(sql).bind(limit);
    if !prefix.is_empty() {
        q = q.bind(format!("{}%", escape_like(prefix)));
    }
    q.fetch_all(pool).await.context("failed to list places")
}
