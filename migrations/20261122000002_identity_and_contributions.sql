-- Users, guests included. A guest is a real row with is_anonymous = true and no
-- email; every contribution points at users(id) with a NOT NULL owner, so there
-- is exactly one code path for guests and members.
CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text,
    display_name  text CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 60),
    is_anonymous  boolean NOT NULL,
    role          text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_anonymous_iff_no_email CHECK (is_anonymous = (email IS NULL)),
    CONSTRAINT users_email_normalised CHECK (email IS NULL OR (email = lower(email) AND length(email) <= 254))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
-- The reaper (later) looks for old guests by last_seen_at.
CREATE INDEX users_guests_last_seen ON users (last_seen_at) WHERE is_anonymous;

-- Idempotency keys for guest creation: two tabs or a double click that send the
-- same browser key within minutes get the same guest. Only a SHA-256 is kept.
CREATE TABLE guest_mint_keys (
    key_hash    bytea PRIMARY KEY CHECK (length(key_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guest_mint_keys_user_id ON guest_mint_keys (user_id);

CREATE TABLE pets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    breed       text CHECK (breed IS NULL OR length(breed) BETWEEN 1 AND 60),
    size        text NOT NULL CHECK (size IN ('small', 'medium', 'large')),
    birthday    date,
    bio         text NOT NULL DEFAULT '' CHECK (length(bio) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pets_user_id ON pets (user_id);

-- Photos. Files live in the media store under storage_key; the row is written
-- only after the files are, and files are removed after the row is.
CREATE TABLE media (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pet_id       uuid REFERENCES pets (id) ON DELETE CASCADE,
    venue_id     uuid REFERENCES venues (id) ON DELETE CASCADE,
    storage_key  text NOT NULL UNIQUE CHECK (storage_key ~ '^[0-9a-f]{32}$'),
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    bytes        integer NOT NULL CHECK (bytes > 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_user_id ON media (user_id);
CREATE INDEX media_pet_id ON media (pet_id) WHERE pet_id IS NOT NULL;
CREATE INDEX media_venue_id ON media (venue_id, created_at DESC) WHERE venue_id IS NOT NULL;

CREATE TABLE venue_suggestions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    category      text NOT NULL
                  CHECK (category IN ('cafe', 'restaurant', 'bar', 'bakery', 'shop', 'hotel', 'other')),
    address       text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
    city          text NOT NULL CHECK (length(city) BETWEEN 1 AND 80),
    location      point CHECK (location IS NULL OR (location[0] BETWEEN -180 AND 180 AND location[1] BETWEEN -90 AND 90)),
    dogs_inside   text NOT NULL CHECK (dogs_inside IN ('yes', 'some_areas')),
    size_limit    text NOT NULL CHECK (size_limit IN ('any', 'up_to_medium', 'small_only')),
    water_bowl    boolean NOT NULL DEFAULT false,
    treats        boolean NOT NULL DEFAULT false,
    notes         text NOT NULL DEFAULT '' CHECK (length(notes) <= 1000),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX venue_suggestions_user_id ON venue_suggestions (user_id, created_at DESC);

-- Sessions (tower-sessions' Postgres store layout), in our own migrations so one
-- tool owns the schema. Guests survive restarts and deploys because of this table.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE tower_sessions.session (
    id           text PRIMARY KEY NOT NULL,
    data         bytea NOT NULL,
    expiry_date  timestamptz NOT NULL
);
CREATE INDEX session_expiry ON tower_sessions.session (expiry_date);
