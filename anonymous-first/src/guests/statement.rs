//! The mint's one statement. One round trip and one commit, so the client's
//! rate-limit row stays locked for no longer than the statement itself (every
//! guest of one client counts in that row).
//!
//! - `hit`, `net`: this attempt counts against the client's guests and its
//!   network's (a double submit counts twice: it is two attempts);
//! - `key`: the browser's key; a recent one names the guest to join, an old
//!   one (or one whose guest became a member) is taken over;
//! - `fresh`: a new guest when the key names none; then the app's step;
//! - `gone`, `opened`: this browser's new session row, replacing its old one.
//!
//! Binds: $1 key hash, $2 key window, $3 client bucket, $4 client window,
//! $5 client max, $6 new id, $7 replaced session, $8 new session, $9 user
//! agent, $10 expiry, $11 network bucket, $12 network max, $13 network window.

/// The statement, with the app's `step` CTE when it has one.
pub(super) fn mint(step: Option<&str>) -> String {
    let step = step.map(|s| format!("{s},\n")).unwrap_or_default();
    format!(
        "WITH hit AS (
           INSERT INTO rate_limits (bucket, window_start, hits)
           SELECT $3, to_timestamp(floor(extract(epoch FROM now()) / $4) * $4), 1 WHERE $3::text IS NOT NULL
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $4) - now())::float8 AS retry),
         net AS (
           INSERT INTO rate_limits (bucket, window_start, hits)
           SELECT $11, to_timestamp(floor(extract(epoch FROM now()) / $13) * $13), 1 WHERE $11::text IS NOT NULL
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $13) - now())::float8 AS retry),
         allowed AS (
           SELECT coalesce((SELECT hits FROM hit), 0) <= $5 AND coalesce((SELECT hits FROM net), 0) <= $12 AS ok),
         key AS (
           INSERT INTO guest_mint_keys AS k (key_hash, user_id)
           SELECT $1, $6 FROM allowed WHERE ok AND $1::bytea IS NOT NULL
           ON CONFLICT (key_hash) DO UPDATE SET
             user_id = CASE WHEN k.created_at < now() - make_interval(secs => $2)
                              OR EXISTS (SELECT 1 FROM users u WHERE u.id = k.user_id
                                         AND (NOT u.is_anonymous OR u.banned_at IS NOT NULL))
                            THEN EXCLUDED.user_id ELSE k.user_id END,
             created_at = CASE WHEN k.created_at < now() - make_interval(secs => $2) THEN now() ELSE k.created_at END
           RETURNING user_id),
         chosen AS (SELECT coalesce((SELECT user_id FROM key), $6) AS id FROM allowed WHERE ok),
         fresh AS (INSERT INTO users (id, is_anonymous) SELECT id, true FROM chosen WHERE id = $6 RETURNING id),
         {step}gone AS (DELETE FROM sessions WHERE id = $7 AND EXISTS (SELECT 1 FROM chosen)),
         opened AS (
           INSERT INTO sessions (id, user_id, user_agent, expiry_date, method)
           SELECT $8, id, $9, to_timestamp($10), 'guest' FROM chosen)
         SELECT (SELECT id FROM chosen), EXISTS (SELECT 1 FROM fresh), (SELECT retry FROM hit WHERE hits > $5),
                (SELECT retry FROM net WHERE hits > $12),
                set_config('synchronous_commit', 'off', true) IS NOT NULL"
    )
}

#[cfg(test)]
mod tests {
    use super::mint;

    #[test]
    fn the_apps_step_comes_after_the_new_guest() {
        let plain = mint(None);
        assert!(plain.contains("RETURNING id),\n         gone AS"));
        let with = mint(Some("made AS (INSERT INTO seen (id) SELECT id FROM fresh)"));
        let fresh = with.find("fresh AS").unwrap();
        let made = with.find("made AS").unwrap();
        assert!(fresh < made && made < with.find("gone AS").unwrap());
    }
}
