//! The one list of what a user owns, given to the identity crate
//! (`anonymous_first::OwnedData`): claiming an account (merging a guest into a
//! member) moves exactly these rows, the counts a claim page shows and the
//! reaper's "owns nothing" come from it, and a test fails when a column
//! referencing `users` is in neither this list nor [`BOOKKEEPING`].

use anonymous_first::{OwnedData, OwnedTable};
use std::sync::LazyLock;

/// Everything a person makes: dogs, photos, suggestions, the photo reports
/// they filed (one per photo per person, hence `unique_with`), their
/// "dogs still welcome?" answers (one per venue and day: `slot`; they stay,
/// nameless, when the person goes), saved places and proposed policies.
const OWNED: &[OwnedTable] = &[
    OwnedTable::new("dogs", "user_id"),
    OwnedTable::new("photos", "user_id"),
    OwnedTable::new("venue_suggestions", "user_id"),
    OwnedTable::new("photo_reports", "reporter_id").unique_with("photo_id"),
    // Where the account answered the same venue that day, the later answer is
    // the person's. An answer is about the venue, not the person: it keeps
    // counting when they delete their account (its network goes).
    OwnedTable::new("venue_checks", "user_id")
        .unique_with("slot")
        .newer_wins(&["welcome", "created_at", "reviewed_at", "resolution"])
        .outlives_owner(&["network"]),
    // A place both saved stays once.
    OwnedTable::new("saved_places", "user_id").unique_with("venue_id"),
    // One open proposal per person and venue (`open_slot`); a guest's open one
    // whose twin the account has stays behind with the guest.
    OwnedTable::new("policy_proposals", "user_id").unique_with("open_slot"),
];

/// The owned tables, checked once.
pub fn owned() -> &'static OwnedData {
    static DATA: LazyLock<OwnedData> =
        LazyLock::new(|| OwnedData::new(OWNED).expect("the owned tables are plain identifiers"));
    &DATA
}

/// Columns that reference users for bookkeeping, not ownership; not moved.
pub const BOOKKEEPING: &[(&str, &str)] = &[
    ("guest_mint_keys", "user_id"),
    ("sessions", "user_id"),
    // Where an ended session's guest went, for that browser's next page.
    ("session_farewells", "moved_to"),
    ("auth_tokens", "guest_id"),
    ("auth_tokens", "user_id"),
    ("claim_failures", "target_id"),
    ("admin_audit", "admin_id"),
    // The admin who suspended a user (the crate's `admin`).
    ("users", "banned_by"),
    // The admin acting in a session (for an hour at most).
    ("sessions", "acting_admin"),
    // Members' provider identities (a guest never has one; deleting goes by cascade).
    ("oidc_identities", "user_id"),
    // Sign-ins on their way through a provider: minutes old, used once.
    ("oidc_logins", "guest_id"),
    ("oidc_logins", "link_to"),
    ("oidc_pending", "guest_id"),
    // Two-step sign-in: a member's secret, backup codes, trusted browsers,
    // and sign-ins minutes old waiting for their code (a guest has none).
    ("two_factor", "user_id"),
    ("backup_codes", "user_id"),
    ("trusted_browsers", "user_id"),
    ("second_factor_pending", "user_id"),
    // The record of every sign-in (the ending's), deleted with its account.
    ("sign_ins", "user_id"),
    // Members' passkeys (a guest that adds one is promoted in the same
    // transaction) and prompts minutes old.
    ("passkeys", "user_id"),
    ("passkey_ceremonies", "user_id"),
    // "What changed" looks and the digest choice; digests' unsubscribe links
    // and their outbox rows (a guest never has any of these but the look).
    ("saved_watch", "user_id"),
    ("saved_digest_links", "user_id"),
    ("mail_outbox", "user_id"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_is_accepted_and_moves_every_table_in_fixed_statements() {
        let owned = super::owned();
        assert_eq!(owned.tables().len(), 7);
        // One move per table, plus the answers' newer-wins step.
        assert_eq!(owned.merge_statements(), 8);
        assert!(owned.contains("photo_reports", "reporter_id"));
    }
}
