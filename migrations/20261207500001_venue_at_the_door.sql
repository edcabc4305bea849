-- What a dog owner needs at the door: the phone number and OpenStreetMap's
-- `opening_hours` text, as OSM or an admin wrote it (the page parses it; a
-- value the parser refuses is shown as written). 255 characters is OSM's own
-- limit for a tag value. The website column exists already.
ALTER TABLE venues
    ADD COLUMN phone text CHECK (length(phone) BETWEEN 1 AND 40),
    ADD COLUMN opening_hours text CHECK (length(opening_hours) BETWEEN 1 AND 255);
