-- How sure we are that dogs are still welcome inside: each venue's verdict,
-- computed from the "dogs still welcome?" answers of the last 12 months by
-- `venues::verdict` (the rule, in one place) and stored here, so the map's
-- boxes, the cards and the directory filter read one column instead of
-- weighing answers per row. It is recomputed in the transaction that changes
-- an answer, on an admin's review, after a claim, and daily (answers age).

-- The answering network (the IPv4 address, or the IPv6 /64, as the rate
-- limits name it) as a digest with the venue (`venues::checks::network_key`:
-- equal for one network at one venue, the address not kept): one network
-- counts once per venue and UTC day. NULL for answers given before it was
-- kept (and for a deleted account's), and each of those counts on its own.
ALTER TABLE venue_checks ADD COLUMN network text
    CHECK (network IS NULL OR length(network) <= 64);

ALTER TABLE venues
    ADD COLUMN verdict text NOT NULL DEFAULT 'unconfirmed'
        CHECK (verdict IN ('confirmed', 'disputed', 'not_welcome', 'unconfirmed')),
    -- The weight behind the verdict (its side's, or both sides' when disputed).
    ADD COLUMN verdict_weight real NOT NULL DEFAULT 0,
    -- Answers counted in the last 12 months, and the latest day of each.
    ADD COLUMN verdict_yes integer NOT NULL DEFAULT 0,
    ADD COLUMN verdict_no integer NOT NULL DEFAULT 0,
    ADD COLUMN verdict_last_yes date,
    ADD COLUMN verdict_last_no date;

-- The recomputation reads a venue's answers of the year, newest first.
CREATE INDEX venue_checks_recent ON venue_checks (venue_id, checked_on DESC);
-- The daily pass finds venues whose verdict rests on answers.
CREATE INDEX venues_with_verdict ON venues (id) WHERE verdict <> 'unconfirmed';
