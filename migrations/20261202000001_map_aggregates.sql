-- The directory at scale: aggregates that a page or a map view reads instead of
-- scanning venues. Both are kept by one statement-level trigger in the writer's
-- transaction, so every instance sees them at its commit (no cache to refresh).
--
-- venue_cells: venues counted per Web Mercator grid cell, for levels 2..12 (a
-- level-g grid has 2^g × 2^g cells; the map at zoom z draws level z + 2, cells of
-- 64 px; closer in, the few venues of a view are grouped on the fly). The
-- extent (NULL while nothing was added) only grows: a deleted venue leaves its
-- cell's box as it was.
-- venue_cities: venues per city with their extent, for the city list and for
-- moving the map to a place someone types.

CREATE FUNCTION paws_cell_x(lng float8, g int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN least(greatest(floor((lng + 180) / 360 * (1 << g)), 0), (1 << g) - 1)::int;

-- Latitude is clamped to the Mercator limit (±85.0511°), as the map draws it.
CREATE FUNCTION paws_cell_y(lat float8, g int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN least(greatest(floor(
        (1 - ln(tan(radians(least(greatest(lat, -85.0511), 85.0511)))
               + 1 / cos(radians(least(greatest(lat, -85.0511), 85.0511)))) / pi()) / 2 * (1 << g)
    ), 0), (1 << g) - 1)::int;

CREATE TABLE venue_cells (
    g        smallint NOT NULL,
    cx       int NOT NULL,
    cy       int NOT NULL,
    n        int NOT NULL,
    sum_lng  float8 NOT NULL,
    sum_lat  float8 NOT NULL,
    min_lng  float8,
    min_lat  float8,
    max_lng  float8,
    max_lat  float8,
    PRIMARY KEY (g, cx, cy)
);
-- Emptied rows are found without a scan when a delete or move leaves one at zero.
CREATE INDEX venue_cells_empty ON venue_cells (g) WHERE n <= 0;

CREATE TABLE venue_cities (
    name     text PRIMARY KEY,
    n        int NOT NULL,
    min_lng  float8,
    min_lat  float8,
    max_lng  float8,
    max_lat  float8
);
CREATE INDEX venue_cities_empty ON venue_cities (name) WHERE n <= 0;
-- Case-insensitive lookups of a typed place name.
CREATE INDEX venue_cities_lower ON venue_cities (lower(name) text_pattern_ops);
-- The biggest places, offered as suggestions in the place field.
CREATE INDEX venue_cities_biggest ON venue_cities (n DESC, name);

-- `delta` is a query of (location, city, sign): +1 for a venue that arrived, -1
-- for one that left. Rows are aggregated and upserted in key order, so two
-- writers lock shared rows in the same order instead of deadlocking.
-- It returns the statements; the trigger's own function runs them, as only it sees
-- the transition tables.
CREATE FUNCTION venues_delta_sql(delta text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN ARRAY[format($q$
        INSERT INTO venue_cells AS c (g, cx, cy, n, sum_lng, sum_lat, min_lng, min_lat, max_lng, max_lat)
        SELECT g, paws_cell_x(d.location[0], g), paws_cell_y(d.location[1], g), sum(sign),
               sum(sign * d.location[0]), sum(sign * d.location[1]),
               min(d.location[0]) FILTER (WHERE sign > 0),
               min(d.location[1]) FILTER (WHERE sign > 0),
               max(d.location[0]) FILTER (WHERE sign > 0),
               max(d.location[1]) FILTER (WHERE sign > 0)
        FROM (%s) d CROSS JOIN generate_series(2, 12) g
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (g, cx, cy) DO UPDATE SET
            n = c.n + EXCLUDED.n,
            sum_lng = c.sum_lng + EXCLUDED.sum_lng,
            sum_lat = c.sum_lat + EXCLUDED.sum_lat,
            min_lng = least(c.min_lng, EXCLUDED.min_lng),
            min_lat = least(c.min_lat, EXCLUDED.min_lat),
            max_lng = greatest(c.max_lng, EXCLUDED.max_lng),
            max_lat = greatest(c.max_lat, EXCLUDED.max_lat)
    $q$, delta), format($q$
        INSERT INTO venue_cities AS c (name, n, min_lng, min_lat, max_lng, max_lat)
        SELECT d.city, sum(sign),
               min(d.location[0]) FILTER (WHERE sign > 0),
               min(d.location[1]) FILTER (WHERE sign > 0),
               max(d.location[0]) FILTER (WHERE sign > 0),
               max(d.location[1]) FILTER (WHERE sign > 0)
        FROM (%s) d GROUP BY 1 ORDER BY 1
        ON CONFLICT (name) DO UPDATE SET
            n = c.n + EXCLUDED.n,
            min_lng = least(c.min_lng, EXCLUDED.min_lng),
            min_lat = least(c.min_lat, EXCLUDED.min_lat),
            max_lng = greatest(c.max_lng, EXCLUDED.max_lng),
            max_lat = greatest(c.max_lat, EXCLUDED.max_lat)
    $q$, delta),
    'DELETE FROM venue_cells WHERE n <= 0',
    'DELETE FROM venue_cities WHERE n <= 0'];
END $$;

-- Transition tables are visible to EXECUTE inside the trigger's function.
CREATE FUNCTION venues_keep_aggregates() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    statement text;
    delta text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        delta := 'SELECT location, city, 1 AS sign FROM new_rows';
    ELSIF TG_OP = 'DELETE' THEN
        delta := 'SELECT location, city, -1 AS sign FROM old_rows';
    ELSE
        -- Only moved or renamed-city venues change an aggregate.
        delta := (
            'WITH moved AS (
                 SELECT o.location AS ol, o.city AS oc, n.location AS nl, n.city AS nc
                 FROM old_rows o JOIN new_rows n USING (id)
                 WHERE NOT (o.location ~= n.location) OR o.city <> n.city)
             SELECT ol AS location, oc AS city, -1 AS sign FROM moved
             UNION ALL SELECT nl, nc, 1 FROM moved');
    END IF;
    FOREACH statement IN ARRAY venues_delta_sql(delta) LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER venues_aggregates_insert AFTER INSERT ON venues
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION venues_keep_aggregates();
CREATE TRIGGER venues_aggregates_delete AFTER DELETE ON venues
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION venues_keep_aggregates();
CREATE TRIGGER venues_aggregates_update AFTER UPDATE ON venues
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION venues_keep_aggregates();
-- TRUNCATE has no transition table: it empties the aggregates with it.
CREATE FUNCTION venues_truncate_aggregates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE venue_cells, venue_cities;
    RETURN NULL;
END $$;
CREATE TRIGGER venues_aggregates_truncate AFTER TRUNCATE ON venues
    FOR EACH STATEMENT EXECUTE FUNCTION venues_truncate_aggregates();

DO $$
DECLARE statement text;
BEGIN
    FOREACH statement IN ARRAY venues_delta_sql('SELECT location, city, 1 AS sign FROM venues') LOOP
        EXECUTE statement;
    END LOOP;
END $$;

-- The list: nearest first inside the view, by the GiST index's distance order.
-- (venues_location_gist already serves `location <@ box ORDER BY location <-> point`.)
