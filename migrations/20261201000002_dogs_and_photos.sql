-- Names that match the product: dogs and photos, not pets and media. Renames
-- only: every row, key and link stays as it is.
ALTER TABLE pets RENAME TO dogs;
ALTER TABLE dogs RENAME CONSTRAINT pets_pkey TO dogs_pkey;
ALTER TABLE dogs RENAME CONSTRAINT pets_user_id_fkey TO dogs_user_id_fkey;
ALTER TABLE dogs RENAME CONSTRAINT pets_name_check TO dogs_name_check;
ALTER TABLE dogs RENAME CONSTRAINT pets_breed_check TO dogs_breed_check;
ALTER TABLE dogs RENAME CONSTRAINT pets_size_check TO dogs_size_check;
ALTER TABLE dogs RENAME CONSTRAINT pets_bio_check TO dogs_bio_check;
ALTER INDEX pets_user_id RENAME TO dogs_user_id;

ALTER TABLE media RENAME TO photos;
ALTER TABLE photos RENAME COLUMN pet_id TO dog_id;
ALTER TABLE photos RENAME CONSTRAINT media_pkey TO photos_pkey;
ALTER TABLE photos RENAME CONSTRAINT media_user_id_fkey TO photos_user_id_fkey;
ALTER TABLE photos RENAME CONSTRAINT media_pet_id_fkey TO photos_dog_id_fkey;
ALTER TABLE photos RENAME CONSTRAINT media_venue_id_fkey TO photos_venue_id_fkey;
ALTER TABLE photos RENAME CONSTRAINT media_width_check TO photos_width_check;
ALTER TABLE photos RENAME CONSTRAINT media_height_check TO photos_height_check;
ALTER TABLE photos RENAME CONSTRAINT media_bytes_check TO photos_bytes_check;
ALTER INDEX media_user_id RENAME TO photos_user_id;
ALTER INDEX media_pet_id RENAME TO photos_dog_id;
ALTER INDEX media_venue_id RENAME TO photos_venue_id;

ALTER TABLE photo_reports RENAME COLUMN media_id TO photo_id;
ALTER TABLE photo_reports RENAME CONSTRAINT photo_reports_media_id_fkey TO photo_reports_photo_id_fkey;
ALTER TABLE photo_reports RENAME CONSTRAINT photo_reports_media_id_reporter_id_key TO photo_reports_photo_id_reporter_id_key;

-- The counts kept with every merge (and failed merge) name tables: the old
-- rows say so in the new names too.
UPDATE claim_audit
   SET counts = jsonb_strip_nulls((counts - 'pets' - 'media')
                || jsonb_build_object('dogs', counts -> 'pets', 'photos', counts -> 'media'))
 WHERE counts ?| array['pets', 'media'];
UPDATE claim_failures
   SET counts = jsonb_strip_nulls((counts - 'pets' - 'media')
                || jsonb_build_object('dogs', counts -> 'pets', 'photos', counts -> 'media'))
 WHERE counts ?| array['pets', 'media'];
