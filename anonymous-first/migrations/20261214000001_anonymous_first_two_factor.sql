-- Two-step sign-in (the crate's `two_factor`): a member's authenticator
-- secret with the last step it accepted (a code is good once), ten backup
-- codes kept as hashes, sign-ins waiting for their second step (bound to the
-- browser that gave the first by a key kept as a hash), and browsers trusted
-- to skip the second step for 30 days.

CREATE TABLE two_factor (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret bytea NOT NULL CHECK (length(secret) = 20),
    -- NULL while being set up: the secret is shown, not yet confirmed by a code.
    enabled_at timestamptz,
    last_step bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE backup_codes (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE second_factor_pending (
    key_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method text NOT NULL,
    first_proof boolean NOT NULL,
    password_hash text,
    asker text NOT NULL CHECK (asker IN ('here', 'returning', 'link')),
    asker_guest uuid,
    bring_requester boolean NOT NULL,
    bring_this_browser boolean NOT NULL,
    next_path text NOT NULL,
    -- A provider identity the first step would have added to the account
    -- (a first sign-in with it): added by the second step.
    identity_provider text,
    identity_subject text,
    identity_email text,
    failures int NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL
);
CREATE INDEX second_factor_pending_user ON second_factor_pending (user_id);

CREATE TABLE trusted_browsers (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_hash bytea NOT NULL UNIQUE,
    user_agent text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX trusted_browsers_user ON trusted_browsers (user_id);
