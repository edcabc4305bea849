-- The identity core: who a session is lives in the session row itself.
--
-- A session row is only ever inserted by an identity flow (paws_inside::auth),
-- in the same transaction as the change of who the session is, so "rotate the
-- id" and "record whose session it is" cannot come apart. Saving a session at
-- the end of a request only updates a row that still exists: a session revoked
-- while a request was in flight is never written back. Deleting a user deletes
-- its sessions, so no cookie can point at a user who is gone.
ALTER TABLE tower_sessions.session SET SCHEMA public;
ALTER TABLE public.session RENAME TO sessions;
ALTER INDEX session_pkey RENAME TO sessions_pkey;
ALTER INDEX session_expiry RENAME TO sessions_expiry;
DROP SCHEMA tower_sessions;

ALTER TABLE sessions
    ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300),
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now(),
    -- When this session's user last proved who they are here (sign-in, or the
    -- guest's creation): account deletion asks for a recent one.
    ADD COLUMN authenticated_at timestamptz NOT NULL DEFAULT now(),
    -- A one-time message for the next page ("Your 2 dogs came with you").
    ADD COLUMN notice text CHECK (notice IS NULL OR length(notice) <= 300);

-- Sessions keep working across this deploy: their owner comes from the record
-- the old code kept next to them (its sign-in time stands for the last proof).
UPDATE sessions s
   SET user_id = us.user_id, user_agent = us.user_agent, created_at = us.created_at,
       last_seen_at = us.last_seen_at, authenticated_at = us.created_at
  FROM user_sessions us
 WHERE us.session_id = s.id;
-- A session without that record was out of reach of every revocation (a
-- sign-up with a taken address rotated the id without recording it): it ends.
DELETE FROM sessions WHERE user_id IS NULL;
ALTER TABLE sessions ALTER COLUMN user_id SET NOT NULL;
-- Everything a session holds is a column now; the serialised map is not read.
ALTER TABLE sessions DROP COLUMN data;
DROP TABLE user_sessions;
CREATE INDEX sessions_user_id ON sessions (user_id);

-- A sign-up is pending until its address is proven: the password chosen on
-- the form waits in the verification token, and no account exists before.
ALTER TABLE auth_tokens
    ADD COLUMN password_hash text
        CHECK (password_hash IS NULL OR (purpose = 'email_verify' AND password_hash LIKE '$argon2id$%'));
