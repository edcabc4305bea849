-- Passkeys (WebAuthn). A credential belongs to a member (a guest that adds one
-- is promoted in the same transaction); what webauthn-rs needs to check a
-- sign-in (public key, counter, backup state) is kept as its JSON.
CREATE TABLE passkeys (
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
CREATE INDEX passkeys_user_id ON passkeys (user_id);

-- A passkey prompt in progress: its challenge, used once, minutes long. Kept
-- in the database so any instance can finish what another started.
CREATE TABLE passkey_ceremonies (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('register', 'sign_in')),
    -- Registering: the account (or guest) it is for.
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    name        text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 60),
    state       jsonb NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX passkey_ceremonies_expires_at ON passkey_ceremonies (expires_at);
