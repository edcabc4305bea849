//! What a one-time link's confirm page shows and what the person may choose
//! there, shared by the server and the page.

use serde::{Deserialize, Serialize};

/// What a guest has made, as counted on the confirm page and in the audit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestData {
    /// Dogs.
    pub dogs: i64,
    /// Photos.
    pub photos: i64,
    /// Venue suggestions.
    pub suggestions: i64,
    /// "Dogs still welcome inside?" answers.
    #[serde(default)]
    pub checks: i64,
    /// Saved places.
    #[serde(default)]
    pub saved: i64,
    /// Photos reported.
    #[serde(default)]
    pub reports: i64,
    /// Changes to a venue's dog policy suggested.
    #[serde(default)]
    pub proposals: i64,
}

impl GuestData {
    /// Nothing to bring along.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Both together (what several guests bring).
    pub fn plus(self, other: Self) -> Self {
        Self {
            dogs: self.dogs + other.dogs,
            photos: self.photos + other.photos,
            suggestions: self.suggestions + other.suggestions,
            checks: self.checks + other.checks,
            saved: self.saved + other.saved,
            reports: self.reports + other.reports,
            proposals: self.proposals + other.proposals,
        }
    }

    /// "2 dogs, 3 photos and 1 suggestion" (only the non-zero parts).
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.dogs, "dog"),
            (self.photos, "photo"),
            (self.suggestions, "suggestion"),
            (self.checks, "venue check"),
            (self.saved, "saved place"),
            (self.reports, "photo report"),
            (self.proposals, "suggested change"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}{}", if n == 1 { "" } else { "s" }))
        .collect();
        match parts.as_slice() {
            [] => "nothing yet".to_owned(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// The state of a one-time link, as its confirm page shows it. Looking never uses it up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkCheck {
    /// Usable: confirm to sign in.
    Valid(LinkPreview),
    /// Already used (each link works once).
    Used,
    /// Past its expiry time.
    Expired,
    /// Closed after too many wrong codes typed from its mail.
    TriedOut,
    /// Not a link we sent (mistyped or cut off), or replaced by a newer one.
    Unknown,
}

/// What confirming a valid link will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPreview {
    /// The address, partly hidden: `b…@example.com`.
    pub masked_email: String,
    /// This browser is the guest that asked for the link.
    pub same_browser: bool,
    /// Data of the guest that asked for the link (this browser's own when `same_browser`).
    pub requester: Option<GuestData>,
    /// Data of this browser's own guest (when it is not the requester).
    pub this_browser: Option<GuestData>,
    /// A password was chosen for this address before anyone proved it (at
    /// sign-up). In the browser that signed up it is kept; anywhere else the
    /// page asks for it, so nobody adopts a password someone else picked.
    #[serde(default)]
    pub unproven_password: bool,
}

pub use anonymous_first::ClaimChoice;

#[cfg(test)]
mod tests {
    use super::GuestData;

    #[test]
    fn describes() {
        let d = |dogs, photos, suggestions| GuestData {
            dogs,
            photos,
            suggestions,
            ..GuestData::default()
        };
        assert_eq!(d(0, 0, 0).describe(), "nothing yet");
        assert_eq!(d(1, 0, 0).describe(), "1 dog");
        assert_eq!(d(2, 3, 0).describe(), "2 dogs and 3 photos");
        assert_eq!(d(2, 1, 1).describe(), "2 dogs, 1 photo and 1 suggestion");
        assert!(d(0, 0, 0).is_empty() && !d(0, 0, 1).is_empty());
        let checked = GuestData {
            checks: 2,
            ..GuestData::default()
        };
        assert!(!checked.is_empty(), "a guest with only answers is brought along");
        assert_eq!(checked.describe(), "2 venue checks");
        let reported = GuestData {
            reports: 1,
            proposals: 2,
            ..GuestData::default()
        };
        assert!(
            !reported.is_empty(),
            "a guest with only a report is brought along"
        );
        assert_eq!(reported.describe(), "1 photo report and 2 suggested changes");
    }
}
