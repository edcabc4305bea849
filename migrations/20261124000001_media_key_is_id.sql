-- A photo's storage key is its id in 32 hex digits. The key used to be a second
-- random identifier with its own unique index, which every photo insert and every
-- claim that moves photos paid for (BENCHMARKS.md §4); the primary key already
-- guarantees what that index did.

-- Existing photos take their key as id; reports follow through the cascade.
ALTER TABLE photo_reports
    DROP CONSTRAINT photo_reports_media_id_fkey,
    ADD CONSTRAINT photo_reports_media_id_fkey
        FOREIGN KEY (media_id) REFERENCES media (id) ON DELETE CASCADE ON UPDATE CASCADE;
UPDATE media SET id = storage_key::uuid WHERE id <> storage_key::uuid;
ALTER TABLE photo_reports
    DROP CONSTRAINT photo_reports_media_id_fkey,
    ADD CONSTRAINT photo_reports_media_id_fkey
        FOREIGN KEY (media_id) REFERENCES media (id) ON DELETE CASCADE;

-- The key is derived, so it can never disagree with the id (and needs no index).
ALTER TABLE media DROP COLUMN storage_key;
ALTER TABLE media ADD COLUMN storage_key text NOT NULL
    GENERATED ALWAYS AS (replace(id::text, '-', '')) STORED;
ALTER TABLE media ALTER COLUMN id DROP DEFAULT;
