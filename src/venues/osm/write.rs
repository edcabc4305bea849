//! Writing an import: all of it in one transaction (a failure leaves the
//! directory as it was), in batches of [`BATCH`] rows per statement, so the
//! map's aggregate trigger runs once per batch and not once per venue.
//! A re-import updates each element's venue in place and never touches one
//! an admin edited; slugs, once given, never change (links stay valid).

use super::{Imported, OsmElement, OsmKind, Verdict, classify};
use anyhow::Context;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows per statement.
pub const BATCH: usize = 2000;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Elements read from the file.
    pub elements: usize,
    /// New venues.
    pub inserted: u64,
    /// Venues imported before and updated in place.
    pub updated: u64,
    /// Venues an admin edited, left as they are.
    pub kept_edited: u64,
    /// Imported venues now tagged `dog=no`/`outside` in OSM, removed.
    pub withdrawn: u64,
    /// Such venues kept because people added photos or answers to them (their slugs).
    pub to_review: Vec<String>,
    /// Elements not imported, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
}

/// Imports `elements` (see [`classify`]); `progress(done, total)` after each batch.
pub async fn import(
    pool: &PgPool,
    elements: &[OsmElement],
    fallback_city: Option<&str>,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<Report> {
    let mut report = Report {
        elements: elements.len(),
        ..Report::default()
    };
    // One row per element, the last one read winning (a statement may not
    // touch a row twice).
    let mut venues: HashMap<(OsmKind, i64), Imported> = HashMap::new();
    let mut unwelcome: Vec<(OsmKind, i64)> = Vec::new();
    for el in elements {
        match classify(el, fallback_city) {
            Verdict::Venue(v) => {
                venues.insert((v.kind, v.id), v);
            }
            Verdict::DogsNotWelcome => unwelcome.push((el.kind, el.id)),
            Verdict::Skip(why) => *report.skipped.entry(why).or_default() += 1,
        }
    }
    let mut venues: Vec<Imported> = venues.into_values().collect();
    venues.sort_by_key(|v| (v.kind.as_str(), v.id));
    // Two places of one name in one city: the second gets its element's id.
    let mut taken = HashSet::new();
    for v in &mut venues {
        if !taken.insert(v.slug.clone()) || v.slug.starts_with("osm-") {
            v.slug = suffixed(v);
            taken.insert(v.slug.clone());
        }
    }
    let mut tx = pool.begin().await.context("failed to begin the import")?;
    for (n, batch) in venues.chunks(BATCH).enumerate() {
        let inserted: Vec<bool> = sqlx::query_scalar(UPSERT)
            .bind(batch.iter().map(|v| v.slug.clone()).collect::<Vec<_>>())
            .bind(batch.iter().map(suffixed).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.name.clone()).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.category.as_str()).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.address.clone()).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.city.clone()).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.lat).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.lng).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.dog).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.website.clone()).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.kind.as_str()).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.id).collect::<Vec<_>>())
            .fetch_all(&mut *tx)
            .await
            .context("failed to write a batch of venues")?;
        let new = inserted.iter().filter(|i| **i).count() as u64;
        report.inserted += new;
        report.updated += inserted.len() as u64 - new;
        report.kept_edited += (batch.len() - inserted.len()) as u64;
        progress((n * BATCH + batch.len()).min(venues.len()), venues.len());
    }
    let (types, ids): (Vec<&str>, Vec<i64>) = unwelcome.iter().map(|(k, id)| (k.as_str(), *id)).unzip();
    report.withdrawn = sqlx::query(
        "DELETE FROM venues v USING UNNEST($1::text[], $2::bigint[]) AS g(t, i)
         WHERE v.osm_type = g.t AND v.osm_id = g.i AND v.admin_edited_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.venue_id = v.id)
           AND NOT EXISTS (SELECT 1 FROM venue_checks c WHERE c.venue_id = v.id)",
    )
    .bind(&types)
    .bind(&ids)
    .execute(&mut *tx)
    .await
    .context("failed to withdraw venues")?
    .rows_affected();
    report.to_review = sqlx::query_scalar(
        "SELECT v.slug FROM venues v JOIN UNNEST($1::text[], $2::bigint[]) AS g(t, i)
           ON v.osm_type = g.t AND v.osm_id = g.i
         WHERE v.admin_edited_at IS NULL ORDER BY v.slug",
    )
    .bind(&types)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await
    .context("failed to list venues to review")?;
    tx.commit().await.context("failed to commit the import")?;
    Ok(report)
}

/// The slug with the element's id: `kahvila-koira-helsinki-n1001`.
fn suffixed(v: &Imported) -> String {
    let kind = if v.kind == OsmKind::Node { 'n' } else { 'w' };
    if v.slug.ends_with(&format!("-{kind}{}", v.id)) {
        return v.slug.clone();
    }
    format!("{}-{kind}{}", v.slug, v.id)
}

/// Inserts new elements (with the suffixed slug if another venue has the
/// plain one) and updates the others unless an admin edited them. Returns one
/// row per written venue: `true` when new.
const UPSERT: &str = "
INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit,
                    website, osm_dog, osm_type, osm_id)
SELECT CASE WHEN EXISTS (SELECT 1 FROM venues o WHERE o.slug = i.slug) THEN i.suffixed ELSE i.slug END,
       i.name, i.category, i.address, i.city, point(i.lng, i.lat), 'some_areas', 'any',
       i.website, i.dog, i.osm_type, i.osm_id
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::float8[], $8::float8[], $9::text[], $10::text[], $11::text[], $12::bigint[])
     AS i(slug, suffixed, name, category, address, city, lat, lng, dog, website, osm_type, osm_id)
ON CONFLICT (osm_type, osm_id) DO UPDATE
SET name = EXCLUDED.name, category = EXCLUDED.category, address = EXCLUDED.address,
    city = EXCLUDED.city, location = EXCLUDED.location, website = EXCLUDED.website,
    osm_dog = EXCLUDED.osm_dog, updated_at = now()
WHERE venues.admin_edited_at IS NULL
RETURNING xmax = 0";
