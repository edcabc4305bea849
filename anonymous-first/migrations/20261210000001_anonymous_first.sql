-- The identity crate's tables. Every statement is IF NOT EXISTS: an app that
-- made these tables before it used the crate (its first user did) finds
-- nothing to do; a new app gets them whole. An app adds its own columns to
-- `users` (a profile) and its own tables pointing at it in its migrations,
-- versioned after this one.

CREATE TABLE IF NOT EXISTS users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text UNIQUE CHECK (email IS NULL OR (email = lower(email) AND length(email) <= 254)),
    is_anonymous       boolean NOT NULL,
    password_hash      text CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
    email_verified_at  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_seen_at       timestamptz NOT NULL DEFAULT now(),
    -- A guest is a user without an address; a member may have none (a
    -- provider that vouched for none, a passkey only).
    CHECK (NOT is_anonymous OR email IS NULL)
);
CREATE INDEX IF NOT EXISTS users_guests_last_seen ON users (last_seen_at) WHERE is_anonymous;

-- Each browser's session (the tower-sessions store), bound to its user.
CREATE TABLE IF NOT EXISTS sessions (
    id                text PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    expiry_date       timestamptz NOT NULL,
    user_agent        text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at      timestamptz NOT NULL DEFAULT now(),
    authenticated_at  timestamptz NOT NULL DEFAULT now(),
    notice            text,
    method            text
);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expiry_date);

-- Why an ended browser's session ended (hashes of session ids, never ids).
CREATE TABLE IF NOT EXISTS session_farewells (
    id_hash     bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    moved_to    uuid REFERENCES users ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS session_farewells_moved_to ON session_farewells (moved_to);
CREATE INDEX IF NOT EXISTS session_farewells_created_at ON session_farewells (created_at);

-- A browser's first contribution names its guest by a key (double clicks,
-- two tabs): the SHA-256 of the key.
CREATE TABLE IF NOT EXISTS guest_mint_keys (
    key_hash    bytea PRIMARY KEY CHECK (length(key_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS guest_mint_keys_user_id ON guest_mint_keys (user_id);

-- Fixed-window rate limits, counted across instances.
CREATE TABLE IF NOT EXISTS rate_limits (
    bucket        text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          int NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX IF NOT EXISTS rate_limits_window ON rate_limits (window_start);

-- One-time email tokens: only hashes are stored.
CREATE TABLE IF NOT EXISTS auth_tokens (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash     bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    purpose        text NOT NULL CHECK (purpose IN ('magic_link', 'email_verify', 'password_reset', 'email_add')),
    email          text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    guest_id       uuid REFERENCES users ON DELETE SET NULL,
    next_path      text NOT NULL DEFAULT '/' CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    password_hash  text CHECK (password_hash IS NULL OR (purpose = 'email_verify' AND password_hash LIKE '$argon2id$%')),
    code_hash      text CHECK (code_hash IS NULL OR code_hash LIKE '$argon2id$%'),
    code_attempts  int NOT NULL DEFAULT 0 CHECK (code_attempts BETWEEN 0 AND 5),
    browser_hash   bytea CHECK (browser_hash IS NULL OR length(browser_hash) = 32),
    user_id        uuid REFERENCES users ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS auth_tokens_open ON auth_tokens (email, purpose) WHERE used_at IS NULL;
CREATE INDEX IF NOT EXISTS auth_tokens_guest_id ON auth_tokens (guest_id) WHERE guest_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS auth_tokens_expires_at ON auth_tokens (expires_at);

-- Mail queued in the flow's own transaction. A row carries a token (the
-- crate's letters), or is the app's own kind for a user since a time.
CREATE TABLE IF NOT EXISTS mail_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    recipient        text NOT NULL,
    token_id         uuid REFERENCES auth_tokens ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    send_before      timestamptz NOT NULL,
    attempts         int NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    sent_at          timestamptz,
    gave_up_at       timestamptz,
    user_id          uuid REFERENCES users ON DELETE CASCADE,
    since            timestamptz,
    CHECK (sent_at IS NULL OR gave_up_at IS NULL),
    CHECK ((token_id IS NULL) = (user_id IS NOT NULL AND since IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX IF NOT EXISTS mail_outbox_finished ON mail_outbox (created_at)
    WHERE sent_at IS NOT NULL OR gave_up_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS mail_outbox_token_id ON mail_outbox (token_id);
CREATE INDEX IF NOT EXISTS mail_outbox_user_id ON mail_outbox (user_id) WHERE user_id IS NOT NULL;

-- The one ending's record of each sign-in.
CREATE TABLE IF NOT EXISTS sign_ins (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    user_id       uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    method        text NOT NULL CHECK (method ~ '^[a-z_]{1,32}$'),
    promoted      boolean NOT NULL,
    merged        smallint NOT NULL CHECK (merged >= 0),
    merge_failed  smallint NOT NULL CHECK (merge_failed >= 0),
    created       boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_ins_at ON sign_ins (at);
CREATE INDEX IF NOT EXISTS sign_ins_user_id ON sign_ins (user_id);

-- Each merge: what moved from which guest to which account.
CREATE TABLE IF NOT EXISTS claim_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_user   uuid NOT NULL,
    to_user     uuid NOT NULL,
    counts      jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS claim_audit_to_user ON claim_audit (to_user);

-- A merge rolled back: the guest keeps everything, the person is signed in
-- anyway, and the merge waits here for a retry.
CREATE TABLE IF NOT EXISTS claim_failures (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guest_id     uuid NOT NULL,
    target_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    error        text NOT NULL,
    counts       jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    resolution   text CHECK (resolution IN ('merged', 'guest_gone'))
);
CREATE INDEX IF NOT EXISTS claim_failures_open ON claim_failures (created_at) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS claim_failures_target ON claim_failures (target_id);
