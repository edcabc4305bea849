-- "Were you here with your dog? Dogs still welcome inside: yes / no."
-- A person's answers are owned rows like dogs and photos: a guest's move into
-- the account that claims it. One answer per person, venue and (UTC) day:
-- `slot` names the venue and the day in one column, so the ownership
-- catalogue's `unique_with` leaves a guest's answer behind when the account
-- already gave one for the same venue that day.
CREATE TABLE venue_checks (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id     uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    welcome      boolean NOT NULL,
    checked_on   date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Day numbers, not date text: text of a date depends on DateStyle, and a
    -- generated column must be immutable.
    slot         text NOT NULL GENERATED ALWAYS AS
                 (venue_id::text || '/' || (checked_on - date '2000-01-01')::text) STORED,
    -- A "no" waits for an admin; reviewing it sets these.
    reviewed_at  timestamptz,
    resolution   text CHECK (resolution IS NULL OR resolution IN ('dismissed', 'updated')),
    UNIQUE (user_id, slot)
);

-- The venue page's "last confirmed on … (n confirmations)".
CREATE INDEX venue_checks_venue ON venue_checks (venue_id, checked_on DESC) WHERE welcome;
-- The moderation queue: open "no" answers, oldest first.
CREATE INDEX venue_checks_doubts ON venue_checks (created_at, id) WHERE NOT welcome AND reviewed_at IS NULL;
-- Merges and the reaper find a user's rows.
CREATE INDEX venue_checks_user ON venue_checks (user_id);
