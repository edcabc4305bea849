//! What the admin's pages about people show, in words: a list of users found
//! by address and kind, one person with what admins did to them, and the
//! audit of every admin's suspensions. The finding, the suspending and the
//! audit are the identity crate's (`anonymous_first::admin`); the words are
//! ours.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a suspension lasts, as the ban form offers it: (value, words).
/// The empty value is "until lifted".
pub const BAN_LENGTHS: [(&str, &str); 4] = [
    ("1", "1 day"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("", "Until an admin lifts it"),
];

/// Which people the list shows: (value, words).
pub const KINDS: [(&str, &str); 4] = [
    ("", "Everyone"),
    ("members", "Members"),
    ("guests", "Guests"),
    ("suspended", "Suspended"),
];

/// The longest reason for a suspension, in characters.
pub const REASON_MAX: usize = 500;

/// A person as an admin's list shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// `users.id` (for the person's page).
    pub id: Uuid,
    /// The address, or "A guest" / "A member without an address".
    pub name: String,
    /// "Guest", "Member" or "Admin".
    pub kind: String,
    /// "2 dogs · 3 photos", or "Nothing added yet".
    pub owns: String,
    /// "Last seen 3 days ago".
    pub seen: String,
    /// "Joined 6 Dec 2026".
    pub joined: String,
    /// "Suspended until 14 Dec 2026 by a@example.com: spam", when suspended.
    pub ban: Option<String>,
    /// Holds the admin role (no suspending, no impersonating).
    pub admin: bool,
}

/// Whom this browser acts as, for the banner on every page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acting {
    /// The member's address.
    pub name: String,
    /// "7 Dec 2026, 14:05 UTC": then this browser is signed out.
    pub until: String,
}

/// A page of people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct People {
    /// The people on it.
    pub rows: Vec<Person>,
    /// Another page follows.
    pub more: bool,
    /// This page, from 0.
    pub page: u32,
}

/// One line of the audit: when, and what happened, in a sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    /// "6 Dec 2026, 08:57 UTC".
    pub when: String,
    /// "admin@example.com suspended rex@example.com for 7 days (until 14 Dec 2026): spam".
    pub what: String,
}

/// A page of the audit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    /// The lines, the latest first.
    pub rows: Vec<AuditLine>,
    /// Another page follows.
    pub more: bool,
    /// This page, from 0.
    pub page: u32,
}

/// One person's page: who they are and what admins did to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonPage {
    /// The person.
    pub person: Person,
    /// What admins did to them, the latest first.
    pub audit: Vec<AuditLine>,
    /// This is the admin looking (no suspending oneself).
    pub is_you: bool,
}

/// "2 dogs · 3 photos · 1 suggestion", from the counts that are not zero.
pub fn owns_words(parts: &[(i64, &str, &str)]) -> String {
    let said: Vec<String> = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    match said.is_empty() {
        true => "Nothing added yet".to_owned(),
        false => said.join(" · "),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_someone_owns_reads_as_words() {
        let parts = [
            (2, "dog", "dogs"),
            (0, "photo", "photos"),
            (1, "saved place", "saved places"),
        ];
        assert_eq!(super::owns_words(&parts), "2 dogs · 1 saved place");
        assert_eq!(super::owns_words(&[(0, "dog", "dogs")]), "Nothing added yet");
    }
}
