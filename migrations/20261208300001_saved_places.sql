-- Saved places: a person's list of venues to go to. An owned table (it moves
-- on claim; a guest's twin of a place the account saved stays behind and goes
-- with the guest), one row per person and venue.
CREATE TABLE saved_places (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    venue_id   uuid        NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, venue_id)
);
-- The list, newest first, a page at a time.
CREATE INDEX saved_places_user_created ON saved_places (user_id, created_at DESC, id);
CREATE INDEX saved_places_venue ON saved_places (venue_id);

-- Per person: when "what changed near your saved places" was last looked at,
-- and the weekly digest (members only: opted in, and when the last one was
-- queued). Bookkeeping, not moved on claim.
CREATE TABLE saved_watch (
    user_id        uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- The last look, and the one before it ("since you last looked" stays
    -- for an hour after a look, so a reload does not empty it).
    looked_at      timestamptz,
    looked_before  timestamptz,
    digest         boolean     NOT NULL DEFAULT false,
    digest_sent_at timestamptz
);
CREATE INDEX saved_watch_digest ON saved_watch (digest_sent_at) WHERE digest;

-- One-click unsubscribe links of sent digests: only the SHA-256 of each
-- mail's token is kept; any of them turns the digest off, without signing in.
CREATE TABLE saved_digest_links (
    token_hash bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saved_digest_links_created ON saved_digest_links (created_at);

-- The digest goes through the outbox: a row without a token, naming its
-- member and the moment its changes start.
ALTER TABLE mail_outbox ALTER COLUMN token_id DROP NOT NULL;
ALTER TABLE mail_outbox ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE mail_outbox ADD COLUMN since timestamptz;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('magic_link', 'sign_up_attempt', 'verify_email', 'password_reset', 'add_email', 'saved_digest'));
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_carries
    CHECK ((kind = 'saved_digest') = (token_id IS NULL AND user_id IS NOT NULL AND since IS NOT NULL));
CREATE INDEX mail_outbox_user_id ON mail_outbox (user_id) WHERE user_id IS NOT NULL;

-- "What changed": new answers (yes and no) at a saved venue since a moment.
CREATE INDEX venue_checks_venue_created ON venue_checks (venue_id, created_at);
