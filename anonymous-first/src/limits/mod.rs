//! Rate limits in Postgres: fixed windows that hold across every instance,
//! with hashed subjects so the table holds no address in clear.
//!
//! The app keeps its catalogue of limited actions (an enum implementing
//! [`Limited`]: a name, a window, the words a person reads when over) and
//! decides each action's maximum; this module counts.
//!
//! The table it writes (the crate's migrations create it):
//! `rate_limits (bucket text, window_start timestamptz, hits int,
//! PRIMARY KEY (bucket, window_start))`.

mod defaults;

pub use defaults::{AddressAction, AddressLimits, GuestAction, OidcAction, PasskeyAction};

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::IpAddr;

/// An action that is rate-limited.
pub trait Limited: Copy {
    /// Its stable name: part of the counter's key, and a metric label.
    fn name(self) -> &'static str;
    /// Window length in seconds.
    fn window_secs(self) -> i64;
    /// What the person reads when over (before how long to wait).
    fn message(self) -> &'static str;
}

/// One of the app's limited actions with its maximum per window, as the
/// crate's flows are given it (the catalogue stays the app's).
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub(crate) name: &'static str,
    pub(crate) message: &'static str,
    pub(crate) window_secs: i64,
    pub(crate) max: i32,
}

impl Limit {
    /// At most `max` (at least 1) of `action` per its window.
    pub fn new(action: impl Limited, max: i32) -> Self {
        Self {
            name: action.name(),
            message: action.message(),
            window_secs: action.window_secs(),
            max: max.max(1),
        }
    }

    /// Counts one hit for `subject` (an empty subject, a client without an
    /// address, is not counted); over the maximum, how long to wait.
    pub async fn hit(self, pool: &PgPool, subject: &str) -> anyhow::Result<Result<(), TooMany>> {
        if subject.is_empty() {
            return Ok(Ok(()));
        }
        hit(pool, self, self.max, subject).await
    }

    /// Refused with `retry` seconds left (not counted: the caller counts).
    pub(crate) fn over(&self, retry: f64) -> TooMany {
        TooMany::new(*self, retry)
    }
}

impl Limited for Limit {
    fn name(self) -> &'static str {
        self.name
    }
    fn window_secs(self) -> i64 {
        self.window_secs
    }
    fn message(self) -> &'static str {
        self.message
    }
}

/// Counts one hit of each `(limit, subject)` in order; the first one over
/// answers with how long to wait. Each hit commits on its own: a refused
/// attempt counts even though the flow then stops.
pub async fn hit_all(pool: &PgPool, checks: &[(Limit, &str)]) -> anyhow::Result<Result<(), TooMany>> {
    for (limit, subject) in checks {
        if let Err(over) = limit.hit(pool, subject).await? {
            return Ok(Err(over));
        }
    }
    Ok(Ok(()))
}

/// Over a limit: which action, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} Please try again in {} minute{}.", minutes(.retry_after), plural(.retry_after))]
pub struct TooMany {
    /// The action's name.
    pub action: &'static str,
    /// What the person reads.
    pub message: &'static str,
    /// Seconds until the window ends.
    pub retry_after: i64,
}

impl TooMany {
    /// Over `action`'s limit with `retry` seconds left in the window (at least one).
    pub fn new(action: impl Limited, retry: f64) -> Self {
        Self {
            action: action.name(),
            message: action.message(),
            retry_after: retry.ceil().max(1.0) as i64,
        }
    }
}

fn minutes(secs: &i64) -> i64 {
    (secs + 59) / 60
}

fn plural(secs: &i64) -> &'static str {
    if minutes(secs) == 1 { "" } else { "s" }
}

/// The counter row of `action` for `subject`.
pub fn bucket(action: impl Limited, subject: &str) -> String {
    bucket_named(action.name(), subject)
}

