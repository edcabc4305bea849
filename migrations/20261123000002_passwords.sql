-- Email + password accounts. A password is optional: magic-link accounts have none.
ALTER TABLE users ADD COLUMN password_hash text CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%');
ALTER TABLE users ADD CONSTRAINT users_password_needs_email CHECK (password_hash IS NULL OR email IS NOT NULL);

-- The account page lists sessions with when they were last used.
ALTER TABLE user_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
