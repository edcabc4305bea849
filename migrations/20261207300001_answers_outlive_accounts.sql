-- "Dogs still welcome?" answers outlive the person who gave them: deleting an
-- account (or discarding or reaping a guest) leaves its answers in the venue's
-- history without a name, so "3 confirmations" does not fall to 2 because
-- someone left. Their photos, dogs and pending suggestions still go.
-- (A person can still remove an answer themselves, on "My contributions".)
ALTER TABLE venue_checks ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE venue_checks DROP CONSTRAINT venue_checks_user_id_fkey;
ALTER TABLE venue_checks ADD CONSTRAINT venue_checks_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;
