-- Moderation: suggestions become venues, photos can be reported and hidden, and
-- every admin action leaves an audit row.

-- Who suggested a venue (a name or "a guest"); kept as text so the venue stays
-- when the suggester's account is deleted.
ALTER TABLE venues ADD COLUMN suggested_by text CHECK (suggested_by IS NULL OR length(suggested_by) <= 80);

ALTER TABLE venue_suggestions
    ADD COLUMN reviewed_at timestamptz,
    ADD COLUMN reject_reason text CHECK (reject_reason IS NULL OR length(reject_reason) <= 500),
    ADD COLUMN venue_id uuid REFERENCES venues (id) ON DELETE SET NULL;
CREATE INDEX venue_suggestions_pending ON venue_suggestions (created_at) WHERE status = 'pending';

-- A hidden photo is not served publicly; its files are kept.
ALTER TABLE media ADD COLUMN hidden_at timestamptz;

CREATE TABLE photo_reports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    media_id     uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    reporter_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason       text NOT NULL CHECK (reason IN ('not_a_dog', 'people', 'offensive', 'spam', 'other')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    resolution   text CHECK (resolution IN ('hidden', 'deleted', 'dismissed')),
    UNIQUE (media_id, reporter_id)
);
CREATE INDEX photo_reports_open ON photo_reports (created_at) WHERE resolved_at IS NULL;
CREATE INDEX photo_reports_reporter ON photo_reports (reporter_id);

CREATE TABLE admin_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    admin_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    action      text NOT NULL,
    subject     text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_admin ON admin_audit (admin_id);

-- A failure row outlives the guest it names (a retry deletes the guest and then
-- marks the row resolved), so guest_id is a plain value like claim_audit's.
ALTER TABLE claim_failures DROP CONSTRAINT claim_failures_guest_id_fkey;
ALTER TABLE claim_failures ADD COLUMN resolution text CHECK (resolution IN ('merged', 'guest_gone'));
