-- Why a browser's session ended when another device ended it (its guest
-- moved into an account, or it was signed out from elsewhere): that browser's
-- next page says so once (paws_inside::auth::farewell). Keyed by the SHA-256
-- of the ended session's id (the cookie's value): no live credential is kept.
CREATE TABLE session_farewells (
    id_hash     bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    -- The account the session's guest moved into; NULL: signed out elsewhere.
    moved_to    uuid REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_farewells_moved_to ON session_farewells (moved_to);
CREATE INDEX session_farewells_created_at ON session_farewells (created_at);

-- A contribution whose guest went finds where by its session's farewell now
-- (auth::guest::owner_after_vanished), no longer by claim_audit.from_user;
-- the index stays for the admin's and operators' look-ups.
