-- "My dogs" comes a page at a time, by (created_at, id) within an owner: one
-- index range per page instead of sorting every dog of the owner. The old
-- index on user_id alone is this one's prefix.
CREATE INDEX dogs_user_created ON dogs (user_id, created_at, id);
DROP INDEX dogs_user_id;

-- Each listed dog shows its newest photo: one index probe, however many
-- photos the dog has. Replaces the index on dog_id alone (its prefix).
CREATE INDEX photos_dog_newest ON photos (dog_id, created_at DESC, id) WHERE dog_id IS NOT NULL;
DROP INDEX photos_dog_id;

-- How many dogs `owner` has, up to `upto`, for the per-account limit.
-- VOLATILE on purpose: a volatile function takes a fresh snapshot for its
-- query, so called after the adding statement has locked the owner's row it
-- counts a dog another add committed while this one waited for the lock (a
-- subquery in the statement would read the statement's older snapshot and let
-- both through). PL/pgSQL, not SQL: a SQL function that cannot be inlined is
-- planned again on every call, which cost more than the insert itself; this
-- one keeps its plan. `upto` bounds the work whatever a row count grows to.
CREATE FUNCTION paws_dogs_of(owner uuid, upto bigint) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
      RETURN (SELECT count(*) FROM (SELECT 1 FROM dogs WHERE user_id = owner LIMIT upto) d);
    END $$;
