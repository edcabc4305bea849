-- An element's tags as the import read them (#28), kept as JSON text rather
-- than jsonb: they are only ever read back whole, by the osmChange export,
-- and an import writes them for every venue. Parsing each into jsonb cost
-- about 4 ms per 1 000 venues of an import's writing, which #28 must keep
-- within 10 % of what it was (BENCHMARKS.md §9); text is stored as sent.
ALTER TABLE venues ALTER COLUMN osm_tags TYPE text USING osm_tags::text;
