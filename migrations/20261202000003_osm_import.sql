-- Venues imported from OpenStreetMap keep their element's identity, so a
-- re-import updates them in place (`ON CONFLICT (osm_type, osm_id)`), and the
-- `dog=*` value they came with: OSM's `dog=yes` says dogs are allowed, not
-- that they may come inside, so the page says "not yet confirmed" for them.
-- `admin_edited_at` marks a venue an admin changed: an import never overwrites it.
ALTER TABLE venues
    ADD COLUMN osm_type text CHECK (osm_type IN ('node', 'way')),
    ADD COLUMN osm_id bigint CHECK (osm_id > 0),
    -- 'no'/'outside': OSM withdrew it, but people added photos or answers to it.
    ADD COLUMN osm_dog text CHECK (osm_dog IN ('yes', 'leashed', 'unleashed', 'designated', 'no', 'outside')),
    ADD COLUMN admin_edited_at timestamptz,
    ADD CONSTRAINT venues_osm_whole CHECK ((osm_type IS NULL) = (osm_id IS NULL)),
    -- NULLs are distinct: venues from suggestions and the demo never conflict.
    ADD CONSTRAINT venues_osm_once UNIQUE (osm_type, osm_id);
