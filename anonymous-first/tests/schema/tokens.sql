-- One-time tokens as the crate's tests expect them (until the crate ships
-- its own migrations), after a users table.
CREATE TABLE auth_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    purpose text NOT NULL CHECK (purpose IN ('magic_link', 'email_verify', 'password_reset', 'email_add')),
    email text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    guest_id uuid REFERENCES users ON DELETE SET NULL,
    next_path text NOT NULL DEFAULT '/' CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    password_hash text CHECK (password_hash IS NULL OR (purpose = 'email_verify' AND password_hash LIKE '$argon2id$%')),
    code_hash text CHECK (code_hash IS NULL OR code_hash LIKE '$argon2id$%'),
    code_attempts int NOT NULL DEFAULT 0 CHECK (code_attempts BETWEEN 0 AND 5),
    browser_hash bytea CHECK (browser_hash IS NULL OR length(browser_hash) = 32),
    user_id uuid REFERENCES users ON DELETE CASCADE
);
CREATE INDEX auth_tokens_open ON auth_tokens (email, purpose) WHERE used_at IS NULL;
