//! "My contributions": everything a person (guest or member) added — dogs,
//! photos, "dogs still welcome?" answers, suggestions — with counts, a page
//! of each list at a time, and the ways to take one back (a photo or an
//! answer removed, a pending suggestion withdrawn; those flows live with their
//! feature: `photos::flows::delete`, `venues::checks::remove`,
//! `suggestions::withdraw`).

#[cfg(feature = "ssr")]
pub mod flows;

use crate::GuestData;
use crate::photos::Photo;
use crate::suggestions::Suggestion;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Rows of each list shown at once.
pub const PAGE: i64 = 12;
/// The last page anyone can ask for (a list is bounded, however long it is).
pub const MAX_PAGE: i64 = 400;

/// Which page of each list (1-based), as the page's address says
/// (`?photos=2&answers=1&suggestions=3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pages {
    /// Photos' page.
    pub photos: i64,
    /// Answers' page.
    pub answers: i64,
    /// Suggestions' page.
    pub suggestions: i64,
}

impl Default for Pages {
    fn default() -> Self {
        Self {
            photos: 1,
            answers: 1,
            suggestions: 1,
        }
    }
}

impl Pages {
    /// Reads a page number as typed in the address: anything that is not a
    /// number from 1 to [`MAX_PAGE`] is page 1 (or the last).
    pub fn read(raw: Option<&str>) -> i64 {
        raw.and_then(|r| r.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_PAGE)
    }

    /// The address of this state with `list`'s page set to `page`.
    pub fn href(&self, list: &str, page: i64) -> String {
        let mut p = *self;
        match list {
            "photos" => p.photos = page,
            "answers" => p.answers = page,
            _ => p.suggestions = page,
        }
        format!(
            "/mine?photos={}&answers={}&suggestions={}#{list}",
            p.photos, p.answers, p.suggestions
        )
    }
}

/// One of the person's photos.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPhoto {
    /// The photo.
    pub photo: Photo,
    /// The dog in it.
    pub dog_name: Option<String>,
    /// The venue it was taken at: slug and name.
    pub venue: Option<(String, String)>,
    /// When it was added ("6 Dec 2026").
    pub added_on: String,
    /// Hidden by a moderator (still the person's, not shown publicly).
    pub hidden: bool,
}

/// One "dogs still welcome inside?" answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAnswer {
    /// `venue_checks.id`.
    pub id: Uuid,
    /// The venue's slug.
    pub venue_slug: String,
    /// The venue's name.
    pub venue_name: String,
    /// Yes (still welcome) or no.
    pub welcome: bool,
    /// The day it was given ("6 Dec 2026").
    pub on: String,
}

/// One page of a list and whether an older page follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed<T> {
    /// The rows, newest first.
    pub rows: Vec<T>,
    /// This page (1-based).
    pub page: i64,
    /// A next page exists.
    pub more: bool,
}

impl<T> Listed<T> {
    /// Splits `rows` (fetched one longer than a page) into a page and "more".
    pub fn from_rows(mut rows: Vec<T>, page: i64) -> Self {
        let more = rows.len() as i64 > PAGE;
        rows.truncate(PAGE as usize);
        Self { rows, page, more }
    }
}

/// Everything "My contributions" shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contributions {
    /// Whether the person is a guest (the page then offers to keep it all).
    pub guest: bool,
    /// How many of each.
    pub counts: GuestData,
    /// The dogs: id and name (all of them: at most `MAX_DOGS`).
    pub dogs: Vec<(Uuid, String)>,
    /// A page of photos.
    pub photos: Listed<MyPhoto>,
    /// A page of answers.
    pub answers: Listed<MyAnswer>,
    /// A page of suggestions.
    pub suggestions: Listed<Suggestion>,
    /// The pages asked for.
    pub pages: Pages,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        assert_eq!(Pages::read(None), 1);
        assert_eq!(Pages::read(Some("3")), 3);
        assert_eq!(Pages::read(Some("-4")), 1);
        assert_eq!(Pages::read(Some("99999999999999999999")), 1);
        assert_eq!(Pages::read(Some("100000")), MAX_PAGE);
        let p = Pages::default();
        assert_eq!(
            p.href("answers", 2),
            "/mine?photos=1&answers=2&suggestions=1#answers"
        );
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let rows: Vec<i64> = (0..=PAGE).collect();
        let listed = Listed::from_rows(rows, 1);
        assert!(listed.more);
        assert_eq!(listed.rows.len() as i64, PAGE);
        assert!(!Listed::from_rows(vec![1, 2], 1).more);
    }
}

/// One of the person's suggestions, opened: everything they sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionDetail {
    /// What the list shows (status, dates, the venue once approved).
    pub summary: Suggestion,
    /// Street address.
    pub address: String,
    /// `yes` or `some_areas`.
    pub dogs_inside: String,
    /// Size-limit key.
    pub size_limit: String,
    /// Water bowl offered.
    pub water_bowl: bool,
    /// Treats offered.
    pub treats: bool,
    /// The note.
    pub notes: String,
}

/// What deleting an account takes and what stays, counted, and how the
/// person can prove it is them when their sign-in here is not recent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    /// The account's address (typed to confirm); `None`: type "delete".
    pub email: Option<String>,
    /// Signed in here within `minutes`: the deletion can go ahead.
    pub recent: bool,
    /// `REAUTH_MINUTES`.
    pub minutes: i64,
    /// A password is set (and the address proven): "confirm with password".
    pub password: bool,
    /// The address is proven: "email me a code".
    pub code: bool,
    /// Passkeys the account has.
    pub passkeys: i64,
    /// Dogs (go).
    pub dogs: i64,
    /// Photos (go, files too).
    pub photos: i64,
    /// Of those, shown on venue pages.
    pub venue_photos: i64,
    /// Pending suggestions (go).
    pub pending: i64,
    /// Reviewed suggestions (their record goes; approved places stay listed).
    pub reviewed: i64,
    /// Approved suggestions: places that stay listed.
    pub listed: i64,
    /// Photo reports filed (go).
    pub reports: i64,
    /// "Dogs still welcome?" answers (stay, without a name).
    pub answers: i64,
}
