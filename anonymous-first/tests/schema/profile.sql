-- A profile of the tests' own on the crate's users table (nickname, role),
-- as an app adds its columns in a migration after the crate's.
ALTER TABLE users ADD COLUMN nickname text, ADD COLUMN role text NOT NULL DEFAULT 'reader';
