//! The directory filter. It lives in the URL query so that a filtered link renders
//! the same results on the server, before hydration, and after client navigation.

use crate::text::{Field, TextError};
use crate::venues::Category;
use serde::{Deserialize, Serialize};

/// Longest search text or city taken.
pub const MAX_QUERY_CHARS: usize = 100;
/// How the search box is read.
pub const SEARCH: Field = Field::line("The search", MAX_QUERY_CHARS);
/// How the city field is read.
pub const CITY: Field = Field::line("The city", MAX_QUERY_CHARS);

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
    /// Only venues dog owners confirmed in the last year (the verdict).
    pub confirmed: bool,
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
    /// Confirmed in the last year.
    pub const CONFIRMED: &str = "confirmed";
}

/// A search or city as read: the text (`None` when empty) or why it was left out.
fn text(field: &Field, value: &str) -> Result<Option<String>, TextError> {
    field.read_optional(value).map(|t| t.map(String::from))
}

impl VenueFilter {
    /// Reads a filter from decoded query pairs, with the problems of what it
    /// left out. Unknown keys and values are ignored rather than rejected: a
    /// stale shared link still shows something. A search or city that is not
    /// text a person typed (too long, hidden characters: see
    /// [`crate::text`]) is left out, and its problem returned for the page to
    /// say and the map's API to refuse.
    pub fn read<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (Self, Vec<TextError>) {
        let mut f = Self::default();
        let (mut q, mut city) = (Ok(None), Ok(None));
        for (key, value) in pairs {
            let value = value.trim();
            let flag = matches!(value, "1" | "on" | "true" | "yes");
            match key {
                keys::Q => q = text(&SEARCH, value),
                keys::CITY => city = text(&CITY, value),
                keys::CATEGORY => f.category = Category::parse(value),
                keys::EVERYWHERE => f.everywhere = flag,
                keys::LARGE_DOGS => f.large_dogs = flag,
                keys::WATER => f.water = flag,
                keys::TREATS => f.treats = flag,
                keys::CONFIRMED => f.confirmed = flag,
                _ => {}
            }
        }
        let mut left_out = Vec::new();
        let mut keep = |read: Result<Option<String>, TextError>| {
            read.unwrap_or_else(|e| {
                left_out.push(e);
                None
            })
        };
        f.q = keep(q);
        f.city = keep(city);
        (f, left_out)
    }

    /// [`VenueFilter::read`] without the problems.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self::read(pairs).0
    }

    /// The filter with its search and city read again, for a filter that did
    /// not come through [`VenueFilter::read`] (a server function's argument).
    pub fn checked(&self) -> Result<Self, TextError> {
        let read = |field, value: &Option<String>| text(field, value.as_deref().unwrap_or(""));
        Ok(Self {
            q: read(&SEARCH, &self.q)?,
            city: read(&CITY, &self.city)?,
            ..self.clone()
        })
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
            (self.confirmed, keys::CONFIRMED),
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
        assert!(f.water && !f.treats && !f.everywhere && !f.confirmed);
        assert_eq!(f.to_query(), "q=flat%20white&city=Berlin&category=cafe&water=1");
        let f = VenueFilter::from_pairs([("confirmed", "1"), ("water", "on")]);
        assert_eq!(f.to_query(), "water=1&confirmed=1");
    }

    #[test]
    fn ignores_junk() {
        let f = VenueFilter::from_pairs([("category", "casino"), ("q", "   "), ("city", "")]);
        assert!(f.is_empty());
        assert_eq!(f.to_query(), "");
        let f = VenueFilter::from_pairs([("q", "ä&=?#")]);
        assert_eq!(f.to_query(), "q=%C3%A4%26%3D%3F%23");
    }

    #[test]
    fn leaves_out_text_nobody_typed_and_says_why() {
        let long = "x".repeat(MAX_QUERY_CHARS + 1);
        let (f, left_out) = VenueFilter::read([("q", long.as_str()), ("city", "Ber\0lin"), ("water", "1")]);
        assert_eq!((f.q.as_deref(), f.city.as_deref()), (None, None));
        assert!(f.water, "the rest of the filter stays");
        assert_eq!(
            left_out[0].to_string(),
            "The search can be at most 100 characters."
        );
        assert!(
            left_out[1]
                .to_string()
                .starts_with("The city contains a hidden character")
        );
        let (f, left_out) = VenueFilter::read([("q", "bad\u{202E}"), ("q", "flat white")]);
        assert_eq!(
            (f.q.as_deref(), left_out.len()),
            (Some("flat white"), 0),
            "the last value counts"
        );
        let crafted = VenueFilter {
            city: Some("Berlin\u{1}".into()),
            ..VenueFilter::default()
        };
        assert!(crafted.checked().is_err());
        let fine = VenueFilter {
            q: Some(" café ".into()),
            ..VenueFilter::default()
        };
        assert_eq!(fine.checked().unwrap().q.as_deref(), Some("café"));
    }
}
