//! Writing an import: all of it in one transaction (a failure leaves the
//! directory as it was), in batches of [`BATCH`] rows per statement, so the
//! map's aggregate trigger runs once per batch and not once per venue.
//! A re-import updates each element's venue in place and never touches one
//! an admin edited (beyond the element's tags and version, which an osmChange
//! needs current) nor a policy a person set; slugs, once given, never change.

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
    /// Venues imported before that the element did not change (not written).
    pub unchanged: u64,
    /// Venues an admin edited, left as they are.
    pub kept_edited: u64,
    /// Listed venues OSM now tags `dog=no`/`outside` (their slugs): kept,
    /// their answers and photos with them, with that policy.
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
    let mut unwelcome: Vec<(&OsmElement, &str)> = Vec::new();
    let mut extra: HashMap<(OsmKind, i64), (String, Option<i32>)> = HashMap::new();
    for el in elements {
        match classify(el, fallback_city) {
            Verdict::Venue(v) => {
                extra.insert((v.kind, v.id), (el.tags_json(), el.version));
                venues.insert((v.kind, v.id), *v);
            }
            Verdict::DogsNotWelcome(dog) => unwelcome.push((el, dog)),
            Verdict::Skip(why) => *report.skipped.entry(why).or_default() += 1,
        }
    }
    let mut venues: Vec<Imported> = venues.into_values().collect();
    venues.sort_by_key(|v| (v.kind.as_str(), v.id));
    let mut tx = pool.begin().await.context("failed to begin the import")?;
    assign_slugs(&mut tx, &mut venues).await?;
    for (n, batch) in venues.chunks(BATCH).enumerate() {
        let policies: Vec<(&str, &str)> = batch.iter().map(|v| place_and_leash(v.dog)).collect();
        let written: Vec<(String, i64, bool)> = sqlx::query_as(UPSERT)
            .bind(batch.iter().map(|v| v.slug.clone()).collect::<Vec<_>>())
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
            .bind(batch.iter().map(|v| v.phone.clone()).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.opening_hours.clone()).collect::<Vec<_>>())
            .bind(policies.iter().map(|p| p.0).collect::<Vec<_>>())
            .bind(policies.iter().map(|p| p.1).collect::<Vec<_>>())
            .bind(batch.iter().map(|v| v.conditional.clone()).collect::<Vec<_>>())
            .bind(
                batch
                    .iter()
                    .map(|v| extra[&(v.kind, v.id)].0.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(batch.iter().map(|v| extra[&(v.kind, v.id)].1).collect::<Vec<_>>())
            .fetch_all(&mut *tx)
            .await
            .context("failed to write a batch of venues")?;
        let written_keys: HashSet<(&str, i64)> = written.iter().map(|(t, i, _)| (t.as_str(), *i)).collect();
        let skipped: Vec<&Imported> = batch
            .iter()
            .filter(|v| !written_keys.contains(&(v.kind.as_str(), v.id)))
            .collect();
        let mut kept_edited = 0;
        if !skipped.is_empty() {
            // Skipped: unchanged, or edited by an admin. Those keep their
            // fields, but not a stale version.
            kept_edited = sqlx::query(
                "UPDATE venues v SET osm_tags = g.tags, osm_version = g.version, osm_location = point(g.lng, g.lat)
                 FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::int4[], $5::float8[], $6::float8[])
                      AS g(t, i, tags, version, lat, lng)
                 WHERE v.osm_type = g.t AND v.osm_id = g.i AND v.admin_edited_at IS NOT NULL",
            )
            .bind(skipped.iter().map(|v| v.kind.as_str()).collect::<Vec<_>>())
            .bind(skipped.iter().map(|v| v.id).collect::<Vec<_>>())
            .bind(skipped.iter().map(|v| extra[&(v.kind, v.id)].0.as_str()).collect::<Vec<_>>())
            .bind(skipped.iter().map(|v| extra[&(v.kind, v.id)].1).collect::<Vec<_>>())
            .bind(skipped.iter().map(|v| v.lat).collect::<Vec<_>>())
            .bind(skipped.iter().map(|v| v.lng).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await
            .context("failed to refresh edited venues' tags")?
            .rows_affected();
        }
        let new = written.iter().filter(|w| w.2).count() as u64;
        report.inserted += new;
        report.updated += written.len() as u64 - new;
        report.kept_edited += kept_edited;
        report.unchanged += skipped.len() as u64 - kept_edited;
        progress((n * BATCH + batch.len()).min(venues.len()), venues.len());
    }
    let types: Vec<&str> = unwelcome.iter().map(|(el, _)| el.kind.as_str()).collect();
    let ids: Vec<i64> = unwelcome.iter().map(|(el, _)| el.id).collect();
    let dogs: Vec<&str> = unwelcome.iter().map(|(_, dog)| *dog).collect();
    let places: Vec<&str> = dogs.iter().map(|d| place_and_leash(d).0).collect();
    let tags: Vec<String> = unwelcome.iter().map(|(el, _)| el.tags_json()).collect();
    let versions: Vec<Option<i32>> = unwelcome.iter().map(|(el, _)| el.version).collect();
    // Kept with what OSM says now (their answers and photos stay); a policy a
    // person set or an admin's edit stands.
    let kept: Vec<(String, bool)> = sqlx::query_as(
        "UPDATE venues v SET osm_dog = g.dog, osm_tags = g.tags, osm_version = g.version,
                osm_location = point(g.lng, g.lat),
                dogs_inside = CASE WHEN v.policy_changed_at IS NULL THEN g.place ELSE v.dogs_inside END,
                updated_at = CASE WHEN v.osm_dog IS DISTINCT FROM g.dog THEN now() ELSE v.updated_at END
         FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::int4[],
                     $7::float8[], $8::float8[])
              AS g(t, i, dog, place, tags, version, lat, lng)
         WHERE v.osm_type = g.t AND v.osm_id = g.i AND v.admin_edited_at IS NULL
         RETURNING v.slug, v.updated_at = now()",
    )
    .bind(&types)
    .bind(&ids)
    .bind(&dogs)
    .bind(&places)
    .bind(&tags)
    .bind(&versions)
    .bind(unwelcome.iter().map(|(el, _)| el.lat).collect::<Vec<_>>())
    .bind(unwelcome.iter().map(|(el, _)| el.lng).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await
    .context("failed to update venues OSM withdrew")?;
    // `now()` is the transaction's start: the rows whose `dog=*` changed here.
    report.to_review = kept
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(slug, _)| slug)
        .collect();
    tx.commit().await.context("failed to commit the import")?;
    Ok(report)
}

