-- Where dogs may go, structured (#28): `dogs_inside` keeps its two keys
-- ('yes' = everywhere inside, 'some_areas') and gains 'outside_only' and
-- 'not_allowed', so the `everywhere` and `large` filters read as before.
-- `leash` and `dog_conditional` (OSM's syntax, checked by the app) join it.
-- `osm_tags` and `osm_version` are the element as the last import read it:
-- an osmChange `<modify>` must carry every tag and the version it changes.
ALTER TABLE venues DROP CONSTRAINT venues_dogs_inside_check;
ALTER TABLE venues
    ADD CONSTRAINT venues_dogs_inside_check
        CHECK (dogs_inside IN ('yes', 'some_areas', 'outside_only', 'not_allowed')),
    ADD COLUMN leash text NOT NULL DEFAULT 'unknown'
        CHECK (leash IN ('required', 'not_required', 'unknown')),
    ADD COLUMN dog_conditional text CHECK (length(dog_conditional) BETWEEN 1 AND 255),
    -- When a person's proposal (admin-applied or agreed) last set the policy.
    ADD COLUMN policy_changed_at timestamptz,
    ADD COLUMN osm_tags jsonb,
    ADD COLUMN osm_version integer CHECK (osm_version > 0),
    -- The element's own position (a node's `<modify>` must repeat it; an
    -- admin may have moved the venue).
    ADD COLUMN osm_location point;
UPDATE venues SET osm_location = location WHERE osm_id IS NOT NULL AND admin_edited_at IS NULL;

-- What imported venues' `dog=*` already said about the leash; venues OSM
-- withdrew (kept for their photos and answers) now say so in their policy.
UPDATE venues SET leash = 'required' WHERE osm_dog = 'leashed' AND admin_edited_at IS NULL;
UPDATE venues SET leash = 'not_required' WHERE osm_dog = 'unleashed' AND admin_edited_at IS NULL;
UPDATE venues SET dogs_inside = 'outside_only' WHERE osm_dog = 'outside' AND admin_edited_at IS NULL;
UPDATE venues SET dogs_inside = 'not_allowed' WHERE osm_dog = 'no' AND admin_edited_at IS NULL;

-- A person's proposed policy for a venue. One open proposal per person and
-- venue (`open_slot` is the venue while open, NULL after: the unique pair
-- also tells a claim which of a guest's rows have a twin in the account).
-- `network` is a hash of the client's network (IPv6 /64, IPv4 address), so
-- agreement can count networks without keeping addresses.
CREATE TABLE policy_proposals (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id        uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dogs_inside     text NOT NULL CHECK (dogs_inside IN ('yes', 'some_areas', 'outside_only', 'not_allowed')),
    size_limit      text NOT NULL CHECK (size_limit IN ('any', 'up_to_medium', 'small_only')),
    leash           text NOT NULL CHECK (leash IN ('required', 'not_required', 'unknown')),
    dog_conditional text CHECK (length(dog_conditional) BETWEEN 1 AND 255),
    policy_key      text NOT NULL CHECK (length(policy_key) <= 400),
    network         text NOT NULL CHECK (length(network) <= 64),
    status          text NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'applied', 'rejected', 'withdrawn')),
    decided_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    open_slot       uuid GENERATED ALWAYS AS (CASE WHEN status = 'open' THEN venue_id END) STORED,
    CONSTRAINT policy_proposals_one_open UNIQUE (user_id, open_slot)
);
CREATE INDEX policy_proposals_open ON policy_proposals (venue_id, policy_key) WHERE status = 'open';
CREATE INDEX policy_proposals_queue ON policy_proposals (created_at) WHERE status = 'open';
