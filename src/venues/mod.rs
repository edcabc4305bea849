//! Venues and their dog policy, as shown in lists, on the map and on a venue page.

#[cfg(feature = "ssr")]
pub mod checks;
pub mod conditional;
pub mod door;
pub mod filter;
#[cfg(feature = "ssr")]
pub mod flows;
pub mod grid;
#[cfg(feature = "ssr")]
pub mod hours;
#[cfg(feature = "ssr")]
pub mod osm;
#[cfg(feature = "ssr")]
pub mod page;
#[cfg(feature = "ssr")]
pub mod places;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod proposals;
#[cfg(feature = "ssr")]
pub mod queries;
pub mod search;
#[cfg(feature = "ssr")]
pub mod seed;
pub mod verdict;
#[cfg(feature = "ssr")]
pub mod verdicts;
pub mod view;

pub use filter::VenueFilter;
pub use policy::{DogPolicy, DogsWhere, Leash};
pub use view::{DirectoryQuery, Total};

use crate::geo::LatLng;
use serde::{Deserialize, Serialize};

use crate::keyed::keyed_enum;

keyed_enum!(
    /// What kind of place a venue is.
    Category {
        Cafe => "cafe", "Café";
        Restaurant => "restaurant", "Restaurant";
        Bar => "bar", "Bar";
        Bakery => "bakery", "Bakery";
        Shop => "shop", "Shop";
        Hotel => "hotel", "Hotel";
        Other => "other", "Other";
    }
);

keyed_enum!(
    /// Where inside the venue dogs may go.
    DogsInside {
        Yes => "yes", "Dogs welcome everywhere inside";
        SomeAreas => "some_areas", "Dogs welcome in some areas inside";
    }
);

keyed_enum!(
    /// Which dog sizes are allowed inside.
    SizeLimit {
        Any => "any", "All sizes welcome";
        UpToMedium => "up_to_medium", "Small and medium dogs";
        SmallOnly => "small_only", "Small dogs only";
    }
);

/// The OpenStreetMap `dog=*` values an import takes, with what they say.
pub const OSM_DOG_VALUES: &[(&str, &str)] = &[
    ("yes", "dogs are allowed"),
    ("leashed", "dogs are allowed on a leash"),
    ("unleashed", "dogs are allowed off the leash"),
    ("designated", "the place is meant for dogs"),
];

/// What OSM says of a venue it withdrew after we imported it.
pub const OSM_WITHDRAWN: &[(&str, &str)] = &[
    ("no", "dogs are not allowed"),
    ("outside", "dogs are only allowed outside"),
];

/// What an imported venue's `dog=*` says, for its page.
pub fn osm_says(dog: Option<&str>) -> &'static str {
    OSM_DOG_VALUES
        .iter()
        .chain(OSM_WITHDRAWN)
        .find(|(v, _)| Some(*v) == dog)
        .map_or("dogs are allowed", |(_, says)| *says)
}

/// A venue in a result list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct VenueSummary {
    /// URL slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Category key (see [`Category`]).
    pub category: String,
    /// Street address.
    pub address: String,
    /// City name.
    pub city: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
    /// Dogs-inside key (see [`DogsInside`]).
    pub dogs_inside: String,
    /// Size-limit key (see [`SizeLimit`]).
    pub size_limit: String,
    /// A water bowl is offered.
    pub water_bowl: bool,
    /// Treats are offered.
    pub treats: bool,
    /// From OpenStreetMap, and neither an admin edited it nor did a dog owner
    /// say "yes, still welcome inside" (or OSM withdrew it since): its policy
    /// is only OSM's `dog=*`, which does not say whether dogs may come inside.
    #[serde(default)]
    pub unconfirmed: bool,
    /// What dog owners' answers of the last year say (see [`verdict`]).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub standing: verdict::Standing,
}

impl VenueSummary {
    /// The venue's category, falling back to `Other` for unknown keys.
    pub fn category(&self) -> Category {
        Category::parse(&self.category).unwrap_or(Category::Other)
    }

    /// Whether dogs are welcome everywhere inside.
    pub fn dogs_everywhere(&self) -> bool {
        DogsInside::parse(&self.dogs_inside) == Some(DogsInside::Yes)
    }

    /// The venue's size limit, assuming the strictest for unknown keys.
    pub fn size_limit(&self) -> SizeLimit {
        SizeLimit::parse(&self.size_limit).unwrap_or(SizeLimit::SmallOnly)
    }

    /// Where the venue is.
    pub fn position(&self) -> LatLng {
        LatLng {
            lat: self.lat,
            lng: self.lng,
        }
    }
}

