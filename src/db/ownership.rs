//! The one list of tables whose rows a user owns. Claiming an account (merging
//! a guest into a member) repoints exactly these; a test fails when a table with
//! a `user_id` foreign key to `users` is missing here.

/// Tables with an owning `user_id uuid NOT NULL REFERENCES users(id)`.
pub const OWNED_TABLES: &[&str] = &["pets", "media", "venue_suggestions"];

/// Tables that reference users for bookkeeping, not ownership; they are not moved.
/// `photo_reports` is here on purpose: a report is a moderation signal, not the
/// reporter's data, and moving it could collide with the account's own report.
pub const BOOKKEEPING_TABLES: &[&str] = &[
    "guest_mint_keys",
    "user_sessions",
    "auth_tokens",
    "claim_failures",
    "photo_reports",
    "admin_audit",
];
