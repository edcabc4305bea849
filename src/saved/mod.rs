//! Saved places: a person's (guest or member) list of venues to go to, and
//! "what changed near your saved places" since they last looked — new venues
//! within 2 km, new "yes" and "no" answers at the places saved. Saving is a
//! contribution (it makes a guest), the list moves on claim (an owned table),
//! and members can have the same changes mailed weekly (`digest`).

#[cfg(feature = "ssr")]
pub mod changes;
#[cfg(feature = "ssr")]
pub mod digest;
#[cfg(feature = "ssr")]
pub mod flows;

use serde::{Deserialize, Serialize};

/// Places one person may keep saved.
pub const MAX_SAVED: i64 = 200;
/// Saved places on one page of `/saved`.
pub const PAGE: i64 = 20;
/// "What changed" looks this far back when the person never looked.
pub const DEFAULT_DAYS: i64 = 7;
/// New venues this near a saved place count as "near it".
pub const NEAR_KM: f64 = 2.0;
/// Lines of each kind of change shown (the rest is counted).
pub const MAX_CHANGES: i64 = 20;

/// One saved place as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPlace {
    /// The venue's slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its city.
    pub city: String,
    /// When it was saved ("4 Dec 2026").
    pub saved_on: String,
}

/// A new venue near one of the saved places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNearby {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its city.
    pub city: String,
    /// The saved place it is near.
    pub near: String,
}

/// New answers at one saved place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAnswers {
    /// The venue's slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// New "yes, dogs still welcome" answers.
    pub yes: i64,
    /// New "no" answers.
    pub no: i64,
    /// The day of the latest one ("4 Dec 2026").
    pub last_on: String,
}

/// What changed near a person's saved places since a moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Since when, in words ("since 29 Nov 2026").
    pub since: String,
    /// New venues within [`NEAR_KM`] of a saved place.
    pub new_nearby: Vec<NewNearby>,
    /// New answers at saved places (not the person's own).
    pub answers: Vec<NewAnswers>,
}

impl Changes {
    /// Nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.new_nearby.is_empty() && self.answers.is_empty()
    }
}

/// One page of `/saved`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPage {
    /// The places, newest saved first.
    pub places: Vec<SavedPlace>,
    /// How many in all.
    pub total: i64,
    /// This page (1-based).
    pub page: i64,
    /// What changed since the person last looked.
    pub changes: Changes,
    /// `Some(on)` for a member with a proven address (the digest can be
    /// chosen); `None` for a guest.
    pub digest: Option<bool>,
}

impl SavedPage {
    /// Whether a next page exists.
    pub fn has_more(&self) -> bool {
        self.page * PAGE < self.total
    }
}

/// A page number as typed in the address: anything else is page 1; never
/// past the last page a full list can have.
pub fn read_page(raw: Option<&str>) -> i64 {
    raw.and_then(|r| r.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, (MAX_SAVED + PAGE - 1) / PAGE)
}

/// "1 new confirmation", "2 new confirmations and 1 new “no”".
pub fn describe(a: &NewAnswers) -> String {
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    let yes = (a.yes > 0).then(|| format!("{} new confirmation{}", a.yes, plural(a.yes)));
    let no = (a.no > 0).then(|| format!("{} new “no, not any more”", a.no));
    match (yes, no) {
        (Some(y), Some(n)) => format!("{y} and {n}"),
        (Some(y), None) => y,
        (None, Some(n)) => n,
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        assert_eq!(read_page(None), 1);
        assert_eq!(read_page(Some("x")), 1);
        assert_eq!(read_page(Some("-3")), 1);
        assert_eq!(read_page(Some("9999")), MAX_SAVED / PAGE);
    }

    #[test]
    fn says_what_is_new() {
        let mut a = NewAnswers {
            slug: "a".into(),
            name: "A".into(),
            yes: 1,
            no: 0,
            last_on: "1 Dec 2026".into(),
        };
        assert_eq!(describe(&a), "1 new confirmation");
        a.yes = 2;
        a.no = 1;
        assert_eq!(describe(&a), "2 new confirmations and 1 new “no, not any more”");
    }
}
