//! Venues from OpenStreetMap: which elements are venues for us and what they
//! become. OSM's `dog=yes` (or `leashed`, `unleashed`, `designated`) says dogs
//! are allowed, not that they may come inside, so an imported venue is listed
//! as "from OpenStreetMap, not yet confirmed" until a dog owner confirms it or
//! an admin edits it; `dog=no` and `dog=outside` are never imported as new
//! venues, but one listed before keeps its page (its photos and answers) with
//! that policy. `dog:conditional` is kept when it reads (see `policy.rs`); the
//! element's tags and version are kept for the osmChange export (`change.rs`).
//! Reading the file is the server's (`server import-osm`); writing is [`write`].

pub mod change;
pub mod write;

use super::Category;
use crate::Slug;

/// An OSM element with what we read of it (a way's position is its centroid).
#[derive(Clone, Debug, PartialEq)]
pub struct OsmElement {
    /// `node` or `way`.
    pub kind: OsmKind,
    /// The element's id (unique per kind).
    pub id: i64,
    /// Its tags.
    pub tags: Vec<(String, String)>,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
    /// The element's version, when the file has it (an osmChange needs it).
    pub version: Option<i32>,
}

impl OsmElement {
    /// Its tags as JSON object text, as `venues.osm_tags` keeps them: written
    /// straight from the pairs, with no `serde_json::Value` copy of every tag.
    pub fn tags_json(&self) -> String {
        struct Tags<'a>(&'a [(String, String)]);
        impl serde::Serialize for Tags<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        // Serialising strings into a String cannot fail.
        serde_json::to_string(&Tags(&self.tags)).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// The kinds of element that can be venues (relations are not read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OsmKind {
    /// A point.
    Node,
    /// A building outline or area.
    Way,
}

impl OsmKind {
    /// As stored in `venues.osm_type` and in openstreetmap.org URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Node => "node",
            Self::Way => "way",
        }
    }
}

/// What an element becomes.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// A venue to insert or update (boxed: the other variants are small).
    Venue(Box<Imported>),
    /// Tagged `dog=no` or `dog=outside` (the value): not imported new; a copy
    /// imported earlier keeps its page, with that policy.
    DogsNotWelcome(&'static str),
    /// Not for us; the reason is counted in the report.
    Skip(&'static str),
}

/// A venue as an import writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// Element kind.
    pub kind: OsmKind,
    /// Element id.
    pub id: i64,
    /// Slug wanted, possibly empty (the writer makes it unique).
    pub slug: String,
    /// Name (1–120 characters).
    pub name: String,
    /// Our category.
    pub category: Category,
    /// "Street 12" or empty.
    pub address: String,
    /// City (1–80 characters).
    pub city: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
    /// The `dog=*` value.
    pub dog: &'static str,
    /// Its `dog:conditional`, when it reads (one that does not is left out).
    pub conditional: Option<String>,
    /// An http(s) website.
    pub website: Option<String>,
    /// A phone number people can dial (`phone`, else `contact:phone`; the first of several).
    pub phone: Option<String>,
    /// OSM's `opening_hours` as written (the page parses it; one it cannot is shown as written).
    pub opening_hours: Option<String>,
}

/// A tag's trimmed value, if set, not blank and free of characters that hide
/// or reorder text (a NUL would also make Postgres refuse the whole batch).
fn tag<'a>(el: &'a OsmElement, key: &str) -> Option<&'a str> {
    el.tags
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && !v.chars().any(crate::text::invisible))
}

/// Our category for an element's tags, if it is a kind of place we list.
fn category(el: &OsmElement) -> Option<Category> {
    let tag = |key| tag(el, key);
    match (tag("amenity"), tag("tourism"), tag("shop")) {
        (Some("cafe" | "ice_cream"), _, _) => Some(Category::Cafe),
        (Some("restaurant" | "fast_food"), _, _) => Some(Category::Restaurant),
        (Some("bar" | "pub"), _, _) => Some(Category::Bar),
        (_, Some("hotel"), _) => Some(Category::Hotel),
        (_, _, Some("bakery")) => Some(Category::Bakery),
        // An empty shop is no place to go.
        (_, _, Some("vacant" | "no")) => None,
        (_, _, Some(_)) => Some(Category::Shop),
        _ => None,
    }
}

/// The element's `dog:conditional` as we write it, if it reads.
pub fn conditional(el: &OsmElement) -> Option<String> {
    tag(el, "dog:conditional")
        .and_then(|raw| crate::venues::policy::DogConditional::parse(raw).ok())
        .map(|c| c.to_osm())
}