/// The `dogs_inside` and `leash` keys an OSM `dog=*` value stands for.
fn place_and_leash(dog: &str) -> (&'static str, &'static str) {
    crate::venues::DogPolicy::from_osm_dog(dog).map_or(("some_areas", "unknown"), |(place, leash)| {
        (place.as_str(), leash.as_str())
    })
}

/// Fits `base` and `suffix` in a slug's 80 characters (`base` is cut at a word).
fn fit(base: &str, suffix: &str) -> String {
    let room = crate::slug::MAX_SLUG_LEN - suffix.len();
    let mut cut: String = base.chars().take(room).collect();
    if cut.len() < base.len() {
        cut = cut.trim_end_matches('-').to_owned();
    }
    match (cut.is_empty(), suffix.strip_prefix('-')) {
        (true, Some(bare)) => format!("osm-{bare}"),
        _ => format!("{cut}{suffix}"),
    }
}

/// Gives each new venue a slug no venue has: its name and city
/// (`kahvila-koira-helsinki`), else with its element (`…-n1001`), else with a
/// counter. Elements imported before keep theirs (an update never changes a
/// slug), so their value here is never written.
async fn assign_slugs(tx: &mut sqlx::PgConnection, venues: &mut [Imported]) -> anyhow::Result<()> {
    let tag = |v: &Imported| format!("-{}{}", if v.kind == OsmKind::Node { 'n' } else { 'w' }, v.id);
    let wanted: Vec<String> = venues
        .iter()
        .flat_map(|v| [fit(&v.slug, ""), fit(&v.slug, &tag(v))])
        .filter(|s| !s.is_empty())
        .collect();
    let mut taken: HashSet<String> = sqlx::query_scalar("SELECT slug FROM venues WHERE slug = ANY($1)")
        .bind(&wanted)
        .fetch_all(&mut *tx)
        .await
        .context("failed to read the slugs in use")?
        .into_iter()
        .collect();
    for v in venues.iter_mut() {
        let plain = fit(&v.slug, "");
        let with_id = fit(&v.slug, &tag(v));
        let mut chosen = [plain, with_id.clone()]
            .into_iter()
            .find(|s| !s.is_empty() && !taken.contains(s));
        let mut n = 2;
        while chosen.is_none() {
            // Only a slug someone made to look like ours gets here.
            let next = fit(&v.slug, &format!("{}-{n}", tag(v)));
            let used: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM venues WHERE slug = $1)")
                .bind(&next)
                .fetch_one(&mut *tx)
                .await
                .context("failed to check a slug")?;
            if !used && !taken.contains(&next) {
                chosen = Some(next);
            }
            n += 1;
        }
        v.slug = chosen.unwrap_or(with_id);
        taken.insert(v.slug.clone());
    }
    Ok(())
}

