//! The one list of what a user owns. Claiming an account (merging a guest into
//! a member) moves exactly these rows, the reaper keeps every guest that owns
//! any of them, and a test fails when a column referencing `users` is in
//! neither list.

/// A table whose rows belong to a user through `column`.
#[derive(Clone, Copy, Debug)]
pub struct Owned {
    /// Table name.
    pub table: &'static str,
    /// The owner column (`uuid NOT NULL REFERENCES users`).
    pub column: &'static str,
    /// A column that is unique together with the owner: a guest's row whose
    /// twin the account already has stays behind (and goes with the guest).
    pub unique_with: Option<&'static str>,
    /// Columns a guest's twin brings to the account's row when the guest's is
    /// newer (`created_at`): the later answer of the day is the person's answer.
    pub newer_wins: &'static [&'static str],
}

impl Owned {
    /// The one statement that moves every row of `$1` to `$2`.
    pub fn move_statement(&self) -> String {
        let Owned {
            table,
            column,
            unique_with,
            ..
        } = self;
        let twin = unique_with.map_or(String::new(), |u| {
            format!(" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{column} = $2 AND t.{u} = {table}.{u})")
        });
        format!("UPDATE {table} SET {column} = $2 WHERE {column} = $1{twin}")
    }

    /// The statement that runs before the move, if any: the account's twins
    /// take the newer values of the guest's (which then stay behind).
    pub fn refresh_statement(&self) -> Option<String> {
        let (Some(u), false) = (self.unique_with, self.newer_wins.is_empty()) else {
            return None;
        };
        let (table, column) = (self.table, self.column);
        let cols = self.newer_wins.join(", ");
        let from_guest: Vec<String> = self.newer_wins.iter().map(|c| format!("g.{c}")).collect();
        Some(format!(
            "UPDATE {table} t SET ({cols}) = ({}) FROM {table} g \
             WHERE g.{column} = $1 AND t.{column} = $2 AND t.{u} = g.{u} AND g.created_at > t.created_at",
            from_guest.join(", ")
        ))
    }
}

const fn owned(table: &'static str, column: &'static str) -> Owned {
    Owned {
        table,
        column,
        unique_with: None,
        newer_wins: &[],
    }
}

/// Everything a person makes: dogs, photos, suggestions, the photo reports
/// they filed (one per photo per person, hence `unique_with`) and their
/// "dogs still welcome?" answers (one per venue and day: `slot`).
pub const OWNED: &[Owned] = &[
    owned("dogs", "user_id"),
    owned("photos", "user_id"),
    owned("venue_suggestions", "user_id"),
    Owned {
        table: "photo_reports",
        column: "reporter_id",
        unique_with: Some("photo_id"),
        newer_wins: &[],
    },
    Owned {
        table: "venue_checks",
        column: "user_id",
        unique_with: Some("slot"),
        newer_wins: &["welcome", "created_at", "reviewed_at", "resolution"],
    },
    // Saved places: one per person and venue; a place both saved stays once.
    Owned {
        table: "saved_places",
        column: "user_id",
        unique_with: Some("venue_id"),
        newer_wins: &[],
    },
    // Proposed dog policies: one open per person and venue (`open_slot`); a
    // guest's open one whose twin the account has stays behind with the guest.
    Owned {
        table: "policy_proposals",
        column: "user_id",
        unique_with: Some("open_slot"),
        newer_wins: &[],
    },
];

/// Owned columns that may be NULL: rows that stay, without an owner, when
/// their owner is deleted ("dogs still welcome?" answers keep a venue's
/// count; `auth::account::erase` clears the owner before the delete).
/// Every other owner column is NOT NULL.
pub const OUTLIVE_OWNER: &[(&str, &str)] = &[("venue_checks", "user_id")];

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
    // Members' provider identities (a guest never has one; deleting goes by cascade).
    ("oidc_identities", "user_id"),
    // Sign-ins on their way through a provider: minutes old, used once.
    ("oidc_logins", "guest_id"),
    ("oidc_logins", "link_to"),
    ("oidc_pending", "guest_id"),
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
    fn twins_stay_behind() {
        let reports = super::OWNED.iter().find(|o| o.table == "photo_reports").unwrap();
        assert_eq!(
            reports.move_statement(),
            "UPDATE photo_reports SET reporter_id = $2 WHERE reporter_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM photo_reports t WHERE t.reporter_id = $2 AND t.photo_id = photo_reports.photo_id)"
        );
        assert_eq!(
            super::OWNED[0].move_statement(),
            "UPDATE dogs SET user_id = $2 WHERE user_id = $1"
        );
        assert_eq!(super::OWNED[0].refresh_statement(), None);
        let checks = super::OWNED.iter().find(|o| o.table == "venue_checks").unwrap();
        assert!(checks.refresh_statement().unwrap().starts_with(
            "UPDATE venue_checks t SET (welcome, created_at, reviewed_at, resolution) = \
             (g.welcome, g.created_at, g.reviewed_at, g.resolution) FROM venue_checks g"
        ));
    }
}
