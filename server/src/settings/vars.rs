//! Every setting, declared once: its environment variable, its default and
//! what it does. The parser reads defaults from here and `--help` prints this
//! table, so the two cannot disagree.

use anyhow::Context;

/// A setting's default.
#[derive(Clone, Copy, Debug)]
pub enum Default {
    /// This value, parsed like a set one.
    Value(&'static str),
    /// Worked out at start-up as described (the code next to the read says how).
    Computed(&'static str),
    /// Off (or absent) unless set, as described.
    Unset(&'static str),
    /// Must be set.
    Required,
}

/// One environment variable.
#[derive(Clone, Copy, Debug)]
pub struct Var {
    /// Its name.
    pub name: &'static str,
    /// What happens without it.
    pub default: Default,
    /// What it does.
    pub help: &'static str,
}

/// How settings are looked up (the environment, or a test's map).
pub trait Lookup: Fn(&str) -> Option<String> {}
impl<F: Fn(&str) -> Option<String>> Lookup for F {}

impl Var {
    /// The set value, if any.
    pub fn get(&self, get: &impl Lookup) -> Option<String> {
        get(self.name)
    }

    /// The set value parsed, else the default value parsed.
    pub fn parse<T: std::str::FromStr>(&self, get: &impl Lookup) -> anyhow::Result<T>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        let raw = match (get(self.name), self.default) {
            (Some(raw), _) => raw,
            (None, Default::Value(value)) => value.to_owned(),
            (None, _) => anyhow::bail!("{} is not set", self.name),
        };
        raw.trim()
            .parse()
            .with_context(|| format!("{} has an invalid value: {raw:?}", self.name))
    }

    /// The set value parsed, or `default` (a computed default).
    pub fn parse_or<T: std::str::FromStr>(&self, get: &impl Lookup, default: T) -> anyhow::Result<T>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        match get(self.name) {
            Some(raw) => raw
                .trim()
                .parse()
                .with_context(|| format!("{} has an invalid value: {raw:?}", self.name)),
            None => Ok(default),
        }
    }

    /// The set value, else the default value (for text settings).
    pub fn text(&self, get: &impl Lookup) -> anyhow::Result<String> {
        self.parse(get)
    }

    /// How `--help` shows the default.
    pub fn default_text(&self) -> &'static str {
        match self.default {
            Default::Value(v) | Default::Computed(v) | Default::Unset(v) => v,
            Default::Required => "(required)",
        }
    }
}