/// [`bucket`] by the action's name.
pub fn bucket_named(action: &str, subject: &str) -> String {
    let digest = Sha256::digest(format!("{action}\0{subject}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts one hit of `action` for `subject`; over `max`, how long to wait.
/// One upsert, committed on its own: a refused attempt counts too.
pub async fn hit(
    pool: &PgPool,
    action: impl Limited,
    max: i32,
    subject: &str,
) -> anyhow::Result<Result<(), TooMany>> {
    let window = action.window_secs() as f64;
    let (hits, retry): (i32, f64) = sqlx::query_as(
        "WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start)
         INSERT INTO rate_limits (bucket, window_start, hits)
         SELECT $1, w.start, 1 FROM w
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
         RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $2) - now())::float8",
    )
    .bind(bucket(action, subject))
    .bind(window)
    .fetch_one(pool)
    .await
    .context("failed to count rate limit hit")?;
    Ok(if hits > max {
        Err(refused(TooMany::new(action, retry)))
    } else {
        Ok(())
    })
}

/// `over`, counted in [`crate::counters::RATE_LIMITED`].
fn refused(over: TooMany) -> TooMany {
    crate::counters::refused(over.action);
    over
}

/// Whether `subject` is already at `max` for `action`, without counting: for
/// turning a request away before reading its body (the hit that counts comes
/// later).
pub async fn peek(
    pool: &PgPool,
    action: impl Limited,
    max: i32,
    subject: &str,
) -> anyhow::Result<Result<(), TooMany>> {
    let window = action.window_secs() as f64;
    let row: Option<(i32, f64)> = sqlx::query_as(
        "SELECT hits, extract(epoch FROM window_start + make_interval(secs => $2) - now())::float8
         FROM rate_limits
         WHERE bucket = $1 AND window_start = to_timestamp(floor(extract(epoch FROM now()) / $2) * $2)",
    )
    .bind(bucket(action, subject))
    .bind(window)
    .fetch_optional(pool)
    .await
    .context("failed to read rate limit")?;
    Ok(match row {
        Some((hits, retry)) if hits >= max => Err(refused(TooMany::new(action, retry))),
        _ => Ok(()),
    })
}

/// The subject for per-network limits: the IPv6 /48 (what one site or
/// customer is usually given), or `None` for IPv4, where the address is scarce
/// enough to be its own network.
pub fn network_subject(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
        }
        _ => None,
    }
}

/// The subject for per-client limits: the IPv4 address, or the IPv6 /64 (one
/// household or host usually owns a whole /64).
pub fn client_subject(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Deletes windows that ended more than a day ago.
pub async fn prune(pool: &PgPool) -> anyhow::Result<u64> {
    let done = sqlx::query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
        .execute(pool)
        .await
        .context("failed to prune rate limits")?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::{Limited, TooMany, client_subject, network_subject};

    #[derive(Clone, Copy)]
    struct Tries;

    impl Limited for Tries {
        fn name(self) -> &'static str {
            "tries"
        }
        fn window_secs(self) -> i64 {
            900
        }
        fn message(self) -> &'static str {
            "Too many attempts in a short time."
        }
    }

    #[test]
    fn ipv6_by_slash_64_and_networks_by_slash_48() {
        let a = client_subject("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = client_subject("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = client_subject("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(client_subject("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(client_subject("10.0.0.1".parse().unwrap()), "10.0.0.1");
        let wide = |ip: &str| network_subject(ip.parse().unwrap());
        assert_eq!(wide("2001:db8:1:2::1"), wide("2001:db8:1:ffff::9"));
        assert_ne!(wide("2001:db8:1:2::1"), wide("2001:db8:2:2::1"));
        assert_eq!(wide("10.0.0.1"), None);
        assert_eq!(wide("::ffff:10.0.0.1"), None);
    }

    #[test]
    fn the_answer_says_how_long() {
        let over = TooMany::new(Tries, 60.2);
        assert_eq!(over.retry_after, 61);
        assert_eq!(
            over.to_string(),
            "Too many attempts in a short time. Please try again in 2 minutes."
        );
        assert_eq!(TooMany::new(Tries, 0.0).retry_after, 1, "never zero");
        assert_eq!(super::bucket(Tries, "10.0.0.1").len(), 32);
    }
}
