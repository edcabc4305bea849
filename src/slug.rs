//! URL slugs: lowercase ASCII words joined by single hyphens.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest slug we accept; longer path segments are rejected before any query.
pub const MAX_SLUG_LEN: usize = 80;

/// A validated venue slug such as `cafe-bentley-berlin`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a string is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// Empty or longer than [`MAX_SLUG_LEN`].
    #[error("a slug must be 1 to {MAX_SLUG_LEN} characters long")]
    Length,
    /// Contains something other than `a-z`, `0-9` and single inner hyphens.
    #[error("a slug may only contain a-z, 0-9 and single hyphens between words")]
    Charset,
}

impl Slug {
    /// Validates an existing slug (e.g. from a URL path).
    pub fn parse(s: &str) -> Result<Self, SlugError> {
        if s.is_empty() || s.len() > MAX_SLUG_LEN {
            return Err(SlugError::Length);
        }
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok_chars || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(SlugError::Charset);
        }
        Ok(Self(s.to_owned()))
    }

    /// Derives a slug from free text ("Café Müller, Berlin" → `cafe-muller-berlin`).
    /// Returns `None` when nothing slug-worthy is left.
    pub fn from_text(text: &str) -> Option<Self> {
        let mut out = String::with_capacity(text.len());
        for ch in text.chars().flat_map(fold_diacritic) {
            if ch.is_ascii_alphanumeric() {
                out.push(ch.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut out = out.trim_end_matches('-').to_owned();
        if out.len() > MAX_SLUG_LEN {
            out.truncate(MAX_SLUG_LEN);
            out = out.trim_end_matches('-').to_owned();
        }
        Self::parse(&out).ok()
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Maps common Latin letters with diacritics to ASCII so slugs stay readable.
fn fold_diacritic(ch: char) -> impl Iterator<Item = char> {
    let folded: &[char] = match ch {
        'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => &['a'],
        'ä' | 'Ä' | 'æ' | 'Æ' => &['a', 'e'],
        'ç' | 'Ç' => &['c'],
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => &['e'],
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => &['i'],
        'ñ' | 'Ñ' => &['n'],
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => &['o'],
        'ö' | 'Ö' | 'œ' | 'Œ' => &['o', 'e'],
        'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => &['u'],
        'ü' | 'Ü' => &['u', 'e'],
        'ß' => &['s', 's'],
        _ => &[],
    };
    let own = if folded.is_empty() { Some(ch) } else { None };
    folded.iter().copied().chain(own)
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_and_rejects_invalid() {
        assert!(Slug::parse("cafe-bentley-42").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a/b", "..", "%2e", "ä"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(Slug::parse(&"a".repeat(81)), Err(SlugError::Length));
    }

    #[test]
    fn derives_from_text() {
        let s = Slug::from_text("  Café Müller & Söhne, Berlin!  ").unwrap();
        assert_eq!(s.as_str(), "cafe-mueller-soehne-berlin");
        assert_eq!(Slug::from_text("Straße 5").unwrap().as_str(), "strasse-5");
        assert!(Slug::from_text("!!! ???").is_none());
        assert!(Slug::from_text(&"word ".repeat(40)).unwrap().as_str().len() <= MAX_SLUG_LEN);
    }
}
