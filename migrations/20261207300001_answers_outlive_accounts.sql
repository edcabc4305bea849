-- "Dogs still welcome?" answers outlive the person who gave them: deleting an
-- account (or discarding a guest's data) first sets its answers' owner to
-- NULL (`auth::account::erase`, in the deletion's transaction), so the
-- venue's history keeps its count ("3 confirmations" does not fall to 2
-- because someone left). The foreign key still cascades: a merged guest's
-- leftover twin answer (the account answered the same venue that day) goes
-- with the guest, as before. A person can remove an answer themselves on
-- "My contributions".
ALTER TABLE venue_checks ALTER COLUMN user_id DROP NOT NULL;
