-- The crate's tables as its tests expect them (until the crate ships its own
-- migrations), with a profile of the tests' own on users (nickname, role).
CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text UNIQUE,
    is_anonymous boolean NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    nickname text,
    role text NOT NULL DEFAULT 'reader'
);
CREATE TABLE sessions (
    id text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    expiry_date timestamptz NOT NULL,
    user_agent text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    authenticated_at timestamptz NOT NULL DEFAULT now(),
    notice text,
    method text
);
CREATE TABLE session_farewells (
    id_hash bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    moved_to uuid REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rate_limits (
    bucket text NOT NULL,
    window_start timestamptz NOT NULL,
    hits int NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE TABLE guest_mint_keys (
    key_hash bytea PRIMARY KEY CHECK (length(key_hash) = 32),
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
