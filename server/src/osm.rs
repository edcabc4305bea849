//! `server import-osm FILE.osm.pbf [--city NAME]`: reads an OpenStreetMap
//! extract whole, then writes its dog-friendly venues in one transaction
//! (`paws_inside::venues::osm`). Nothing is written unless the whole file
//! reads: a truncated or foreign file is an error and imports nothing.

use anyhow::{Context, bail};
use osmpbf::{BlobDecode, BlobReader, Element, ElementReader};
use paws_inside::venues::osm::{OsmElement, OsmKind, write};
use std::collections::{HashMap, HashSet};

/// Tags as read.
type Tags = Vec<(String, String)>;

/// Keys an element must carry one of to be looked at (the rest are skipped unread).
const VENUE_KEYS: &[&str] = &["amenity", "tourism", "shop"];

/// Reads every tagged node and way that might be a venue; a way's position
/// is the mean of its nodes (a second pass finds them: PBF does not promise
/// nodes before ways).
pub fn read(bytes: &[u8]) -> anyhow::Result<Vec<OsmElement>> {
    let first = BlobReader::new(bytes)
        .next()
        .context("the file is empty: not an OpenStreetMap PBF extract")?
        .map_err(|e| anyhow::anyhow!("not an OpenStreetMap PBF extract ({e})"))?;
    match first
        .decode()
        .map_err(|e| anyhow::anyhow!("not an OpenStreetMap PBF extract ({e})"))?
    {
        BlobDecode::OsmHeader(header) => {
            let known = ["OsmSchema-V0.6", "DenseNodes"];
            if let Some(f) = header
                .required_features()
                .iter()
                .find(|f| !known.contains(&f.as_str()))
            {
                bail!("the file needs a reader feature we lack: {f}");
            }
        }
        _ => bail!("not an OpenStreetMap PBF extract (it does not start with a header block)"),
    }
    let own = |tags: &[(&str, &str)]| -> Tags {
        tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let wanted = |tags: &[(&str, &str)]| tags.iter().any(|(k, _)| VENUE_KEYS.contains(k));
    let mut found = Vec::new();
    let mut ways: Vec<(i64, Tags, Vec<i64>, Option<i32>)> = Vec::new();
    ElementReader::new(bytes)
        .for_each(|el| {
            let node = |id, tags: Vec<(&str, &str)>, lat, lng, version| {
                wanted(&tags).then(|| OsmElement {
                    kind: OsmKind::Node,
                    id,
                    tags: own(&tags),
                    lat,
                    lng,
                    version,
                })
            };
            match el {
                Element::Node(n) => {
                    let version = n.info().version();
                    found.extend(node(n.id(), n.tags().collect(), n.lat(), n.lon(), version))
                }
                Element::DenseNode(n) => {
                    let version = n.info().map(|i| i.version());
                    found.extend(node(n.id(), n.tags().collect(), n.lat(), n.lon(), version))
                }
                Element::Way(w) => {
                    let tags: Vec<_> = w.tags().collect();
                    if wanted(&tags) {
                        ways.push((w.id(), own(&tags), w.refs().collect(), w.info().version()));
                    }
                }
                Element::Relation(_) => {}
            }
        })
        .map_err(|e| anyhow::anyhow!("the file is damaged or cut off: {e}"))?;
    let needed: HashSet<i64> = ways.iter().flat_map(|w| w.2.iter().copied()).collect();
    let mut at: HashMap<i64, (f64, f64)> = HashMap::with_capacity(needed.len());
    if !needed.is_empty() {
        ElementReader::new(bytes)
            .for_each(|el| match el {
                Element::Node(n) if needed.contains(&n.id()) => {
                    at.insert(n.id(), (n.lat(), n.lon()));
                }
                Element::DenseNode(n) if needed.contains(&n.id()) => {
                    at.insert(n.id(), (n.lat(), n.lon()));
                }
                _ => {}
            })
            .map_err(|e| anyhow::anyhow!("the file is damaged or cut off: {e}"))?;
    }
    for (id, tags, mut refs, version) in ways {
        // A closed outline repeats its first node; count it once.
        if refs.len() > 1 && refs.first() == refs.last() {
            refs.pop();
        }
        // A way cut off at the extract's edge has nodes missing: no position.
        let Some(points) = refs
            .iter()
            .map(|r| at.get(r).copied())
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        if points.is_empty() {
            continue;
        }
        let n = points.len() as f64;
        let (lat, lng) = points
            .iter()
            .fold((0.0, 0.0), |(a, b), (la, lo)| (a + la, b + lo));
        found.push(OsmElement {
            kind: OsmKind::Way,
            id,
            tags,
            lat: lat / n,
            lng: lng / n,
            version,
        });
    }
    Ok(found)
}

/// Reads `path` and imports it, printing progress to stderr; returns the summary.
pub async fn import_file(pool: &sqlx::PgPool, path: &str, city: Option<&str>) -> anyhow::Result<String> {
    let started = std::time::Instant::now();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    let elements = read(&bytes).with_context(|| format!("{path}: nothing was imported"))?;
    eprintln!(
        "read {path} ({} bytes) in {} ms: {} places with amenity, tourism or shop tags; writing…",
        bytes.len(),
        started.elapsed().as_millis(),
        elements.len()
    );
    let writing = std::time::Instant::now();
    let report = write::import(pool, &elements, city, |done, total| {
        eprintln!("  {done}/{total} venues written")
    })
    .await
    .context("nothing was imported")?;
    eprintln!(
        "written in {} ms (one transaction)",
        writing.elapsed().as_millis()
    );
    // The running instances keep copies of the pages for a few seconds; this
    // process is not one of them, so it tells them itself.
    if let Err(err) = crate::notify::announce(pool, "import-osm").await {
        eprintln!(
            "the running servers were not told (their pages catch up within PAGE_CACHE_SECONDS): {err}"
        );
    }
    Ok(summary(&report))
}

/// The lines `import-osm` prints at the end.
pub fn summary(r: &write::Report) -> String {
    let mut out = format!(
        "imported {} new and {} updated venues ({} unchanged); {} edited by an admin were left as they are; \
         {} now dog=no or dog=outside (kept with that policy)\n",
        r.inserted,
        r.updated,
        r.unchanged,
        r.kept_edited,
        r.to_review.len()
    );
    if !r.to_review.is_empty() {
        out.push_str(&format!(
            "{} listed venues now tagged dog=no or dog=outside say so in their policy; review them:\n",
            r.to_review.len()
        ));
        for slug in r.to_review.iter().take(50) {
            out.push_str(&format!("  /venues/{slug}\n"));
        }
    }
    for (why, n) in &r.skipped {
        out.push_str(&format!("skipped {n}: {why}\n"));
    }
    out.push_str("Data © OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)\n");
    out
}

/// `GET /admin/osm-change.osc`: the osmChange file of imported venues whose
/// policy differs from OpenStreetMap's tags, for an admin to download (404
/// for everyone else, like the admin pages). Never uploaded by us.
pub async fn change_file(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    caller: paws_inside::auth::Caller,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use paws_inside::errors::{Failure, Kind};
    match paws_inside::moderation::policy::osm_change(&state.ctx, &caller).await {
        Ok(xml) => (
            [
                (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"paws-inside.osc\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            xml,
        )
            .into_response(),
        Err(err) if err.kind() == Kind::Forbidden => (StatusCode::NOT_FOUND, "Not found").into_response(),
        Err(err) => {
            tracing::error!(error = ?err.unexpected(), "osmChange export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, app::UNEXPECTED).into_response()
        }
    }
}
