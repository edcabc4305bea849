-- Mail is written here in the transaction that makes what it carries (a
-- sign-in token, a confirmation): it is sent if and only if that commits,
-- and it survives a crash, a restart or an SMTP outage. A worker on every
-- instance takes one due row at a time with FOR UPDATE SKIP LOCKED, holds the
-- lock while it talks SMTP, and marks the row in the same transaction.
CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    -- The bodies hold a live link: they are cleared once the mail is sent
    -- or given up, so the table keeps no working token for longer than needed.
    body_text       text,
    body_html       text,
    link            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- A link is useless once expired: never send a dead one.
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
-- The reaper drops finished rows by age.
CREATE INDEX mail_outbox_finished ON mail_outbox (created_at)
    WHERE sent_at IS NOT NULL OR gave_up_at IS NOT NULL;