/// Inserts new elements and updates the others unless an admin edited them
/// or nothing we keep changed (an unchanged row is not rewritten: a re-import
/// of the same file writes nothing; `updated_at` moves only when something
/// shown changed). Returns one row per written venue: its element and `true`
/// when new (a row an upsert inserted has no `xmax`).
const UPSERT: &str = "
INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit,
                    website, osm_dog, osm_type, osm_id, phone, opening_hours, leash,
                    dog_conditional, osm_tags, osm_version, osm_location)
SELECT i.slug, i.name, i.category, i.address, i.city, point(i.lng, i.lat), i.place, 'any',
       i.website, i.dog, i.osm_type, i.osm_id, i.phone, i.opening_hours, i.leash,
       i.conditional, i.tags, i.version, point(i.lng, i.lat)
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
            $6::float8[], $7::float8[], $8::text[], $9::text[], $10::text[], $11::bigint[],
            $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
            $18::int4[])
     AS i(slug, name, category, address, city, lat, lng, dog, website, osm_type, osm_id,
          phone, opening_hours, place, leash, conditional, tags, version)
ON CONFLICT (osm_type, osm_id) DO UPDATE
SET name = EXCLUDED.name, category = EXCLUDED.category, address = EXCLUDED.address,
    city = EXCLUDED.city, location = EXCLUDED.location, website = EXCLUDED.website,
    osm_dog = EXCLUDED.osm_dog, phone = EXCLUDED.phone, opening_hours = EXCLUDED.opening_hours,
    osm_tags = EXCLUDED.osm_tags, osm_version = EXCLUDED.osm_version, osm_location = EXCLUDED.osm_location,
    -- A policy a person set (proposal applied) stands; else OSM's says it.
    dogs_inside = CASE WHEN venues.policy_changed_at IS NULL THEN EXCLUDED.dogs_inside ELSE venues.dogs_inside END,
    leash = CASE WHEN venues.policy_changed_at IS NULL THEN EXCLUDED.leash ELSE venues.leash END,
    dog_conditional = CASE WHEN venues.policy_changed_at IS NULL THEN EXCLUDED.dog_conditional
                           ELSE venues.dog_conditional END,
    updated_at = CASE
      WHEN (venues.name, venues.category, venues.address, venues.city, venues.website, venues.osm_dog,
            venues.phone, venues.opening_hours, venues.dog_conditional)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.address, EXCLUDED.city,
                             EXCLUDED.website, EXCLUDED.osm_dog, EXCLUDED.phone, EXCLUDED.opening_hours,
                             EXCLUDED.dog_conditional)
        OR NOT venues.location ~= EXCLUDED.location
      THEN now() ELSE venues.updated_at END
WHERE venues.admin_edited_at IS NULL
  AND ((venues.name, venues.category, venues.address, venues.city, venues.website, venues.osm_dog,
        venues.phone, venues.opening_hours, venues.osm_tags, venues.osm_version)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.address, EXCLUDED.city,
                         EXCLUDED.website, EXCLUDED.osm_dog, EXCLUDED.phone, EXCLUDED.opening_hours,
                         EXCLUDED.osm_tags, EXCLUDED.osm_version)
       OR NOT venues.location ~= EXCLUDED.location
       OR venues.osm_location IS NULL OR NOT venues.osm_location ~= EXCLUDED.osm_location
       OR (venues.policy_changed_at IS NULL
           AND (venues.dogs_inside, venues.leash, venues.dog_conditional)
               IS DISTINCT FROM (EXCLUDED.dogs_inside, EXCLUDED.leash, EXCLUDED.dog_conditional)))
RETURNING osm_type, osm_id, xmax = 0";

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_fit() {
        assert_eq!(
            super::fit("kahvila-koira-helsinki", "-n1001"),
            "kahvila-koira-helsinki-n1001"
        );
        assert_eq!(super::fit("", "-n1001"), "osm-n1001");
        assert_eq!(super::fit("", ""), "");
        let long = "a-".repeat(60) + "b";
        let fitted = super::fit(&long, "-w12345678901234");
        assert!(
            fitted.len() <= 80 && fitted.ends_with("a-w12345678901234"),
            "{fitted}"
        );
        assert!(crate::Slug::parse(&fitted).is_ok());
    }
}
