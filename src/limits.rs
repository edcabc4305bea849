//! The one catalogue of rate-limited actions (like crates.io's
//! `LimitedAction`): each says how many per window, whose counter (a client
//! address, an email address or a user) and what the person reads when over.
//! Counters are fixed windows in Postgres, so they hold across every server
//! instance; subjects are hashed, so the table holds no address in clear.

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::IpAddr;

/// Whose counter an action uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// The client address (IPv6 by /64, see [`client_subject`]).
    Client,
    /// The email address a request is about: bounds what reaches one inbox,
    /// never what its owner can do to sign in.
    Email,
    /// The email address and the client together: one client's tries at an
    /// address, which nobody else can use up.
    EmailAndClient,
    /// The client's wider network (an IPv6 /48): what one holder of many /64s
    /// can do in all.
    Network,
    /// The signed-in user (guest or member).
    User,
}

/// Everything that is rate-limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitedAction {
    /// New guests per client per hour (a household or an office).
    NewGuest,
    /// New guests per IPv6 /48 per hour (one site's many /64s).
    NewGuestPerNetwork,
    /// Emails of any kind to one address per hour (its inbox, not its owner).
    MailPerAddress,
    /// Sign-in links per address and client.
    LinkPerEmail,
    /// Sign-in links per client.
    LinkPerClient,
    /// Password attempts per account and client (sign-in, confirming a
    /// sign-up's password, changing it).
    PasswordPerAccount,
    /// Password sign-in attempts per client.
    PasswordPerClient,
    /// Sign-in code attempts per client.
    CodePerClient,
    /// Sign-in code attempts per address and client (each code also dies after five).
    CodePerEmail,
    /// Sign-in code attempts per address and client per day (bounds slow guessing).
    CodePerEmailDaily,
    /// Sign-ins started with an OpenID Connect provider per client.
    OpenIdPerClient,
    /// Passkey prompts started per client (sign-in, adding one).
    PasskeyPerClient,
    /// Sign-ups and reset requests per client.
    AccountMailPerClient,
    /// Sign-ups and reset requests per address and client.
    AccountMailPerEmail,
    /// Photo uploads per user.
    Upload,
    /// Venue suggestions per user.
    Suggestion,
    /// Photo reports per user.
    Report,
    /// "Dogs still welcome inside?" answers per user per day.
    DogCheck,
    /// Places saved per user per hour.
    SavePlace,
    /// Proposed dog policies per user per day.
    PolicyProposal,
}

impl LimitedAction {
    /// Its name in the counter table and the `paws_rate_limited_total` metric.
    pub fn name(self) -> &'static str {
        match self {
            Self::NewGuest => "guest_client",
            Self::NewGuestPerNetwork => "guest_network",
            Self::MailPerAddress => "mail_address",
            Self::LinkPerEmail => "magic_link_email",
            Self::LinkPerClient => "magic_link_client",
            Self::PasswordPerAccount => "sign_in_account",
            Self::PasswordPerClient => "sign_in_client",
            Self::CodePerClient => "sign_in_code_client",
            Self::CodePerEmail => "sign_in_code_email",
            Self::CodePerEmailDaily => "sign_in_code_email_day",
            Self::OpenIdPerClient => "openid_client",
            Self::PasskeyPerClient => "passkey_client",
            Self::AccountMailPerClient => "account_mail_client",
            Self::AccountMailPerEmail => "account_mail_email",
            Self::Upload => "upload_user",
            Self::Suggestion => "suggestion_user",
            Self::Report => "report_user",
            Self::DogCheck => "dog_check_user",
            Self::SavePlace => "save_place_user",
            Self::PolicyProposal => "policy_proposal_user",
        }
    }

    /// Hits allowed per window unless the settings say otherwise.
    pub fn default_max(self) -> i32 {
        match self {
            Self::NewGuest => 30,
            // Four busy households' worth: a site with many /64s, not a scraper's.
            Self::NewGuestPerNetwork => 120,
            // Enough for every kind of mail a person asks for in an hour.
            Self::MailPerAddress => 20,
            // The sign-in page starts one for autofill on every visit.
            Self::PasskeyPerClient => 60,
            Self::LinkPerEmail | Self::AccountMailPerEmail => 3,
            Self::LinkPerClient | Self::AccountMailPerClient | Self::PasswordPerAccount => 10,
            Self::CodePerEmail => 10,
            Self::PasswordPerClient
            | Self::CodePerClient
            | Self::CodePerEmailDaily
            | Self::OpenIdPerClient => 30,
            Self::Upload => 60,
            Self::Suggestion => 20,
            Self::Report => 30,
            // A day out with a dog is a handful of places, not a hundred.
            Self::DogCheck => 40,
            // Saving a city's worth in one evening, not a crawl.
            Self::SavePlace => 100,
            Self::PolicyProposal => 20,
        }
    }

    /// Window length in seconds.
    pub fn window_secs(self) -> i64 {
        match self {
            Self::NewGuest
            | Self::NewGuestPerNetwork
            | Self::MailPerAddress
            | Self::Upload
            | Self::Report
            | Self::SavePlace => 3600,
            Self::Suggestion | Self::CodePerEmailDaily | Self::DogCheck | Self::PolicyProposal => 86_400,
            _ => 900,
        }
    }

    /// Whose counter it is.
    pub fn key(self) -> Key {
        match self {
            Self::NewGuest
            | Self::LinkPerClient
            | Self::PasswordPerClient
            | Self::CodePerClient
            | Self::OpenIdPerClient
            | Self::PasskeyPerClient
            | Self::AccountMailPerClient => Key::Client,
            Self::NewGuestPerNetwork => Key::Network,
            Self::MailPerAddress => Key::Email,
            Self::LinkPerEmail
            | Self::AccountMailPerEmail
            | Self::PasswordPerAccount
            | Self::CodePerEmail
            | Self::CodePerEmailDaily => Key::EmailAndClient,
            Self::Upload
            | Self::Suggestion
            | Self::Report
            | Self::DogCheck
            | Self::SavePlace
            | Self::PolicyProposal => Key::User,
        }
    }

    /// What the person reads when over the limit (before how long to wait).
    pub fn message(self) -> &'static str {
        match self {
            Self::NewGuest | Self::NewGuestPerNetwork => {
                "Many guest accounts were started from your network lately."
            }
            Self::MailPerAddress
            | Self::LinkPerEmail
            | Self::LinkPerClient
            | Self::AccountMailPerClient
            | Self::AccountMailPerEmail => {
                "We have sent several emails already. Please check your inbox (and spam folder)."
            }
            Self::PasswordPerAccount
            | Self::PasswordPerClient
            | Self::CodePerClient
            | Self::CodePerEmail
            | Self::CodePerEmailDaily
            | Self::OpenIdPerClient
            | Self::PasskeyPerClient => "Too many attempts in a short time.",
            Self::Upload => "That is a lot of photos in a short time.",
            Self::Suggestion => "That is a lot of suggestions for one day, thank you!",
            Self::Report => "That is a lot of reports in a short time, thank you!",
            Self::DogCheck => "That is a lot of places for one day, thank you!",
            Self::SavePlace => "That is a lot of places saved in a short time.",
            Self::PolicyProposal => "That is a lot of changes for one day, thank you!",
        }
    }
}

