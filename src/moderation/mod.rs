//! What the admin pages show (shared by the server and the wasm bundle).

#[cfg(feature = "ssr")]
pub mod checks;
#[cfg(feature = "ssr")]
pub mod failures;
#[cfg(feature = "ssr")]
pub mod flows;
pub mod people;
#[cfg(feature = "ssr")]
pub mod people_flows;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod queries;
#[cfg(feature = "ssr")]
pub mod reports;
#[cfg(feature = "ssr")]
pub mod suggestions;
#[cfg(feature = "ssr")]
pub mod venues;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How the admin's text fields are read (the venue fields are the
/// suggestion form's: [`crate::suggestions::fields`]).
pub mod fields {
    use crate::text::Field;

    /// The user search: part of an address.
    pub const SEARCH: Field = Field::line("The search", 100);
    /// Why a suggestion was not added, shown to the suggester.
    pub const REJECT_REASON: Field =
        Field::line("The reason", 500).required("Give a short reason (up to 500 characters).");
    /// A venue's website.
    pub const WEBSITE: Field = Field::line("The website", 300);
}

/// A suggestion waiting for review, with everything an admin may edit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PendingSuggestion {
    /// Suggestion id.
    pub id: Uuid,
    /// Venue name.
    pub name: String,
    /// Category key.
    pub category: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Latitude, if the suggester picked the place.
    pub lat: Option<f64>,
    /// Longitude, if the suggester picked the place.
    pub lng: Option<f64>,
    /// `yes` or `some_areas`.
    pub dogs_inside: String,
    /// Size-limit key.
    pub size_limit: String,
    /// Water bowl.
    pub water_bowl: bool,
    /// Treats.
    pub treats: bool,
    /// Notes.
    pub notes: String,
    /// "Bella" or "a guest".
    pub suggested_by: String,
    /// Submission date.
    pub created_on: String,
}

/// Reasons a photo can be reported for: (key, label).
pub const REPORT_REASONS: &[(&str, &str)] = &[
    ("not_a_dog", "No dog in it"),
    ("people", "Shows people who did not agree"),
    ("offensive", "Offensive"),
    ("spam", "Spam or advertising"),
    ("other", "Something else"),
];

/// An open report of a photo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OpenReport {
    /// Report id.
    pub id: Uuid,
    /// The photo.
    pub photo_id: Uuid,
    /// Its storage key (for the thumbnail).
    pub storage_key: String,
    /// Reason key.
    pub reason: String,
    /// Reporter's note.
    pub note: String,
    /// Whether the photo is already hidden.
    pub hidden: bool,
    /// Reported on.
    pub created_on: String,
}

/// A dog owner's "dogs are not welcome inside (any more)", waiting for review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PolicyDoubt {
    /// The answer's id.
    pub id: Uuid,
    /// The venue's slug (for its page and its edit form).
    pub slug: String,
    /// The venue's name.
    pub venue: String,
    /// Its city.
    pub city: String,
    /// The day of the visit.
    pub checked_on: String,
    /// "Yes" answers given for the venue on that day or later.
    pub yes_since: i64,
}

/// A merge that failed during a claim and waits for a retry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ClaimFailure {
    /// Failure id.
    pub id: i64,
    /// The guest whose data stayed behind.
    pub guest_id: Uuid,
    /// The account it should join.
    pub target_id: Uuid,
    /// The target's email.
    pub target_email: Option<String>,
    /// What went wrong.
    pub error: String,
    /// What was to move, by table.
    pub counts: String,
    /// When.
    pub created_at: String,
}

/// Head counts for the users section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserStats {
    /// Guest users.
    pub guests: i64,
    /// Members (with an email).
    pub members: i64,
    /// Guests created per day, last 14 days: (date, count), newest first.
    pub guests_per_day: Vec<(String, i64)>,
}

/// A page of a review queue: oldest first, [`Page::SIZE`] at a time, so a
/// queue of any length costs one bounded query to show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page(pub u32);

impl Page {
    /// Items per page.
    pub const SIZE: i64 = 25;
    /// At most this many pages (deeper entries come forward as the first are handled).
    pub const MAX: u32 = 200;

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.0.min(Self::MAX)) * Self::SIZE
    }

    /// Rows to fetch: one more than a page, to know whether there is another.
    pub fn fetch(self) -> i64 {
        Self::SIZE + 1
    }
}

/// One page of a queue and whether another follows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queue<T> {
    /// The page's entries.
    pub items: Vec<T>,
    /// A next page exists.
    pub more: bool,
}

impl<T> Queue<T> {
    /// "25+" when another page follows, else the page's count.
    pub fn count(&self) -> String {
        let n = self.items.len();
        if self.more { format!("{n}+") } else { n.to_string() }
    }

    /// Cuts a fetched page (of [`Page::fetch`] rows) to its size.
    pub fn of(mut rows: Vec<T>) -> Self {
        let more = rows.len() as i64 > Page::SIZE;
        rows.truncate(Page::SIZE as usize);
        Self { items: rows, more }
    }
}

/// Everything on `/admin`: one page of each queue and the head counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Which page.
    pub page: Page,
    /// Suggestions waiting for review.
    pub suggestions: Queue<PendingSuggestion>,
    /// Open photo reports.
    pub reports: Queue<OpenReport>,
    /// "No, dogs are not welcome inside" answers.
    pub doubts: Queue<PolicyDoubt>,
    /// Failed claim merges.
    pub failures: Queue<ClaimFailure>,
    /// Head counts.
    pub stats: UserStats,
}
