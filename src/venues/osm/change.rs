//! Back to OpenStreetMap: imported venues whose policy (set by a person: an
//! applied proposal or an admin's edit) differs from their element's tags,
//! as a list and as an osmChange 0.6 file for a mapper to review and upload
//! with their own account (we never upload). OSM replaces an element's tags
//! wholesale, so each `<modify>` carries every tag the import read, with
//! ours in place, and the version it read. Only nodes go in the file: a
//! way's `<modify>` must also list its node refs, which we do not keep, so
//! ways are in the list (with their link) only. The size limit has no OSM
//! tag and is not exported.

use crate::venues::SizeLimit;
use crate::venues::policy::{Difference, DogConditional, DogPolicy, DogsWhere, Leash};
use anyhow::Context;
use sqlx::PgPool;

/// At most this many differences are listed (and written).
pub const MAX: i64 = 2000;

type Row = (
    String,
    String,
    String,
    i64,
    i32,
    Option<f64>,
    Option<f64>,
    String,
    String,
    String,
    Option<String>,
);

/// Venues whose policy a person set and OSM's tags do not say.
pub async fn differences(pool: &PgPool) -> anyhow::Result<Vec<Difference>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT slug, name, osm_type, osm_id, osm_version, osm_location[1], osm_location[0], osm_tags,
                dogs_inside, leash, dog_conditional
         FROM venues
         WHERE osm_tags IS NOT NULL AND osm_version IS NOT NULL
           AND (policy_changed_at IS NOT NULL OR admin_edited_at IS NOT NULL)
         ORDER BY osm_type, osm_id LIMIT $1",
    )
    .bind(MAX)
    .fetch_all(pool)
    .await
    .context("failed to read imported venues")?;
    Ok(rows.into_iter().filter_map(difference).collect())
}

fn difference(row: Row) -> Option<Difference> {
    let (slug, name, osm_type, osm_id, version, lat, lng, tags, place, leash, conditional) = row;
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&tags) else {
        return None;
    };
    let mut tags: Vec<(String, String)> = map
        .into_iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned())))
        .collect();
    let get =
        |tags: &[(String, String)], key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let (osm_dog, osm_cond) = (get(&tags, "dog"), get(&tags, "dog:conditional"));
    let policy = DogPolicy {
        place: DogsWhere::parse(&place)?,
        size: SizeLimit::Any,
        leash: Leash::parse(&leash)?,
        conditional: conditional.and_then(|c| DogConditional::parse_with(&c, |_| true).ok()),
    };
    let dog = policy.osm_dog(osm_dog.as_deref()).to_owned();
    let cond = policy.conditional.as_ref().map(|c| c.to_osm());
    // OSM's own spelling of the same rules is not a difference.
    let same_cond = match (&cond, &osm_cond) {
        (Some(ours), Some(theirs)) => {
            DogConditional::parse_with(theirs, |_| true).is_ok_and(|t| &t.to_osm() == ours)
        }
        (a, b) => a.is_none() && b.is_none(),
    };
    if osm_dog.as_deref() == Some(dog.as_str()) && same_cond {
        return None;
    }
    let says = |dog: Option<&str>, cond: Option<&str>| {
        let mut s = format!("dog={}", dog.unwrap_or("(none)"));
        if let Some(c) = cond {
            s.push_str(&format!("; dog:conditional={c}"));
        }
        s
    };
    let osm_says = says(osm_dog.as_deref(), osm_cond.as_deref());
    let we_say = says(Some(&dog), cond.as_deref());
    tags.retain(|(k, _)| k != "dog" && k != "dog:conditional");
    tags.push(("dog".into(), dog));
    if let Some(c) = cond {
        tags.push(("dog:conditional".into(), c));
    }
    tags.sort();
    Some(Difference {
        slug,
        name,
        osm_type,
        osm_id,
        version,
        at: lat.zip(lng),
        osm_says,
        we_say,
        tags,
    })
}

/// `&`, `<`, `>`, `"` and `'` as XML attribute text.
fn xml(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

/// The osmChange 0.6 document: one `<modify>` per node in `diffs`.
pub fn osm_change(diffs: &[Difference]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osmChange version=\"0.6\" generator=\"Paws Inside\">\n",
    );
    for d in diffs.iter().filter(|d| d.osm_type == "node") {
        let Some((lat, lon)) = d.at else { continue };
        out.push_str(&format!(
            "  <modify>\n    <node id=\"{}\" version=\"{}\" lat=\"{lat:.7}\" lon=\"{lon:.7}\">\n",
            d.osm_id, d.version
        ));
        for (k, v) in &d.tags {
            out.push_str(&format!("      <tag k=\"{}\" v=\"{}\"/>\n", xml(k), xml(v)));
        }
        out.push_str("    </node>\n  </modify>\n");
    }
    out.push_str("</osmChange>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::xml("a&b<\"c\">'"), "a&amp;b&lt;&quot;c&quot;&gt;&apos;");
    }
}
