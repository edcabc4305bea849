-- The operator's funnel (paws_inside::funnel reads it; paws_inside::auth::funnel
-- writes it at the moments things happen, as nothing else keeps them: a merged
-- or reaped guest's row is deleted, and sign_ins is pruned after 13 weeks).

-- One row per guest from its making until the reaper prunes it at 13 weeks
-- (the funnel shows 12). Keyed by the guest's id without a foreign key: a merge
-- or a reap deletes the user, not what the funnel learnt about it.
CREATE TABLE guest_funnel (
    guest_id  uuid PRIMARY KEY,
    made_at   timestamptz NOT NULL DEFAULT now(),
    -- The longest wait after its making that it contributed again after, in
    -- days: 0 (not yet), 1, 7 or 30.
    back      smallint NOT NULL DEFAULT 0 CHECK (back IN (0, 1, 7, 30)),
    -- `back` before its last change: the statement that changes it counts
    -- each threshold it crossed, once (no RETURNING OLD before PostgreSQL 18).
    was       smallint NOT NULL DEFAULT 0 CHECK (was IN (0, 1, 7, 30)),
    -- When a contribution next changes `back`; NULL once it is 30. A
    -- contribution before then finds no row to change and writes nothing.
    next_due  timestamptz DEFAULT now() + interval '1 day'
);

-- The reaper's pruning by age: rows arrive in made_at order, so a BRIN index
-- finds the old ones for next to nothing at insert time.
CREATE INDEX guest_funnel_made_at ON guest_funnel USING brin (made_at);

-- The weekly rollup the funnel page reads (a few hundred rows for 12 weeks,
-- whatever the number of users). `what`: made, back_1, back_7, back_30
-- (by the week the guest was made), claim_<way>, promoted, merged,
-- merge_failed, reaped (by the week it happened). A counter is spread over
-- 16 shards, so guests minted at once do not queue on one row.
CREATE TABLE funnel_weeks (
    week   date NOT NULL CHECK (extract(isodow FROM week) = 1),
    what   text NOT NULL CHECK (what ~ '^[a-z_0-9]{1,32}$'),
    shard  smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
    n      bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (week, what, shard)
);
