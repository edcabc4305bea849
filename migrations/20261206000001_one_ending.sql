-- One ending for every way in (paws_inside::auth::ending): it records how each
-- session came to be, and every sign-in, in the transaction that opens it.

-- How this session's user proved who they are here ('guest' for a guest's
-- first contribution); NULL for sessions opened before this was kept.
ALTER TABLE sessions ADD COLUMN method text
    CHECK (method IS NULL OR method ~ '^[a-z_]{1,32}$');

-- Every change of who a session is, as the ending recorded it.
CREATE TABLE sign_ins (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method        text NOT NULL CHECK (method ~ '^[a-z_]{1,32}$'),
    -- What happened to the guests that came along.
    promoted      boolean NOT NULL,
    merged        smallint NOT NULL CHECK (merged >= 0),
    merge_failed  smallint NOT NULL CHECK (merge_failed >= 0),
    -- A brand-new account (nobody came along).
    created       boolean NOT NULL
);
CREATE INDEX sign_ins_at ON sign_ins (at);
CREATE INDEX sign_ins_user_id ON sign_ins (user_id);

-- A passkey sign-in's challenge answers only in the browser that asked for it
-- (the SHA-256 of an HttpOnly cookie's key), as a provider's attempt does.
ALTER TABLE passkey_ceremonies ADD COLUMN browser_hash bytea
    CHECK (browser_hash IS NULL OR length(browser_hash) = 32);

-- A contribution that finds its guest merged away follows it into the
-- account (auth::guest::owner_after_vanished).
CREATE INDEX claim_audit_from_user ON claim_audit (from_user);
