-- The outbox as the crate's tests expect it (until the crate ships its own
-- migrations), after identity.sql and tokens.sql.
CREATE TABLE mail_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    recipient text NOT NULL,
    token_id uuid REFERENCES auth_tokens ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    send_before timestamptz NOT NULL,
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    sent_at timestamptz,
    gave_up_at timestamptz,
    user_id uuid REFERENCES users ON DELETE CASCADE,
    since timestamptz,
    CHECK (sent_at IS NULL OR gave_up_at IS NULL),
    -- A row carries a token, or is the app's own kind for a user.
    CHECK ((token_id IS NULL) = (user_id IS NOT NULL AND since IS NOT NULL))
);