/// Everything shown on a venue's own page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VenueDetail {
    /// The fields shared with list entries.
    pub summary: VenueSummary,
    /// Free-text notes on the dog policy.
    pub policy_notes: String,
    /// Website, if known (always http(s)).
    pub website: Option<String>,
    /// Phone number, as written.
    #[serde(default)]
    pub phone: Option<String>,
    /// OpenStreetMap `opening_hours` text, as written.
    #[serde(default)]
    pub opening_hours: Option<String>,
    /// The opening hours read at the time of rendering (the venue page's only).
    #[serde(default)]
    pub hours: Option<door::Hours>,
    /// Who suggested it ("a guest" or a name), for venues that came from a suggestion.
    #[serde(default)]
    pub suggested_by: Option<String>,
    /// When the venue was listed, formatted for display (e.g. "3 Nov 2026").
    pub created_on: String,
    /// When the listing last changed, formatted for display.
    pub updated_on: String,
    /// The OpenStreetMap element it came from (`node/1001`), for the link and
    /// the ODbL attribution.
    #[serde(default)]
    pub osm: Option<String>,
    /// Its `dog=*` value in OSM.
    #[serde(default)]
    pub osm_dog: Option<String>,
    /// Leash key (see [`Leash`]).
    #[serde(default)]
    pub leash: String,
    /// Times that change the policy, OSM's `dog:conditional` as stored.
    #[serde(default)]
    pub dog_conditional: Option<String>,
}

impl VenueDetail {
    /// The times that change the policy, in words ("Not allowed Mon–Fri 11:30–14:00").
    pub fn times(&self) -> Vec<String> {
        self.dog_conditional
            .as_deref()
            .and_then(|raw| policy::DogConditional::parse_with(raw, |_| true).ok())
            .map(|c| c.words())
            .unwrap_or_default()
    }
}

/// What dog owners said about a venue's policy ("dogs still welcome inside?"),
/// and what this person said today.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checks {
    /// "Yes" answers, ever (one per person per day).
    pub confirmations: i64,
    /// The day of the latest "yes", for display ("2 Dec 2026").
    pub last_confirmed_on: Option<String>,
    /// This person's answer today: `Some(true)` for yes.
    pub mine_today: Option<bool>,
    /// The latest answers of the last year, newest first (a few), each
    /// shown dated, a "no" at once with whether it was reviewed.
    #[serde(default)]
    pub recent: Vec<RecentAnswer>,
}

/// One answer as the venue page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RecentAnswer {
    /// Dogs still welcome.
    pub welcome: bool,
    /// Its day, for display ("3 Dec 2026").
    pub day: String,
    /// An admin looked at this "no" (and kept it: dismissed ones are not listed).
    pub reviewed: bool,
}

/// One marker on the map: just enough for the pin and its popup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MapMarker {
    /// URL slug, for the popup link.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Category key.
    pub category: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
    /// The venue's [`verdict::Verdict`] key, for the pin's sign and words.
    #[serde(default)]
    pub verdict: String,
}

/// A group of venues drawn as one bubble: how many, where their middle is,
/// and the box they span (a click zooms to it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Cluster {
    /// Venues in the group.
    pub n: i64,
    /// Latitude of their mean position.
    pub lat: f64,
    /// Longitude of their mean position.
    pub lng: f64,
    /// Southern edge of their extent.
    pub south: f64,
    /// Western edge.
    pub west: f64,
    /// Northern edge.
    pub north: f64,
    /// Eastern edge.
    pub east: f64,
}

/// What the map draws for a view: markers when few enough are in it, else
/// clusters; `total` counts the venues either stands for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    /// Venues in view (summed from the clusters' cells when clustered, so the
    /// cells at the edges may add a few outside it).
    pub total: i64,
    /// The clusters were made from the first venues found only (a filtered
    /// view too big to group exactly); counts are lower bounds.
    pub capped: bool,
    /// One marker per venue, when not clustered.
    pub markers: Vec<MapMarker>,
    /// The clusters, when clustered.
    pub clusters: Vec<Cluster>,
}

/// One page of the directory as the server resolved it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectoryPage {
    /// The state it shows, with the city's canonical name and the view used.
    pub query: DirectoryQuery,
    /// The view the list is for (the URL's, the city's, or all venues').
    pub view: crate::geo::BBox,
    /// The point the list is sorted by distance from.
    pub centre: LatLng,
    /// This page's venues, nearest first.
    pub venues: Vec<VenueSummary>,
    /// How many are in view.
    pub total: Total,
    /// Another page follows.
    pub more: bool,
    /// A typed place we have no venues in.
    pub unknown_place: Option<String>,
    /// The place field's suggestions.
    pub places: Vec<String>,
}

impl From<&VenueSummary> for MapMarker {
    fn from(v: &VenueSummary) -> Self {
        Self {
            slug: v.slug.clone(),
            name: v.name.clone(),
            category: v.category.clone(),
            lat: v.lat,
            lng: v.lng,
            verdict: v.standing.verdict.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        for s in SizeLimit::ALL {
            assert_eq!(SizeLimit::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Category::parse("casino"), None);
        assert_eq!(Category::Cafe.label(), "Café");
    }
}
