-- "Sign in with …" (OpenID Connect). A member may now have no address: one
-- who signed in with a provider that did not vouch for one. Guests still never
-- have one.
ALTER TABLE users DROP CONSTRAINT users_anonymous_iff_no_email;
ALTER TABLE users ADD CONSTRAINT users_guests_have_no_email CHECK (NOT is_anonymous OR email IS NULL);

-- One row per provider account that signs in to one of ours.
CREATE TABLE oidc_identities (
    provider      text NOT NULL CHECK (provider ~ '^[a-z0-9_-]{1,32}$'),
    -- The provider's `sub`: stable and unique per provider (the address is not).
    subject       text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- What the provider said at the last sign-in, shown on the account page only.
    email         text CHECK (email IS NULL OR length(email) <= 254),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oidc_identities_user_id ON oidc_identities (user_id);

-- A sign-in on its way through the provider: what the callback needs to check
-- the answer (PKCE verifier, nonce) and whom it is for. Found by the SHA-256
-- of `state`, and only in the browser that started it (the SHA-256 of the key
-- in its HttpOnly cookie). Used once: the callback deletes it.
CREATE TABLE oidc_logins (
    state_hash     bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    browser_hash   bytea NOT NULL CHECK (length(browser_hash) = 32),
    provider       text NOT NULL,
    pkce_verifier  text NOT NULL CHECK (length(pkce_verifier) <= 128),
    nonce          text NOT NULL CHECK (length(nonce) <= 128),
    -- The guest this browser held when it left: its dogs come along.
    guest_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    -- A member adding this provider from the account page.
    link_to        uuid REFERENCES users (id) ON DELETE CASCADE,
    next_path      text NOT NULL CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_at ON oidc_logins (expires_at);

-- A provider account whose verified address already has an account here:
-- linking waits for the person to confirm on our page, in this browser.
CREATE TABLE oidc_pending (
    browser_hash   bytea PRIMARY KEY CHECK (length(browser_hash) = 32),
    provider       text NOT NULL,
    subject        text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    email          text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    guest_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    next_path      text NOT NULL CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    expires_at     timestamptz NOT NULL
);
