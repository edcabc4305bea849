-- Venues: the public directory. Location is a Postgres `point` (x = longitude,
-- y = latitude) with a GiST index, so the map's box query is one index scan
-- instead of two range scans over separate lat/lng columns.
CREATE TABLE venues (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text NOT NULL UNIQUE
                  CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    category      text NOT NULL
                  CHECK (category IN ('cafe', 'restaurant', 'bar', 'bakery', 'shop', 'hotel', 'other')),
    address       text NOT NULL CHECK (length(address) <= 200),
    city          text NOT NULL CHECK (length(city) BETWEEN 1 AND 80),
    location      point NOT NULL
                  CHECK (location[0] BETWEEN -180 AND 180 AND location[1] BETWEEN -90 AND 90),
    dogs_inside   text NOT NULL CHECK (dogs_inside IN ('yes', 'some_areas')),
    size_limit    text NOT NULL CHECK (size_limit IN ('any', 'up_to_medium', 'small_only')),
    water_bowl    boolean NOT NULL DEFAULT false,
    treats        boolean NOT NULL DEFAULT false,
    policy_notes  text NOT NULL DEFAULT '' CHECK (length(policy_notes) <= 1000),
    website       text CHECK (website ~ '^https?://'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX venues_location_gist ON venues USING gist (location);
CREATE INDEX venues_city_name ON venues (city, name);
