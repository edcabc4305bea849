//! What the directory page shows: the filter plus the map's view, the
//! visitor's position and the page of results. All of it lives in the URL, so
//! a shared link renders the same list on the server.

use crate::geo::{BBox, LatLng};
use crate::venues::filter::VenueFilter;
use serde::{Deserialize, Serialize};

/// Results per page.
pub const PAGE_SIZE: i64 = 20;
/// Last page served; past it the page says to zoom in (OFFSET stays bounded).
pub const MAX_PAGE: u32 = 50;

/// Query keys of the view, next to the filter's (`filter::keys`).
pub mod keys {
    /// The map's view: `south,west,north,east`.
    pub const VIEW: &str = "view";
    /// The visitor's position: `lat,lng`.
    pub const NEAR: &str = "near";
    /// The page of results, from 1.
    pub const PAGE: &str = "page";
}

/// The directory's whole state, as in the URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DirectoryQuery {
    /// The filters.
    pub filter: VenueFilter,
    /// The map's view; `None` means "where the venues are" (or the city's).
    pub view: Option<BBox>,
    /// The visitor's position, when they asked for places near them.
    pub near: Option<LatLng>,
    /// Page of results, 1-based (a garbage page reads as 1).
    pub page: u32,
}

impl DirectoryQuery {
    /// Reads the state from decoded query pairs; unreadable values are
    /// dropped, and a search or city left out says why (see [`VenueFilter::read`]).
    pub fn read<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> (Self, Vec<crate::text::TextError>) {
        let (filter, left_out) = VenueFilter::read(pairs.clone());
        let mut out = Self {
            filter,
            page: 1,
            ..Self::default()
        };
        for (key, value) in pairs {
            match key {
                keys::VIEW => out.view = numbers::<4>(value).and_then(|[s, w, n, e]| BBox::new(s, w, n, e)),
                keys::NEAR => out.near = numbers::<2>(value).and_then(|[lat, lng]| LatLng::new(lat, lng)),
                keys::PAGE => out.page = value.trim().parse().ok().filter(|p| *p >= 1).unwrap_or(1),
                _ => {}
            }
        }
        (out, left_out)
    }

    /// [`DirectoryQuery::read`] without the problems.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Self {
        Self::read(pairs).0
    }

    /// Reads a query string (without `?`), percent- and `+`-decoded.
    pub fn parse(query: &str) -> Self {
        let pairs = crate::venues::filter::query_pairs(query);
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The canonical query string (no `?`), coordinates rounded to about a metre.
    pub fn to_query(&self) -> String {
        let mut parts = vec![self.filter.to_query()];
        if let Some(v) = self.view {
            parts.push(format!(
                "{}={},{},{},{}",
                keys::VIEW,
                round(v.south),
                round(v.west),
                round(v.north),
                round(v.east)
            ));
        }
        if let Some(p) = self.near {
            parts.push(format!("{}={},{}", keys::NEAR, round(p.lat), round(p.lng)));
        }
        if self.page > 1 {
            parts.push(format!("{}={}", keys::PAGE, self.page));
        }
        parts.retain(|p| !p.is_empty());
        parts.join("&")
    }

    /// The page's path and query.
    pub fn href(&self) -> String {
        match self.to_query() {
            q if q.is_empty() => "/".to_owned(),
            q => format!("/?{q}"),
        }
    }

    /// The same state one page on.
    pub fn next_page(&self) -> Self {
        Self {
            page: self.page + 1,
            ..self.clone()
        }
    }
}

/// `N` comma-separated finite numbers.
fn numbers<const N: usize>(value: &str) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    let mut parts = value.split(',');
    for slot in &mut out {
        *slot = parts
            .next()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())?;
    }
    parts.next().is_none().then_some(out)
}

fn round(v: f64) -> f64 {
    (v * 1e5).round() / 1e5
}

/// How many places are in view: exact up to a threshold, then an estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Total {
    /// Counted.
    Exact(i64),
    /// Estimated from the map's grid (unfiltered views).
    About(i64),
    /// More than this many (filtered views past the counting threshold).
    MoreThan(i64),
    /// A filtered view too big to count (over 20 000 venues before the filter).
    Many,
}

impl Total {
    /// The heading's words, e.g. "1 234 places in view".
    pub fn describe(&self) -> String {
        match *self {
            Self::Exact(1) => "1 place in view".to_owned(),
            Self::Exact(n) => format!("{} places in view", group(n)),
            Self::About(n) => format!("About {} places in view (estimate)", group(n)),
            Self::MoreThan(n) => format!("More than {} places in view", group(n)),
            Self::Many => "Many places in view: zoom in to count them".to_owned(),
        }
    }
}

/// `1234567` → `1 234 567`.
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_drops_garbage() {
        let q = DirectoryQuery::from_pairs([
            ("view", "52.4,13.2,52.6,13.6"),
            ("near", "52.5,13.4"),
            ("page", "3"),
            ("water", "1"),
        ]);
        assert_eq!(q.view, BBox::new(52.4, 13.2, 52.6, 13.6));
        assert_eq!(q.page, 3);
        assert_eq!(
            q.to_query(),
            "water=1&view=52.4,13.2,52.6,13.6&near=52.5,13.4&page=3"
        );
        for (k, v) in [
            ("view", "1,2,3"),
            ("view", "60,0,50,1"),
            ("view", "NaN,0,1,1"),
            ("near", "91,0"),
            ("page", "-2"),
            ("page", "x"),
        ] {
            let q = DirectoryQuery::from_pairs([(k, v)]);
            assert_eq!((q.view, q.near, q.page), (None, None, 1), "{k}={v}");
        }
        assert_eq!(DirectoryQuery::from_pairs([]).href(), "/");
        let parsed = DirectoryQuery::parse(&q.to_query());
        assert_eq!(parsed, q, "the canonical string reads back");
        let odd = DirectoryQuery::parse("q=caf%C3%A9+au+lait&city=%zz&page=%32");
        assert_eq!(odd.filter.q.as_deref(), Some("café au lait"));
        assert_eq!(odd.filter.city.as_deref(), Some("%zz"));
        assert_eq!(odd.page, 2);
    }

    #[test]
    fn totals_read_well() {
        assert_eq!(Total::Exact(1234).describe(), "1\u{a0}234 places in view");
        assert_eq!(Total::Exact(1).describe(), "1 place in view");
        assert!(Total::About(83_000).describe().contains("estimate"));
        assert_eq!(group(1_000_000), "1\u{a0}000\u{a0}000");
    }
}
