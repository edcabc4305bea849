//! The operator's funnel: per week, guests made and how many came back after
//! 1, 7 and 30 days (by the week they were made), claims by way in, guests
//! promoted and merged, merges that failed and guests reaped (by the week it
//! happened). `auth::funnel::note` records it where it happens; this feature
//! reads the weekly rollup (`flows::weeks`, admins only) and lays out the
//! chart the admin page draws (`chart`).

pub mod chart;
#[cfg(feature = "ssr")]
pub mod flows;

use serde::{Deserialize, Serialize};

/// How many weeks the funnel shows, this one included.
pub const WEEKS: usize = 12;

/// The ways in, as the funnel counts them (`auth::funnel::way`'s keys), with
/// their column names.
pub const WAYS: [(&str, &str); 5] = [
    ("link", "Link"),
    ("code", "Code"),
    ("password", "Password"),
    ("passkey", "Passkey"),
    ("provider", "Provider"),
];

/// One ISO week's numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Week {
    /// "week of 30 Nov" (the week's Monday).
    pub label: String,
    /// Guests made this week.
    pub made: u64,
    /// Of those, how many contributed again at least 1, 7, 30 days after.
    pub back: [u64; 3],
    /// Claims (a way in that brought guests along) by way, in [`WAYS`]' order.
    pub claims: [u64; 5],
    /// Guests that became an account in place.
    pub promoted: u64,
    /// Guests whose things moved into an existing account.
    pub merged: u64,
    /// Merges rolled back and kept for a retry.
    pub merge_failed: u64,
    /// Idle, empty guests deleted.
    pub reaped: u64,
}

impl Week {
    /// Every claim this week, whatever the way in.
    pub fn all_claims(&self) -> u64 {
        self.claims.iter().sum()
    }
}

/// The last [`WEEKS`] weeks, oldest first (this week last).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    /// Oldest first.
    pub weeks: Vec<Week>,
}
