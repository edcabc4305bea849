-- The identity crate's address-change letters: the link to the new address
-- and the old address's undo link.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('magic_link', 'sign_up_attempt', 'verify_email', 'password_reset', 'add_email', 'saved_digest',
                    'change_email', 'email_changed'));
