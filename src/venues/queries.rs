//! Venue queries: the filtered list, the map box, and one venue by slug.

use crate::geo::BBox;
use crate::venues::filter::VenueFilter;
use crate::venues::{MapMarker, VenueDetail, VenueSummary};
use anyhow::Context;
use sqlx::{PgPool, Postgres, QueryBuilder};

/// Most venues a list shows at once.
pub const LIST_LIMIT: i64 = 200;
/// Most markers one box query returns; a zoomed-out world map must stay cheap.
pub const BOX_LIMIT: i64 = 500;

macro_rules! summary_columns {
    () => {
        "slug, name, category, address, city, location[1] AS lat, location[0] AS lng,
         dogs_inside, size_limit, water_bowl, treats"
    };
}

/// Appends the conditions of the filters that are set, and only those: each
/// combination is its own cached prepared statement, so the common queries
/// (no filter, one city) get a plan made for them once instead of a
/// catch-all `($n IS NULL OR …)` that Postgres re-plans on every call.
fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, f: &VenueFilter) {
    if let Some(q) = f.q.as_deref() {
        let pattern = format!("%{}%", escape_like(q));
        qb.push(" AND (name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR address ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(city) = &f.city {
        qb.push(" AND city = ").push_bind(city.clone());
    }
    if let Some(category) = f.category {
        qb.push(" AND category = ").push_bind(category.as_str());
    }
    for (on, condition) in [
        (f.everywhere, " AND dogs_inside = 'yes'"),
        (f.large_dogs, " AND size_limit = 'any'"),
        (f.water, " AND water_bowl"),
        (f.treats, " AND treats"),
    ] {
        if on {
            qb.push(condition);
        }
    }
}

/// Escapes LIKE wildcards so user text matches literally.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Venues matching the filter, ordered by city then name.
pub async fn search(pool: &PgPool, filter: &VenueFilter) -> anyhow::Result<Vec<VenueSummary>> {
    let mut qb = QueryBuilder::new(concat!("SELECT ", summary_columns!(), " FROM venues WHERE true"));
    push_filter(&mut qb, filter);
    qb.push(" ORDER BY city, name LIMIT ").push_bind(LIST_LIMIT);
    qb.build_query_as::<VenueSummary>()
        .fetch_all(pool)
        .await
        .context("failed to search venues")
}

/// Markers for venues matching the filter inside the box (GiST index scan).
pub async fn in_box(pool: &PgPool, bbox: BBox, filter: &VenueFilter) -> anyhow::Result<Vec<MapMarker>> {
    let mut qb = QueryBuilder::new(
        "SELECT slug, name, category, location[1] AS lat, location[0] AS lng FROM venues WHERE location <@ box(point(",
    );
    qb.push_bind(bbox.west)
        .push(", ")
        .push_bind(bbox.south)
        .push("), point(")
        .push_bind(bbox.east)
        .push(", ")
        .push_bind(bbox.north)
        .push("))");
    push_filter(&mut qb, filter);
    qb.push(" LIMIT ").push_bind(BOX_LIMIT);
    qb.build_query_as::<MapMarker>()
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
