-- A one-time code in the sign-in email, next to the link (issue #16): bound to
-- the same token (using either uses both), argon2id at rest (8 digits are few
-- enough that a plain hash would be brute-forced from a leaked row), made when
-- the mail is sent, like the link's secret. Five wrong tries use the token up.
-- The code works only in the browser that asked: it holds a random key in an
-- HttpOnly cookie, of which the token keeps the SHA-256 (so nobody can send
-- someone a code for an account of theirs and pull that person's dogs into it).
ALTER TABLE auth_tokens
    ADD COLUMN code_hash text CHECK (code_hash IS NULL OR code_hash LIKE '$argon2id$%'),
    ADD COLUMN code_attempts integer NOT NULL DEFAULT 0 CHECK (code_attempts BETWEEN 0 AND 5),
    ADD COLUMN browser_hash bytea CHECK (browser_hash IS NULL OR length(browser_hash) = 32);
