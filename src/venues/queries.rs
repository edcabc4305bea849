//! Venue queries: the list in a view, its count, the map's markers and
//! clusters, and one venue by slug (places are in `places.rs`).

use crate::geo::{BBox, LatLng};
use crate::venues::filter::VenueFilter;
use crate::venues::grid::{CellRange, MIN_LEVEL};
use crate::venues::search::Search;
use crate::venues::view::PAGE_SIZE;
use crate::venues::{Cluster, MapMarker, VenueDetail, VenueSummary};
use anyhow::Context;
use sqlx::{PgPool, Postgres, QueryBuilder};

macro_rules! summary_columns {
    () => {
        "slug, name, category, address, city, location[1] AS lat, location[0] AS lng,
         dogs_inside, size_limit, water_bowl, treats,
         (osm_id IS NOT NULL AND admin_edited_at IS NULL AND policy_changed_at IS NULL
          AND (osm_dog IN ('no', 'outside')
          OR NOT EXISTS (SELECT 1 FROM venue_checks c WHERE c.venue_id = venues.id AND c.welcome)))
           AS unconfirmed,
         verdict, verdict_weight, verdict_yes, verdict_no,
         to_char(verdict_last_yes, 'FMDD Mon YYYY') AS verdict_last_yes,
         to_char(verdict_last_no, 'FMDD Mon YYYY') AS verdict_last_no"
    };
}

/// Appends the conditions of the filters that are set, and only those: each
/// combination is its own cached prepared statement, so the common queries
/// (no filter, one city) get a plan made for them once instead of a
/// catch-all `($n IS NULL OR …)` that Postgres re-plans on every call.
fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, f: &VenueFilter) {
    if let Some(q) = f.q.as_deref() {
        // Name, street and city together, from the `venues_search` index;
        // words that name a kind of place ask for the kind instead.
        let search = Search::read(q);
        if search.signs_only {
            qb.push(" AND false");
        }
        if let Some(words) = search.tsquery() {
            qb.push(" AND paws_venue_words(name, address, city) @@ to_tsquery('simple', ")
                .push_bind(words)
                .push(")");
        }
        if !search.kinds.is_empty() {
            let kinds: Vec<&str> = search.kinds.iter().map(|k| k.as_str()).collect();
            qb.push(" AND category = ANY(").push_bind(kinds).push(")");
        }
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
        (f.confirmed, " AND verdict = 'confirmed'"),
    ] {
        if on {
            qb.push(condition);
        }
    }
}

/// Whether a query for `f` is planned for its values each time (an unnamed
/// statement): a search's words may match three venues or 300 000, and a
/// cached generic plan would pick one way to read them for all.
fn planned_each_time(f: &VenueFilter) -> bool {
    f.q.is_some()
}

/// Escapes LIKE wildcards so user text matches literally.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// How a query reads the venues of a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// From the view's GiST index (`location <@ box`).
    View,
    /// From the search's own index, the view a plain filter: for a search
    /// in a view of more venues than it has matches. Postgres cannot tell
    /// (it guesses any box at 0.1 % of the table), and read a whole
    /// country's view from the GiST index (1 000 000 entries, 180 ms) to
    /// intersect it with the three matches of a name.
    Words,
}

/// Appends the condition that keeps to `view`, read as `reach` says.
fn push_box(qb: &mut QueryBuilder<'_, Postgres>, view: BBox, reach: Reach) {
    if reach == Reach::Words {
        qb.push(" AND location[0] BETWEEN ")
            .push_bind(view.west)
            .push(" AND ")
            .push_bind(view.east)
            .push(" AND location[1] BETWEEN ")
            .push_bind(view.south)
            .push(" AND ")
            .push_bind(view.north);
        return;
    }
    qb.push(" AND location <@ box(point(")
        .push_bind(view.west)
        .push(", ")
        .push_bind(view.south)
        .push("), point(")
        .push_bind(view.east)
        .push(", ")
        .push_bind(view.north)
        .push("))");
}

/// One page of the venues in `view` matching the filter, nearest to `centre`
/// first (the GiST index's distance order, in degrees), and whether more follow.
/// Ordered by the distance alone: a second sort key would stop Postgres from
/// walking the index in distance order, and it would read the whole view (at
/// 1 000 000 venues a country view took 880 ms instead of 1 ms).
pub async fn in_view(
    pool: &PgPool,
    view: BBox,
    centre: LatLng,
    filter: &VenueFilter,
    page: u32,
    reach: Reach,
) -> anyhow::Result<(Vec<VenueSummary>, bool)> {
    let mut qb = QueryBuilder::new(concat!("SELECT ", summary_columns!(), " FROM venues WHERE true"));
    push_box(&mut qb, view, reach);
    push_filter(&mut qb, filter);
    qb.push(" ORDER BY location <-> point(")
        .push_bind(centre.lng)
        .push(", ")
        .push_bind(centre.lat)
        .push(") LIMIT ")
        .push_bind(PAGE_SIZE + 1)
        .push(" OFFSET ")
        .push_bind(i64::from(page.saturating_sub(1)) * PAGE_SIZE);
    let mut rows = qb
        .build_query_as::<VenueSummary>()
        .persistent(!planned_each_time(filter))
        .fetch_all(pool)
        .await
        .context("failed to list venues in view")?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok((rows, more))
}

/// How many venues in `view` match the filter, counted up to `limit` (the
/// count stops there, so a country-wide view costs no more than a city's).
pub async fn count_in_view(
    pool: &PgPool,
    view: BBox,
    filter: &VenueFilter,
    limit: i64,
    reach: Reach,
) -> anyhow::Result<i64> {
    let mut qb = QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM venues WHERE true");
    push_box(&mut qb, view, reach);
    push_filter(&mut qb, filter);
    qb.push(" LIMIT ").push_bind(limit).push(") v");
    qb.build_query_scalar::<i64>()
        .persistent(!planned_each_time(filter))
        .fetch_one(pool)
        .await
        .context("failed to count venues in view")
}

