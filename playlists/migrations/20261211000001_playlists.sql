-- The app's one table. It points at the identity crate's users table, so it
-- is versioned after the crate's baseline (20261210000001).
CREATE TABLE playlists (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playlists_user_id ON playlists (user_id, id);
