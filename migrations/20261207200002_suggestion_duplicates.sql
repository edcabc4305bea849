-- A suggestion for a place already listed is caught (issue #27): the same name
-- within about 100 m (the GiST box of venues_location_gist), or the same
-- address in the same city once both are normalised by `paws_address_key`:
-- case and accents folded, "straße"/"strasse"/"str." one word, and every
-- sign and space dropped ("Weserstr. 12" = "weserstraße 12").
CREATE FUNCTION paws_name_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(paws_fold(name), '[^[:alnum:]]+', '', 'g');

CREATE FUNCTION paws_address_key(address text, city text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(
        regexp_replace(paws_fold(address), 'stra(ß|ss)e\M|str\.', 'str', 'g'),
        '[^[:alnum:]]+', '', 'g')
        || '|' || regexp_replace(paws_fold(city), '[^[:alnum:]]+', '', 'g');

CREATE INDEX venues_address_key ON venues (paws_address_key(address, city));
