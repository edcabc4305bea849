-- A member without an address (passkey or provider only) can add one: a link
-- to it, used in the browser signed in to the account it names.
ALTER TABLE auth_tokens DROP CONSTRAINT auth_tokens_purpose_check;
ALTER TABLE auth_tokens ADD CONSTRAINT auth_tokens_purpose_check
    CHECK (purpose IN ('magic_link', 'email_verify', 'password_reset', 'email_add'));
ALTER TABLE auth_tokens ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('magic_link', 'sign_up_attempt', 'verify_email', 'password_reset', 'add_email'));