macro_rules! vars {
    ($($id:ident = $name:literal, $default:expr, $help:literal;)*) => {
        $(#[doc = $help] pub const $id: Var = Var { name: $name, default: $default, help: $help };)*
        /// Every setting, in `--help` order.
        pub const ALL: &[Var] = &[$($id),*];
    };
}

use self::Default::{Computed, Required, Unset, Value};

vars! {
    // database
    DATABASE_URL = "DATABASE_URL", Required, "Postgres URL, e.g. postgres://paws@127.0.0.1:54329/paws_dev";
    DATABASE_MAX_CONNECTIONS = "DATABASE_MAX_CONNECTIONS", Computed("2 × CPU cores + 2 (4–20)"), "connection pool size";
    RUN_MIGRATIONS = "RUN_MIGRATIONS", Value("true"), "apply migrations/ at startup";
    SEED_DEMO = "SEED_DEMO", Value("false"), "seed the demo venues when the venue table is empty";
    // http
    PAWS_BIND = "PAWS_BIND", Computed("$LEPTOS_SITE_ADDR or 127.0.0.1:3000"), "listen address (port 0 = any free port)";
    PUBLIC_URL = "PUBLIC_URL", Computed("http://<bind>"), "public base URL; https:// enables Secure cookies and HSTS";
    PAGE_CACHE_SECONDS = "PAGE_CACHE_SECONDS", Value("2"), "reuse the home and venue pages rendered for visitors without a session this long (0 = off)";
    SHUTDOWN_GRACE_SECONDS = "SHUTDOWN_GRACE_SECONDS", Value("0"), "after SIGTERM, serve this long with /readyz at 503 before draining (behind a load balancer: its check interval × 2)";
    CLIENT_IP_HEADER = "CLIENT_IP_HEADER", Unset("(unset: socket peer)"), "header a trusted proxy names the client in, e.g. x-forwarded-for";
    TRUSTED_PROXIES = "TRUSTED_PROXIES", Unset("(none)"), "comma-separated IPs/CIDRs whose CLIENT_IP_HEADER is believed";
    METRICS_BIND = "METRICS_BIND", Unset("(off)"), "address for Prometheus /metrics, e.g. 127.0.0.1:9100 (keep it private)";
    LOG_FORMAT = "LOG_FORMAT", Value("text"), "text or json (one JSON object per line)";
    TILE_URL = "TILE_URL", Value("https://tile.openstreetmap.org/{z}/{x}/{y}.png"), "map tile URL template";
    TILE_ATTRIBUTION = "TILE_ATTRIBUTION", Value("&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors"), "map attribution HTML";
    LEPTOS_SITE_ROOT = "LEPTOS_SITE_ROOT", Value("target/site"), "folder with the built assets (set by cargo-leptos)";
    LEPTOS_HASH_FILES = "LEPTOS_HASH_FILES", Computed("auto: true when hash.txt is beside the binary"), "assets carry content hashes (auto, true or false)";
    // mail
    PAWS_ENV = "PAWS_ENV", Value("development"), "production refuses to start without SMTP (no silent outbox)";
    SMTP_HOST = "SMTP_HOST", Unset("(unset: outbox)"), "SMTP server; unset in development writes mail to $DATA_DIR/outbox";
    SMTP_PORT = "SMTP_PORT", Computed("587 (465 for tls, 25 for none)"), "SMTP port";
    SMTP_TLS = "SMTP_TLS", Value("starttls"), "starttls, tls or none";
    SMTP_USERNAME = "SMTP_USERNAME", Unset("(none)"), "SMTP login";
    SMTP_PASSWORD = "SMTP_PASSWORD", Unset("(none)"), "SMTP password";
    MAIL_RETRY_SECONDS = "MAIL_RETRY_SECONDS", Value("5"), "wait after a failed send, doubled each time up to 5 minutes; a mail is dropped when its link expires";
    MAIL_FROM = "MAIL_FROM", Computed("Paws Inside <no-reply@localhost> (required in production)"), "sender address";
    // media
    DATA_DIR = "DATA_DIR", Value(".data"), "folder for server data (local photos go to media/ inside it)";
    PHOTO_STORE = "PHOTO_STORE", Value("local"), "local ($DATA_DIR/media) or s3 (an S3-compatible bucket, for several instances)";
    S3_BUCKET = "S3_BUCKET", Unset("(required for s3)"), "bucket for photos; it must exist";
    S3_ENDPOINT = "S3_ENDPOINT", Unset("(AWS)"), "URL of an S3-compatible server, e.g. http://127.0.0.1:9000";
    S3_REGION = "S3_REGION", Value("us-east-1"), "signing region";
    S3_ACCESS_KEY_ID = "S3_ACCESS_KEY_ID", Unset("(the AWS environment: AWS_*, web identity, instance role)"), "access key (with S3_SECRET_ACCESS_KEY)";
    S3_SECRET_ACCESS_KEY = "S3_SECRET_ACCESS_KEY", Unset("(the AWS environment)"), "secret key";
    S3_PATH_STYLE = "S3_PATH_STYLE", Value("true"), "address objects as endpoint/bucket/key (false: bucket.endpoint/key)";
    S3_PREFIX = "S3_PREFIX", Unset("(the bucket's root)"), "folder inside the bucket for the photos";
    PHOTO_MAX_MB = "PHOTO_MAX_MB", Value("15"), "largest accepted photo upload, in MB";
    PHOTO_MAX_MEGAPIXELS = "PHOTO_MAX_MEGAPIXELS", Value("40"), "most pixels accepted in a photo, in megapixels";
    UPLOAD_BODY_SECONDS = "UPLOAD_BODY_SECONDS", Value("60"), "seconds a photo upload's body has to arrive once let in (else 408, its place freed; 60 s carries 15 MB at 2 Mbit/s, a weak phone uplink; at most 120)";
    // sessions and sign-in
    SESSION_DAYS = "SESSION_DAYS", Value("30"), "sessions expire after this many days without activity";
    MAGIC_LINK_MINUTES = "MAGIC_LINK_MINUTES", Value("10"), "how long a sign-in link works";
    OIDC_PROVIDERS = "OIDC_PROVIDERS", Unset("(none: no \"Sign in with …\" buttons)"), "comma-separated OpenID Connect provider names, e.g. google,corp; each is configured by the OIDC_<ID>_* variables (<ID> = the name in capitals, - as _)";
    OIDC_ISSUER = "OIDC_<ID>_ISSUER", Unset("(required per provider)"), "issuer URL, e.g. https://accounts.google.com (discovery is below it); register <PUBLIC_URL>/auth/oidc/<name>/callback as the redirect URI";
    OIDC_CLIENT_ID = "OIDC_<ID>_CLIENT_ID", Unset("(required per provider)"), "client id the provider issued";
    OIDC_CLIENT_SECRET = "OIDC_<ID>_CLIENT_SECRET", Unset("(required per provider)"), "client secret the provider issued";
    OIDC_TRUST_EMAIL = "OIDC_<ID>_TRUST_EMAIL", Value("true"), "believe the provider's email_verified (false for providers where anyone can claim any address): only then is its address put on an account or offered for linking to the account that has it";
    OIDC_LABEL = "OIDC_<ID>_LABEL", Unset("(the name, capitalised)"), "button text after \"Sign in with\"";
    REAUTH_MINUTES = "REAUTH_MINUTES", Value("10"), "deleting an account or setting a first password needs a sign-in this recent";
    // limits and upkeep
    GUESTS_PER_CLIENT_PER_HOUR = "GUESTS_PER_CLIENT_PER_HOUR", Value("30"), "new guests per client IP (IPv6 /64) per hour";
    FORM_MIN_FILL_MS = "FORM_MIN_FILL_MS", Value("2000"), "forms sent faster than this after showing are ignored (bots)";
    REAPER_INTERVAL_MINUTES = "REAPER_INTERVAL_MINUTES", Value("60"), "minutes between reaper passes (0 = off; `server reap` runs one)";
    GUEST_IDLE_DAYS = "GUEST_IDLE_DAYS", Value("30"), "empty guests unseen this long are deleted";
    RUST_LOG = "RUST_LOG", Value("info"), "log filter, e.g. info,server=debug";
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_value_default_parses() {
        use super::{ALL, Default};
        let names: std::collections::HashSet<_> = ALL.iter().map(|v| v.name).collect();
        assert_eq!(names.len(), ALL.len(), "each variable once");
        for var in ALL {
            if let Default::Value(v) = var.default {
                assert!(!v.is_empty(), "{}", var.name);
            }
        }
        assert_eq!(super::SESSION_DAYS.parse::<i64>(&|_: &str| None).unwrap(), 30);
        assert!(super::DATABASE_URL.text(&|_: &str| None).is_err());
    }
}
