//! Fixed-window rate limits kept in Postgres, so they hold across every server
//! instance. One upsert per check.

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::IpAddr;

/// A limit: at most `max` hits per `window_secs`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Name of what is limited, e.g. `magic_link_email`.
    pub name: &'static str,
    /// Hits allowed per window.
    pub max: i32,
    /// Window length in seconds.
    pub window_secs: i64,
}

/// Over the limit: try again after this many seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub i64);

/// The row that counts `limit` for `subject`. Subjects are hashed, so the
/// table never holds email addresses or IPs in clear.
pub fn bucket(limit: Limit, subject: &str) -> String {
    let digest = Sha256::digest(format!("{}\0{subject}", limit.name).as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts one hit against `limit` for `subject`.
pub async fn hit(pool: &PgPool, limit: Limit, subject: &str) -> anyhow::Result<Result<(), RetryAfter>> {
    let bucket = bucket(limit, subject);
    let (hits, retry): (i32, f64) = sqlx::query_as(
        "WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start)
         INSERT INTO rate_limits (bucket, window_start, hits)
         SELECT $1, w.start, 1 FROM w
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
         RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $2) - now())::float8",
    )
    .bind(&bucket)
    .bind(limit.window_secs as f64)
    .fetch_one(pool)
    .await
    .context("failed to count rate limit hit")?;
    if hits > limit.max {
        crate::metrics::global().inc("paws_rate_limited_total", &[("limit", limit.name)]);
        Ok(Err(RetryAfter(retry.ceil().max(1.0) as i64)))
    } else {
        Ok(Ok(()))
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
    use super::client_subject;

    #[test]
    fn ipv6_by_slash_64() {
        let a = client_subject("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = client_subject("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = client_subject("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(client_subject("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(client_subject("10.0.0.1".parse().unwrap()), "10.0.0.1");
    }
}

/// The limits of contributions, in one place.
pub mod limits {
    use super::Limit;

    /// New guests per client IP (IPv6 /64) per hour: a household or an office.
    /// `max` comes from `GUESTS_PER_CLIENT_PER_HOUR` (benchmarks raise it).
    pub fn guest_per_client(max: i32) -> Limit {
        Limit {
            name: "guest_client",
            max: max.max(1),
            window_secs: 3600,
        }
    }

    /// Photo uploads per user per hour.
    pub const UPLOAD_PER_USER: Limit = Limit {
        name: "upload_user",
        max: 60,
        window_secs: 3600,
    };
    /// Venue suggestions per user per day.
    pub const SUGGESTION_PER_USER: Limit = Limit {
        name: "suggestion_user",
        max: 20,
        window_secs: 86_400,
    };
    /// Sign-in links per address: a few per quarter hour is plenty for a person.
    pub const LINK_PER_EMAIL: Limit = Limit {
        name: "magic_link_email",
        max: 3,
        window_secs: 900,
    };
    /// Sign-in links per client (IPv6 by /64): a household, not a spray of addresses.
    pub const LINK_PER_CLIENT: Limit = Limit {
        name: "magic_link_client",
        max: 10,
        window_secs: 900,
    };
    /// Password sign-in attempts per account: a person mistyping, not a guessing machine.
    pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
        name: "sign_in_account",
        max: 10,
        window_secs: 900,
    };
    /// Password sign-in attempts per client.
    pub const SIGN_IN_PER_CLIENT: Limit = Limit {
        name: "sign_in_client",
        max: 30,
        window_secs: 900,
    };
    /// Sign-ups and reset requests per client.
    pub const ACCOUNT_MAIL_PER_CLIENT: Limit = Limit {
        name: "account_mail_client",
        max: 10,
        window_secs: 900,
    };
    /// Sign-ups and reset requests per address.
    pub const ACCOUNT_MAIL_PER_EMAIL: Limit = Limit {
        name: "account_mail_email",
        max: 3,
        window_secs: 900,
    };
}
