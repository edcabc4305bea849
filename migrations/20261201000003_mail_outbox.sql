-- Mail is written here in the transaction that makes the token it carries:
-- it is sent if and only if that commits, and it survives a crash, a restart
-- or an SMTP outage. A worker on every instance takes one due row with FOR
-- UPDATE SKIP LOCKED, holds the lock while it talks SMTP, and marks the row in
-- the same transaction.
--
-- No working link is ever stored: a row names its token, and the worker gives
-- that token a fresh secret at send time (only its hash is kept, in
-- auth_tokens), so what is at rest here grants nothing. A token used,
-- replaced by a newer link or expired before the mail went out is not sent.
CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text        NOT NULL
        CHECK (kind IN ('magic_link', 'sign_up_attempt', 'verify_email', 'password_reset')),
    recipient       text        NOT NULL,
    token_id        uuid        NOT NULL REFERENCES auth_tokens (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- The link's expiry: a dead link is never sent.
    send_before     timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    gave_up_at      timestamptz,
    CHECK (sent_at IS NULL OR gave_up_at IS NULL)
);

-- The worker's queue: only mails still to send, due first.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND gave_up_at IS NULL;
-- The reaper drops finished rows by age; tokens are deleted with their mails.
CREATE INDEX mail_outbox_finished ON mail_outbox (created_at)
    WHERE sent_at IS NOT NULL OR gave_up_at IS NOT NULL;
CREATE INDEX mail_outbox_token_id ON mail_outbox (token_id);
