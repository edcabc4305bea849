//! The directory filter. It lives in the URL query so that a filtered link renders
//! the same results on the server, before hydration, and after client navigation.

use crate::venues::Category;
use serde::{Deserialize, Serialize};

/// Longest search text kept; the rest is cut so a huge query string stays cheap.
pub const MAX_QUERY_CHARS: usize = 100;

/// Filters for the venue list and the map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VenueFilter {
    /// Free-text search over name and address.
    pub q: Option<String>,
    /// Exact city name.
    pub city: Option<String>,
    /// One category.
    pub category: Option<Category>,
    /// Only venues where dogs may go everywhere inside.
    pub everywhere: bool,
    /// Only venues that welcome dogs of every size.
    pub large_dogs: bool,
    /// Only venues with a water bowl.
    pub water: bool,
    /// Only venues that hand out treats.
    pub treats: bool,
}

/// Query keys, shared by the form fields and [`VenueFilter::to_query`].
pub mod keys {
    /// Search text.
    pub const Q: &str = "q";
    /// City.
    pub const CITY: &str = "city";
    /// Category.
    pub const CATEGORY: &str = "category";
    /// Dogs everywhere inside.
    pub const EVERYWHERE: &str = "everywhere";
    /// All sizes.
    pub const LARGE_DOGS: &str = "large";
    /// Water bowl.
    pub const WATER: &str = "water";
    /// Treats.
    pub const TREATS: &str = "treats";
}

impl VenueFilter {
    /// Reads a filter from decoded query pairs. Unknown keys and values are
    /// ignored rather than rejected: a stale shared link still shows something.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = Self::default();
        for (key, value) in pairs {
            let value = value.trim();
            let flag = matches!(value, "1" | "on" | "true" | "yes");
            match key {
                keys::Q => f.q = non_empty(value).map(|v| v.chars().take(MAX_QUERY_CHARS).collect()),
                keys::CITY => f.city = non_empty(value).map(|v| v.chars().take(MAX_QUERY_CHARS).collect()),
                keys::CATEGORY => f.category = Category::parse(value),
                keys::EVERYWHERE => f.everywhere = flag,
                keys::LARGE_DOGS => f.large_dogs = flag,
                keys::WATER => f.water = flag,
                keys::TREATS => f.treats = flag,
                _ => {}
            }
        }
        f
    }

    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The canonical query string, without the leading `?` (empty when unfiltered).
    pub fn to_query(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut push = |k: &str, v: &str| parts.push(format!("{k}={}", encode(v)));
        if let Some(q) = &self.q {
            push(keys::Q, q);
        }
        if let Some(city) = &self.city {
            push(keys::CITY, city);
        }
        if let Some(c) = self.category {
            push(keys::CATEGORY, c.as_str());
        }
        for (on, key) in [
            (self.everywhere, keys::EVERYWHERE),
            (self.large_dogs, keys::LARGE_DOGS),
            (self.water, keys::WATER),
            (self.treats, keys::TREATS),
        ] {
            if on {
                push(key, "1");
            }
        }
        parts.join("&")
    }
}

/// The decoded pairs of a query string (without `?`). No numbers are read
/// here: the browser's directory code uses it, and float parsing would cost
/// the home page's WASM several kilobytes.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent- and `+`-decoding; invalid escapes stay as they are, bytes become
/// UTF-8 lossily.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_serialises() {
        let f = VenueFilter::from_pairs([
            ("q", "  flat white "),
            ("city", "Berlin"),
            ("category", "cafe"),
            ("water", "1"),
            ("treats", "0"),
            ("utm_source", "x"),
        ]);
        assert_eq!(f.q.as_deref(), Some("flat white"));
        assert_eq!(f.category, Some(Category::Cafe));
        assert!(f.water && !f.treats && !f.everywhere);
        assert_eq!(f.to_query(), "q=flat%20white&city=Berlin&category=cafe&water=1");
    }

    #[test]
    fn ignores_junk() {
        let f = VenueFilter::from_pairs([("category", "casino"), ("q", "   "), ("city", "")]);
        assert!(f.is_empty());
        assert_eq!(f.to_query(), "");
        let long = "x".repeat(500);
        let f = VenueFilter::from_pairs([("q", long.as_str())]);
        assert_eq!(f.q.unwrap().len(), MAX_QUERY_CHARS);
        let f = VenueFilter::from_pairs([("q", "ä&=?#")]);
        assert_eq!(f.to_query(), "q=%C3%A4%26%3D%3F%23");
    }
}