/// Markers for venues matching the filter inside the box, at most `limit`.
pub async fn markers_in_box(
    pool: &PgPool,
    view: BBox,
    filter: &VenueFilter,
    limit: i64,
    reach: Reach,
) -> anyhow::Result<Vec<MapMarker>> {
    let mut qb = QueryBuilder::new(
        "SELECT slug, name, category, location[1] AS lat, location[0] AS lng, verdict FROM venues WHERE true",
    );
    push_box(&mut qb, view, reach);
    push_filter(&mut qb, filter);
    qb.push(" LIMIT ").push_bind(limit);
    qb.build_query_as::<MapMarker>()
        .persistent(!planned_each_time(filter))
        .fetch_all(pool)
        .await
        .context("failed to query venues in box")
}

/// Groups the venues in `range`'s view matching the filter into its cells, on
/// the fly, reading at most `limit` venues; and whether that limit was hit.
pub async fn group_in_box(
    pool: &PgPool,
    view: BBox,
    range: CellRange,
    filter: &VenueFilter,
    limit: i64,
    reach: Reach,
) -> anyhow::Result<(Vec<Cluster>, bool)> {
    let mut qb = QueryBuilder::new("WITH v AS (SELECT location FROM venues WHERE true");
    push_box(&mut qb, view, reach);
    push_filter(&mut qb, filter);
    qb.push(" LIMIT ")
        .push_bind(limit)
        .push(") SELECT count(*)::int8 AS n, avg(location[1]) AS lat, avg(location[0]) AS lng, ")
        .push("min(location[1]) AS south, min(location[0]) AS west, max(location[1]) AS north, max(location[0]) AS east ")
        .push("FROM v GROUP BY paws_cell_x(location[0], ")
        .push_bind(i32::from(range.g))
        .push("), paws_cell_y(location[1], ")
        .push_bind(i32::from(range.g))
        .push(")");
    let clusters: Vec<Cluster> = qb
        .build_query_as()
        .persistent(!planned_each_time(filter))
        .fetch_all(pool)
        .await
        .context("failed to group venues in box")?;
    let read: i64 = clusters.iter().map(|c| c.n).sum();
    Ok((clusters, read >= limit))
}

/// The clusters of `range` from `venue_cells` (unfiltered views only).
pub async fn stored_clusters(pool: &PgPool, range: CellRange) -> anyhow::Result<Vec<Cluster>> {
    sqlx::query_as(
        "SELECT n::int8 AS n, sum_lat / n AS lat, sum_lng / n AS lng,
                coalesce(min_lat, sum_lat / n) AS south, coalesce(min_lng, sum_lng / n) AS west,
                coalesce(max_lat, sum_lat / n) AS north, coalesce(max_lng, sum_lng / n) AS east
         FROM venue_cells WHERE g = $1 AND cx BETWEEN $2 AND $3 AND cy BETWEEN $4 AND $5",
    )
    .bind(i16::from(range.g))
    .bind(range.x0)
    .bind(range.x1)
    .bind(range.y0)
    .bind(range.y1)
    .fetch_all(pool)
    .await
    .context("failed to read venue cells")
}

/// South, west, north, east; NULL where nothing was counted.
pub(crate) type Edges = (Option<f64>, Option<f64>, Option<f64>, Option<f64>);

/// The box around every venue (from the coarsest cells: at most 16 rows).
pub async fn everything(pool: &PgPool) -> anyhow::Result<Option<BBox>> {
    let row: Edges = sqlx::query_as(
        "SELECT min(min_lat), min(min_lng), max(max_lat), max(max_lng) FROM venue_cells WHERE g = $1",
    )
    .bind(i16::from(MIN_LEVEL))
    .fetch_one(pool)
    .await
    .context("failed to read the venues' extent")?;
    Ok(match row {
        (Some(s), Some(w), Some(n), Some(e)) => BBox::new(s, w, n, e),
        _ => None,
    })
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    summary: VenueSummary,
    policy_notes: String,
    website: Option<String>,
    phone: Option<String>,
    opening_hours: Option<String>,
    suggested_by: Option<String>,
    created_on: String,
    updated_on: String,
    osm: Option<String>,
    osm_dog: Option<String>,
    leash: String,
    dog_conditional: Option<String>,
}

/// One venue by slug, or `None`.
pub async fn by_slug(pool: &PgPool, slug: &crate::Slug) -> anyhow::Result<Option<VenueDetail>> {
    let sql = concat!(
        "SELECT ",
        summary_columns!(),
        ", policy_notes, website, phone, opening_hours, suggested_by,
         to_char(created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS created_on,
         to_char(updated_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS updated_on,
         osm_type || '/' || osm_id AS osm, osm_dog, leash, dog_conditional
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
        phone: r.phone,
        opening_hours: r.opening_hours,
        hours: None,
        suggested_by: r.suggested_by,
        created_on: r.created_on,
        updated_on: r.updated_on,
        osm: r.osm,
        osm_dog: r.osm_dog,
        leash: r.leash,
        dog_conditional: r.dog_conditional,
    }))
}

/// The id of the venue with this slug.
pub async fn venue_id(pool: &PgPool, slug: &str) -> anyhow::Result<Option<uuid::Uuid>> {
    // Not a slug (say, with a NUL Postgres would refuse): no such venue.
    let Ok(slug) = crate::Slug::parse(slug) else {
        return Ok(None);
    };
    sqlx::query_scalar("SELECT id FROM venues WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_optional(pool)
        .await
        .context("failed to look up venue")
}
