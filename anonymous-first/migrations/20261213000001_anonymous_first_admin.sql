-- Suspending a user (`admin`): when, until when (NULL: until lifted), why
-- and by whom. A ban whose end has passed is no ban; the row keeps it for the
-- record until the next ban or unban. IF NOT EXISTS, as the baseline.
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS banned_at timestamptz,
    ADD COLUMN IF NOT EXISTS banned_until timestamptz,
    ADD COLUMN IF NOT EXISTS ban_reason text CHECK (ban_reason IS NULL OR length(ban_reason) <= 500),
    ADD COLUMN IF NOT EXISTS banned_by uuid REFERENCES users ON DELETE SET NULL;
CREATE INDEX IF NOT EXISTS users_banned ON users (banned_at) WHERE banned_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS users_banned_by ON users (banned_by) WHERE banned_by IS NOT NULL;

-- A browser whose session a ban ended is told so on its next request.
ALTER TABLE session_farewells ADD COLUMN IF NOT EXISTS banned boolean NOT NULL DEFAULT false;

-- What admins did to users, for other admins to read. Both ids are plain
-- values: the record outlives either account (its address is then gone).
CREATE TABLE IF NOT EXISTS user_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid NOT NULL,
    subject_id  uuid NOT NULL,
    action      text NOT NULL CHECK (action ~ '^[a-z_]{1,32}$'),
    reason      text CHECK (reason IS NULL OR length(reason) <= 500),
    until       timestamptz
);
CREATE INDEX IF NOT EXISTS user_audit_at ON user_audit (at);
CREATE INDEX IF NOT EXISTS user_audit_subject ON user_audit (subject_id, at);

-- An admin acting as a member (`admin::act_as`): the session names the admin,
-- ends at `acting_until` (an hour at most; the store reads it as gone after),
-- and keeps when the admin last proved who they are, which their own session
-- gets back when they stop.
ALTER TABLE sessions
    ADD COLUMN IF NOT EXISTS acting_admin uuid REFERENCES users ON DELETE CASCADE,
    ADD COLUMN IF NOT EXISTS acting_until timestamptz,
    ADD COLUMN IF NOT EXISTS admin_authenticated_at timestamptz;
CREATE INDEX IF NOT EXISTS sessions_acting_admin ON sessions (acting_admin) WHERE acting_admin IS NOT NULL;

-- Changing an address (`address::request_change`): a link to the new
-- address, and the old address's undo link (seven days).
ALTER TABLE auth_tokens DROP CONSTRAINT IF EXISTS auth_tokens_purpose_check;
ALTER TABLE auth_tokens ADD CONSTRAINT auth_tokens_purpose_check
    CHECK (purpose IN ('magic_link', 'email_verify', 'password_reset', 'email_add', 'email_change', 'email_undo'));
