-- Search over a venue's name, street and city together (issue #27): Postgres
-- full-text search with the `simple` configuration (no stemming: names and
-- streets are not English prose), each word of the search box a prefix
-- (`berlin:*`). One GIN index over the three fields, so a name search counts
-- and lists its matches from the index instead of walking the map's view; the
-- box and list queries without a search do not use it (the heap is
-- unchanged: an expression index, not a stored column).
-- Accents are folded (Café = Cafe) by the same table as `search::fold`.
CREATE FUNCTION paws_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN translate(lower(t), 'áàâäãåéèêëíìîïóòôöõøúùûüýÿçñ', 'aaaaaaeeeeiiiioooooouuuuyycn');

CREATE FUNCTION paws_venue_words(name text, address text, city text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_tsvector('simple'::regconfig, paws_fold(name || ' ' || address || ' ' || city));

CREATE INDEX venues_search ON venues USING gin (paws_venue_words(name, address, city));

