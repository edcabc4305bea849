-- Claiming an account: email proof by one-time links, the merge audit, failures
-- kept for reconciliation, the sessions each user holds, and rate-limit counters.

ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- One-time links. Only the SHA-256 of a token is stored; the token itself only
-- ever exists in the email. guest_id is the guest that asked for the link, if any.
CREATE TABLE auth_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    purpose     text NOT NULL CHECK (purpose IN ('magic_link', 'email_verify', 'password_reset')),
    email       text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    guest_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    next_path   text NOT NULL DEFAULT '/' CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX auth_tokens_open ON auth_tokens (email, purpose) WHERE used_at IS NULL;
CREATE INDEX auth_tokens_guest_id ON auth_tokens (guest_id) WHERE guest_id IS NOT NULL;
CREATE INDEX auth_tokens_expires_at ON auth_tokens (expires_at);

-- Every merge of a guest into an existing account. The guest row is gone after a
-- merge, so ids are plain values here, not foreign keys.
CREATE TABLE claim_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_user   uuid NOT NULL,
    to_user     uuid NOT NULL,
    counts      jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_audit_to_user ON claim_audit (to_user);

-- A merge that failed and was rolled back: the guest keeps everything and the
-- person is signed in anyway; an admin (or `server claims retry`) reruns it.
CREATE TABLE claim_failures (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guest_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    error        text NOT NULL,
    counts       jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz
);
CREATE INDEX claim_failures_open ON claim_failures (created_at) WHERE resolved_at IS NULL;
CREATE INDEX claim_failures_target ON claim_failures (target_id);

-- Which sessions belong to which user, so a claim can end every session of the
-- guest it absorbs (and the account page can list and revoke sessions).
CREATE TABLE user_sessions (
    session_id  text PRIMARY KEY REFERENCES tower_sessions.session (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent  text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_sessions_user_id ON user_sessions (user_id);

-- Fixed-window counters shared by every server instance.
CREATE TABLE rate_limits (
    bucket        text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