/// The maxima in force: the catalogue's defaults with the settings' overrides.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `GUESTS_PER_CLIENT_PER_HOUR` (benchmarks raise it).
    pub guests_per_client_per_hour: i32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            guests_per_client_per_hour: LimitedAction::NewGuest.default_max(),
        }
    }
}

impl Limits {
    /// Hits allowed per window for `action`.
    pub fn max(&self, action: LimitedAction) -> i32 {
        match action {
            LimitedAction::NewGuest => self.guests_per_client_per_hour.max(1),
            // Scales with the per-client setting (benchmarks raise both).
            LimitedAction::NewGuestPerNetwork => self.guests_per_client_per_hour.max(1).saturating_mul(4),
            other => other.default_max(),
        }
    }
}

/// Over a limit: what and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} Please try again in {} minute{}.", .action.message(), minutes(.retry_after), plural(.retry_after))]
pub struct TooMany {
    /// The action.
    pub action: LimitedAction,
    /// Seconds until the window ends.
    pub retry_after: i64,
}

fn minutes(secs: &i64) -> i64 {
    (secs + 59) / 60
}

fn plural(secs: &i64) -> &'static str {
    if minutes(secs) == 1 { "" } else { "s" }
}

/// The counter row of `action` for `subject`.
pub fn bucket(action: LimitedAction, subject: &str) -> String {
    let digest = Sha256::digest(format!("{}\0{subject}", action.name()).as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts one hit of `action` for `subject`; over the limit, how long to wait.
/// One upsert, committed on its own: a refused attempt counts too.
pub async fn hit(
    pool: &PgPool,
    limits: &Limits,
    action: LimitedAction,
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
    if hits > limits.max(action) {
        Ok(Err(over(action, retry)))
    } else {
        Ok(Ok(()))
    }
}

/// Whether `subject` is already at the limit for `action`, without counting:
/// for turning a request away before reading its body (the hit that counts
/// comes later, in the flow).
pub async fn peek(
    pool: &PgPool,
    limits: &Limits,
    action: LimitedAction,
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
    match row {
        Some((hits, retry)) if hits >= limits.max(action) => Ok(Err(over(action, retry))),
        _ => Ok(Ok(())),
    }
}

/// The answer for a refused hit (`retry`: seconds left in the window), counted
/// in the metrics.
pub fn over(action: LimitedAction, retry: f64) -> TooMany {
    crate::metrics::global().rate_limited.inc(action.name());
    TooMany {
        action,
        retry_after: retry.ceil().max(1.0) as i64,
    }
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
    use super::{LimitedAction, Limits, TooMany, client_subject};

    #[test]
    fn ipv6_by_slash_64() {
        let a = client_subject("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = client_subject("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = client_subject("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(client_subject("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(client_subject("10.0.0.1".parse().unwrap()), "10.0.0.1");
        let wide = |ip: &str| super::network_subject(ip.parse().unwrap());
        assert_eq!(wide("2001:db8:1:2::1"), wide("2001:db8:1:ffff::9"));
        assert_ne!(wide("2001:db8:1:2::1"), wide("2001:db8:2:2::1"));
        assert_eq!(wide("10.0.0.1"), None);
        assert_eq!(wide("::ffff:10.0.0.1"), None);
    }

    #[test]
    fn messages_say_how_long() {
        let over = TooMany {
            action: LimitedAction::Upload,
            retry_after: 61,
        };
        assert_eq!(
            over.to_string(),
            "That is a lot of photos in a short time. Please try again in 2 minutes."
        );
        let limits = Limits {
            guests_per_client_per_hour: 5,
        };
        assert_eq!(limits.max(LimitedAction::NewGuest), 5);
        assert_eq!(limits.max(LimitedAction::NewGuestPerNetwork), 20);
        assert_eq!(limits.max(LimitedAction::Report), 30);
    }
}
