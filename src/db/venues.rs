//! Venue queries: the filtered list, the map box, and one venue by slug.

use crate::filter::VenueFilter;
use crate::geo::BBox;
use crate::venue::{MapMarker, VenueDetail, VenueSummary};
use anyhow::Context;
use sqlx::PgPool;

/// Most venues a list shows at once.
pub const LIST_LIMIT: i64 = 200;
/// Most markers one box query returns; a zoomed-out world map must stay cheap.
pub const BOX_LIMIT: i64 = 500;

/// The filter's WHERE clause, parameters $1..$7 (see [`FilterParams`]). Each
/// optional filter is `(param IS NULL/false OR condition)`, so one prepared
/// statement serves every combination.
macro_rules! filter_sql {
    () => {
        "($1::text IS NULL OR name ILIKE $1 OR address ILIKE $1)
         AND ($2::text IS NULL OR city = $2)
         AND ($3::text IS NULL OR category = $3)
         AND (NOT $4 OR dogs_inside = 'yes')
         AND (NOT $5 OR size_limit = 'any')
         AND (NOT $6 OR water_bowl)
         AND (NOT $7 OR treats)"
    };
}

macro_rules! summary_columns {
    () => {
        "slug, name, category, address, city, location[1] AS lat, location[0] AS lng,
         dogs_inside, size_limit, water_bowl, treats"
    };
}

/// The filter as bind values, in the order `filter_sql!` expects.
struct FilterParams {
    pattern: Option<String>,
    city: Option<String>,
    category: Option<&'static str>,
    flags: [bool; 4],
}

impl From<&VenueFilter> for FilterParams {
    fn from(f: &VenueFilter) -> Self {
        Self {
            pattern: f.q.as_deref().map(|q| format!("%{}%", escape_like(q))),
            city: f.city.clone(),
            category: f.category.map(|c| c.as_str()),
            flags: [f.everywhere, f.large_dogs, f.water, f.treats],
        }
    }
}

macro_rules! bind_filter {
    ($query:expr, $p:expr) => {
        $query
            .bind($p.pattern)
            .bind($p.city)
            .bind($p.category)
            .bind($p.flags[0])
            .bind($p.flags[1])
            .bind($p.flags[2])
            .bind($p.flags[3])
    };
}

/// Escapes LIKE wildcards so user text matches literally.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Venues matching the filter, ordered by city then name.
pub async fn search(pool: &PgPool, filter: &VenueFilter) -> anyhow::Result<Vec<VenueSummary>> {
    let sql = concat!(
        "SELECT ",
        summary_columns!(),
        " FROM venues WHERE ",
        filter_sql!(),
        " ORDER BY city, name LIMIT $8"
    );
    let params = FilterParams::from(filter);
    bind_filter!(sqlx::query_as::<_, VenueSummary>(sql), params)
        .bind(LIST_LIMIT)
        .fetch_all(pool)
        .await
        .context("failed to search venues")
}

/// Markers for venues matching the filter inside the box (GiST index scan).
pub async fn in_box(pool: &PgPool, bbox: BBox, filter: &VenueFilter) -> anyhow::Result<Vec<MapMarker>> {
    let sql = concat!(
        "SELECT slug, name, category, location[1] AS lat, location[0] AS lng FROM venues
         WHERE location <@ box(point($8, $9), point($10, $11)) AND ",
        filter_sql!(),
        " LIMIT $12"
    );
    let params = FilterParams::from(filter);
    bind_filter!(sqlx::query_as::<_, MapMarker>(sql), params)
        .bind(bbox.west)
        .bind(bbox.south)
        .bind(bbox.east)
        .bind(bbox.north)
        .bind(BOX_LIMIT)
        .fetch_all(pool)
        .await
        .context("failed to query venues in box")
}

/// The distinct cities, for the city filter.
pub async fn cities(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT city FROM venues ORDER BY city")
        .fetch_all(pool)
        .await
        .context("failed to list cities")
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    summary: VenueSummary,
    policy_notes: String,
    website: Option<String>,
    suggested_by: Option<String>,
    created_on: String,
    updated_on: String,
}

/// One venue by slug, or `None`.
pub async fn by_slug(pool: &PgPool, slug: &crate::Slug) -> anyhow::Result<Option<VenueDetail>> {
    let sql = concat!(
        "SELECT ",
        summary_columns!(),
        ", policy_notes, website, suggested_by,
         to_char(created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS created_on,
         to_char(updated_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS updated_on
         FROM venues WHERE slug = $1"
    );
    let row = sqlx::query_as::<_, DetailRow>(sql)
        .bind(slug.as_str())
        .fetch_optional(pool)
        .await
        .context("failed to load venue")?;
    Ok(row.map(|r| VenueDetail {
        summary: r.summary,
        policy_notes: r.policy_notes,
        website: r.website,
        suggested_by: r.suggested_by,
        created_on: r.created_on,
        updated_on: r.updated_on,
    }))
}
