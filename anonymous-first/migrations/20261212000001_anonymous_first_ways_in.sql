-- The tables of the passkey and OpenID Connect ways in, for every app (an app
-- without those ways in has them empty; `ways_in` counts them). IF NOT
-- EXISTS, as the baseline: an app that had them first finds nothing to do.

-- Passkeys (WebAuthn). A credential belongs to a member (a guest that adds one
-- is promoted in the same transaction); what webauthn-rs needs to check a
-- sign-in (public key, counter, backup state) is kept as its JSON.
CREATE TABLE IF NOT EXISTS passkeys (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id  bytea NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 16 AND 1023),
    -- The user handle given to the authenticator at registration; a sign-in
    -- must present it with the credential.
    user_handle    uuid NOT NULL,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    passkey        jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz
);
CREATE INDEX IF NOT EXISTS passkeys_user_id ON passkeys (user_id);

-- A passkey prompt in progress: its challenge, used once, minutes long, only
-- in the browser that asked (the SHA-256 of an HttpOnly cookie's key). Kept
-- in the database so any instance can finish what another started.
CREATE TABLE IF NOT EXISTS passkey_ceremonies (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('register', 'sign_in')),
    -- Registering: the account (or guest) it is for.
    user_id       uuid REFERENCES users (id) ON DELETE CASCADE,
    name          text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 60),
    state         jsonb NOT NULL,
    expires_at    timestamptz NOT NULL,
    browser_hash  bytea CHECK (browser_hash IS NULL OR length(browser_hash) = 32)
);
CREATE INDEX IF NOT EXISTS passkey_ceremonies_expires_at ON passkey_ceremonies (expires_at);
-- An app whose table predates the browser binding gets it too.
ALTER TABLE passkey_ceremonies ADD COLUMN IF NOT EXISTS browser_hash bytea
    CHECK (browser_hash IS NULL OR length(browser_hash) = 32);

-- An account at an OpenID Connect provider, linked to a user.
CREATE TABLE IF NOT EXISTS oidc_identities (
    provider      text NOT NULL CHECK (provider ~ '^[a-z0-9_-]{1,32}$'),
    -- The provider's `sub`: stable and unique per provider (the address is not).
    subject       text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- What the provider said at the last sign-in, shown on an account page only.
    email         text CHECK (email IS NULL OR length(email) <= 254),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
CREATE INDEX IF NOT EXISTS oidc_identities_user_id ON oidc_identities (user_id);

-- A sign-in on its way through the provider: what the callback needs to check
-- the answer (PKCE verifier, nonce) and whom it is for. Found by the SHA-256
-- of `state`, and only in the browser that started it. Used once.
CREATE TABLE IF NOT EXISTS oidc_logins (
    state_hash     bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    browser_hash   bytea NOT NULL CHECK (length(browser_hash) = 32),
    provider       text NOT NULL,
    pkce_verifier  text NOT NULL CHECK (length(pkce_verifier) <= 128),
    nonce          text NOT NULL CHECK (length(nonce) <= 128),
    -- The guest this browser held when it left: what it made comes along.
    guest_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    -- A member adding this provider from an account page.
    link_to        uuid REFERENCES users (id) ON DELETE CASCADE,
    next_path      text NOT NULL CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS oidc_logins_expires_at ON oidc_logins (expires_at);

-- A provider account whose verified address already has an account here:
-- linking waits for the person to confirm on the app's page, in this browser.
CREATE TABLE IF NOT EXISTS oidc_pending (
    browser_hash   bytea PRIMARY KEY CHECK (length(browser_hash) = 32),
    provider       text NOT NULL,
    subject        text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    email          text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    guest_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    next_path      text NOT NULL CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    expires_at     timestamptz NOT NULL
);
