//! A venue's dog policy, structured: where dogs may go, which sizes, the
//! leash, and times that change it — the last as OpenStreetMap's
//! `dog:conditional` (see `conditional.rs`), so a policy can go back to OSM
//! as it is.

use super::SizeLimit;
pub use super::conditional::{ConditionalError, DogConditional, Rule, time_words};
use crate::keyed::keyed_enum;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

keyed_enum!(
    /// Where dogs may go (stored in `venues.dogs_inside`: its first two keys are the old ones).
    DogsWhere {
        Everywhere => "yes", "Dogs welcome everywhere inside";
        SomeAreas => "some_areas", "Dogs welcome in some areas inside";
        OutsideOnly => "outside_only", "Dogs only outside (terrace or garden)";
        NotAllowed => "not_allowed", "Dogs not allowed";
    }
);

keyed_enum!(
    /// Whether dogs must be on a leash.
    Leash {
        Required => "required", "On a leash";
        NotRequired => "not_required", "No leash needed";
        Unknown => "unknown", "Not known";
    }
);

/// A venue's policy as proposed or applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DogPolicy {
    /// Where dogs may go.
    pub place: DogsWhere,
    /// Which sizes.
    pub size: SizeLimit,
    /// The leash.
    pub leash: Leash,
    /// Times that change it.
    pub conditional: Option<DogConditional>,
}

/// The policy fields as a form sends them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PolicyForm {
    /// A [`DogsWhere`] key.
    pub dogs_where: String,
    /// A [`SizeLimit`] key.
    pub size_limit: String,
    /// A [`Leash`] key.
    pub leash: String,
    /// `dog:conditional` text, or empty.
    pub conditional: String,
}

/// Why a proposed policy was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A choice not on the form.
    #[error("Choose where dogs may go, which sizes and whether a leash is needed.")]
    Choice,
    /// Bad times.
    #[error("{0}")]
    Conditional(#[from] ConditionalError),
}

impl PolicyForm {
    /// Checks the fields (times with `time_ok`, see [`DogConditional::parse_with`]).
    pub fn read_with(&self, time_ok: impl Fn(&str) -> bool) -> Result<DogPolicy, PolicyError> {
        let place = DogsWhere::parse(self.dogs_where.trim()).ok_or(PolicyError::Choice)?;
        let size = SizeLimit::parse(self.size_limit.trim()).ok_or(PolicyError::Choice)?;
        let leash = Leash::parse(self.leash.trim()).ok_or(PolicyError::Choice)?;
        let conditional = match self.conditional.trim() {
            "" => None,
            raw => Some(DogConditional::parse_with(raw, time_ok)?),
        };
        Ok(DogPolicy {
            place,
            size,
            leash,
            conditional,
        })
    }

    /// Checks the fields with the `opening-hours` parser.
    #[cfg(feature = "ssr")]
    pub fn read(&self) -> Result<DogPolicy, PolicyError> {
        self.read_with(|when| super::hours::check(when).is_ok())
    }
}

impl DogPolicy {
    /// Where and leash from an OSM `dog=*` value, if it is one we know.
    pub fn from_osm_dog(dog: &str) -> Option<(DogsWhere, Leash)> {
        Some(match dog {
            // OSM's "yes" does not say inside: listed as some areas, unconfirmed.
            "yes" | "designated" => (DogsWhere::SomeAreas, Leash::Unknown),
            "leashed" => (DogsWhere::SomeAreas, Leash::Required),
            "unleashed" => (DogsWhere::SomeAreas, Leash::NotRequired),
            "outside" => (DogsWhere::OutsideOnly, Leash::Unknown),
            "no" => (DogsWhere::NotAllowed, Leash::Unknown),
            _ => return None,
        })
    }

    /// The `dog=*` this policy says, given what OSM says now (`osm`): an
    /// inside policy keeps OSM's own "allowed" word unless the leash differs.
    pub fn osm_dog(&self, osm: Option<&str>) -> &'static str {
        match (self.place, self.leash, osm) {
            (DogsWhere::NotAllowed, ..) => "no",
            (DogsWhere::OutsideOnly, ..) => "outside",
            (_, Leash::Required, _) => "leashed",
            (_, Leash::NotRequired, Some("unleashed")) => "unleashed",
            (_, Leash::Unknown, Some("designated")) => "designated",
            (_, Leash::Unknown, Some("leashed")) => "leashed",
            (_, Leash::Unknown, Some("unleashed")) => "unleashed",
            _ => "yes",
        }
    }

    /// A key that is equal for equal policies (agreement compares these).
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.place.as_str(),
            self.size.as_str(),
            self.leash.as_str(),
            self.conditional.as_ref().map(|c| c.to_osm()).unwrap_or_default()
        )
    }
}

/// What happened to a proposal just made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposed {
    /// Its id (for withdrawing it).
    pub id: Uuid,
    /// Agreement applied it at once.
    pub applied: bool,
}

/// The caller's open proposal, for the venue page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyProposal {
    /// For withdrawing it.
    pub id: Uuid,
    /// The policy in words.
    pub words: Vec<String>,
}

/// An imported venue whose policy differs from its OSM element's tags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Venue slug.
    pub slug: String,
    /// Venue name.
    pub name: String,
    /// `node` or `way`.
    pub osm_type: String,
    /// Element id.
    pub osm_id: i64,
    /// The element's version as last imported.
    pub version: i32,
    /// OSM's position of a node (lat, lon), as last imported.
    pub at: Option<(f64, f64)>,
    /// What OSM says: `dog=yes; dog:conditional=…`.
    pub osm_says: String,
    /// What we say, as tags.
    pub we_say: String,
    /// The element's tags with ours in place (what a `<modify>` carries).
    pub tags: Vec<(String, String)>,
}

impl Difference {
    /// The element's page on openstreetmap.org.
    pub fn url(&self) -> String {
        format!("https://www.openstreetmap.org/{}/{}", self.osm_type, self.osm_id)
    }
}

/// A stored policy (keys as in `venues`) in people's words, one line each:
/// where, sizes, leash (when known), then the times.
pub fn words(place: &str, size: &str, leash: &str, conditional: Option<&str>) -> Vec<String> {
    let mut out = vec![
        DogsWhere::parse(place)
            .map_or("Ask the staff", |p| p.label())
            .to_owned(),
        SizeLimit::parse(size)
            .map_or("Ask the staff", |s| s.label())
            .to_owned(),
    ];
    match Leash::parse(leash) {
        Some(Leash::Required) => out.push("On a leash".to_owned()),
        Some(Leash::NotRequired) => out.push("No leash needed".to_owned()),
        _ => {}
    }
    // Stored values were checked when written; read them without the parser.
    if let Some(Ok(c)) = conditional.map(|raw| DogConditional::parse_with(raw, |_| true)) {
        out.extend(c.words());
    }
    out
}

#[cfg(all(test, feature = "ssr"))]
#[path = "policy_tests.rs"]
mod tests;