/// Decides what `el` becomes; `fallback_city` names the city of elements
/// without `addr:city` (an extract of one city), else they are skipped.
pub fn classify(el: &OsmElement, fallback_city: Option<&str>) -> Verdict {
    let tag = |key| tag(el, key);
    // Negative ids are edits never uploaded to OpenStreetMap (JOSM, osmium).
    if el.id <= 0 {
        return Verdict::Skip("not an element of OpenStreetMap (id not positive)");
    }
    let Some(category) = category(el) else {
        return Verdict::Skip("not a kind of place we list");
    };
    let dog = match tag("dog") {
        Some("no") => return Verdict::DogsNotWelcome("no"),
        Some("outside") => return Verdict::DogsNotWelcome("outside"),
        Some(value) => match super::OSM_DOG_VALUES.iter().find(|(v, _)| *v == value) {
            Some((v, _)) => *v,
            None => return Verdict::Skip("a dog=* value we do not know"),
        },
        None => return Verdict::Skip("no dog=* tag"),
    };
    let Some(name) = tag("name").filter(|n| n.chars().count() <= 120) else {
        return Verdict::Skip("no name (or one over 120 characters)");
    };
    let Some(city) = tag("addr:city")
        .or(fallback_city)
        .filter(|c| c.chars().count() <= 80)
    else {
        return Verdict::Skip("no addr:city (give --city for an extract of one city)");
    };
    if !(-90.0..=90.0).contains(&el.lat) || !(-180.0..=180.0).contains(&el.lng) {
        return Verdict::Skip("a position outside the world");
    }
    let address = match (tag("addr:street"), tag("addr:housenumber")) {
        (Some(street), Some(number)) => format!("{street} {number}"),
        (Some(street), None) => street.to_owned(),
        _ => String::new(),
    };
    let website = tag("website")
        .or(tag("contact:website"))
        .filter(|w| super::door::website_host(w).is_some() && w.len() <= 300)
        .map(str::to_owned);
    let phone = tag("phone")
        .or(tag("contact:phone"))
        .and_then(|p| super::door::phone(p).ok().flatten());
    let opening_hours = tag("opening_hours")
        .filter(|h| h.chars().count() <= super::door::HOURS_MAX)
        .map(str::to_owned);
    // Room for "-w1234567890" should the name and city be taken already.
    let slug = Slug::from_text(&format!("{name} {city}"))
        .map(|s| {
            s.as_str()
                .chars()
                .take(64)
                .collect::<String>()
                .trim_end_matches('-')
                .to_owned()
        })
        .unwrap_or_else(|| format!("osm-{}", el.kind.as_str()));
    Verdict::Venue(Box::new(Imported {
        kind: el.kind,
        id: el.id,
        slug,
        name: name.to_owned(),
        category,
        address: if address.chars().count() <= 200 {
            address
        } else {
            String::new()
        },
        city: city.to_owned(),
        lat: el.lat,
        lng: el.lng,
        dog,
        conditional: conditional(el),
        website,
        phone,
        opening_hours,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(tags: &[(&str, &str)]) -> OsmElement {
        OsmElement {
            kind: OsmKind::Node,
            id: 7,
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            lat: 60.17,
            lng: 24.94,
            version: Some(3),
        }
    }

    #[test]
    fn maps_conservatively() {
        let cafe = el(&[
            ("amenity", "cafe"),
            ("dog", "leashed"),
            ("name", "Kahvila Koira"),
            ("addr:city", "Helsinki"),
        ]);
        let Verdict::Venue(v) = classify(&cafe, None) else {
            panic!()
        };
        assert_eq!(
            (v.category, v.dog, v.slug.as_str()),
            (Category::Cafe, "leashed", "kahvila-koira-helsinki")
        );
        assert_eq!(
            classify(&el(&[("amenity", "cafe"), ("dog", "no"), ("name", "X")]), None),
            Verdict::DogsNotWelcome("no")
        );
        assert_eq!(
            classify(
                &el(&[("amenity", "pub"), ("dog", "outside"), ("name", "X")]),
                None
            ),
            Verdict::DogsNotWelcome("outside")
        );
        assert!(matches!(
            classify(&el(&[("amenity", "bench"), ("dog", "yes"), ("name", "X")]), None),
            Verdict::Skip(_)
        ));
        assert!(matches!(
            classify(&el(&[("amenity", "cafe"), ("name", "X")]), Some("Helsinki")),
            Verdict::Skip(_)
        ));
        assert!(matches!(
            classify(&el(&[("amenity", "cafe"), ("dog", "yes")]), Some("Helsinki")),
            Verdict::Skip(_)
        ));
        assert!(matches!(
            classify(&el(&[("amenity", "cafe"), ("dog", "yes"), ("name", "X")]), None),
            Verdict::Skip(_)
        ));
        let shop = el(&[
            ("shop", "pet"),
            ("dog", "yes"),
            ("name", "Luu"),
            ("website", "javascript:alert(1)"),
        ]);
        let Verdict::Venue(v) = classify(&shop, Some("Helsinki")) else {
            panic!()
        };
        assert_eq!(
            (v.category, v.city.as_str(), v.website),
            (Category::Shop, "Helsinki", None)
        );
    }

    #[test]
    fn reads_what_you_need_at_the_door() {
        let base = [("amenity", "cafe"), ("dog", "yes"), ("name", "Tassu")];
        let door = |extra: &[(&'static str, &'static str)]| {
            let Verdict::Venue(v) = classify(&el(&[&base[..], extra].concat()), Some("Helsinki")) else {
                panic!()
            };
            (v.phone, v.website, v.opening_hours)
        };
        assert_eq!(
            door(&[
                ("phone", "+358 9 123 4567;+358 40 765 4321"),
                ("website", "https://tassu.example.fi/"),
                ("opening_hours", "Mo-Fr 08:00-18:00; Sa 09:00-14:00"),
            ]),
            (
                Some("+358 9 123 4567".into()),
                Some("https://tassu.example.fi/".into()),
                Some("Mo-Fr 08:00-18:00; Sa 09:00-14:00".into())
            )
        );
        assert_eq!(
            door(&[
                ("contact:phone", "09 123 4567"),
                ("contact:website", "http://tassu.example.fi")
            ]),
            (
                Some("09 123 4567".into()),
                Some("http://tassu.example.fi".into()),
                None
            )
        );
        // Kept as written: the page shows a value it cannot read as text.
        assert_eq!(
            door(&[("opening_hours", "ask the staff")]).2.as_deref(),
            Some("ask the staff")
        );
        assert_eq!(
            door(&[("phone", "call us"), ("website", "javascript:alert(1)")]),
            (None, None, None)
        );
        let too_long: &'static str = "Mo 10:00-12:00; ".repeat(20).leak();
        assert_eq!(door(&[("opening_hours", too_long)]).2, None);
    }
}
