//! One typed settings struct, read from environment variables (see `.env.example`).

use anyhow::{Context, bail};
use leptos::config::LeptosOptions;
use paws_inside::client_ip::ProxyConfig;
use paws_inside::mail::{SmtpConfig, SmtpTls};
use std::fmt;
use std::net::SocketAddr;

/// Everything the server needs to start.
#[derive(Clone)]
pub struct Settings {
    /// Postgres connection URL (secret: may hold a password).
    pub database_url: String,
    /// Size of the connection pool.
    pub database_max_connections: u32,
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// The URL people reach the site at; `https://` turns on secure-only behaviour.
    pub public_url: String,
    /// Apply pending migrations at startup.
    pub run_migrations: bool,
    /// Insert the demo venues when the venue table is empty.
    pub seed_demo: bool,
    /// Map tile URL template.
    pub tile_url: String,
    /// Attribution shown on the map, as the tile server requires.
    pub tile_attribution: String,
    /// Days of inactivity after which a session (guest or member) expires.
    pub session_days: i64,
    /// Folder for uploaded media (and other server data).
    pub data_dir: std::path::PathBuf,
    /// Largest accepted photo, in bytes.
    pub photo_max_bytes: usize,
    /// Most pixels accepted in a photo.
    pub photo_max_pixels: u64,
    /// Where outgoing email goes.
    pub mail: MailSettings,
    /// Sender of outgoing email, e.g. `Paws Inside <hello@example.com>`.
    pub mail_from: String,
    /// Minutes a sign-in link works.
    pub magic_link_minutes: i64,
    /// Minutes a sign-in counts as fresh for deleting the account.
    pub reauth_minutes: i64,
    /// Where `/metrics` (Prometheus) is served; off when unset.
    pub metrics_bind: Option<SocketAddr>,
    /// Logs as JSON lines instead of text.
    pub log_json: bool,
    /// Forms submitted faster than this after being shown are treated as bots.
    pub form_min_fill_ms: u64,
    /// New guests allowed per client IP (IPv6 /64) per hour.
    pub guests_per_client_per_hour: i32,
    /// Minutes between reaper passes (0 turns the job off).
    pub reaper_interval_minutes: u64,
    /// Guests that own nothing are deleted after this many idle days.
    pub guest_idle_days: i64,
    /// Seconds a public page rendered for a visitor without a session is reused (0 = off).
    pub page_cache_seconds: u64,
    /// Where the client address comes from (socket peer or a trusted proxy's header).
    pub proxy: ProxyConfig,
    /// Leptos' own options (site root, output name, hashed file names).
    pub leptos: LeptosOptions,
}

/// Where outgoing email goes.
#[derive(Clone, Debug)]
pub enum MailSettings {
    /// A real SMTP server.
    Smtp(SmtpConfig),
    /// Development only: `.eml` files in this folder (links are logged too).
    Outbox(std::path::PathBuf),
}

/// Postgres' rule of thumb (twice the cores plus one or two for I/O waits), for
/// the local database the one-command setup runs on the same cores. A larger
/// pool only queues the same work inside Postgres: BENCHMARKS.md §5 measured
/// pool 10 against 6 on two cores, p99 of the box query 8–14 ms against 6.5–8 ms.
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (2 * cores + 2).clamp(4, 20)
}

/// Documentation for `--help`: name, default, meaning.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "DATABASE_URL",
        "(required)",
        "Postgres URL, e.g. postgres://paws@127.0.0.1:54329/paws_dev",
    ),
    (
        "DATABASE_MAX_CONNECTIONS",
        "2 × CPU cores + 2 (4–20)",
        "connection pool size",
    ),
    (
        "PAWS_BIND",
        "$LEPTOS_SITE_ADDR or 127.0.0.1:3000",
        "listen address (port 0 = any free port)",
    ),
    (
        "PUBLIC_URL",
        "http://<bind>",
        "public base URL; https:// enables Secure cookies and HSTS",
    ),
    ("RUN_MIGRATIONS", "true", "apply migrations/ at startup"),
    (
        "SEED_DEMO",
        "false",
        "seed the demo venues when the venue table is empty",
    ),
    (
        "TILE_URL",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "map tile URL template",
    ),
    (
        "TILE_ATTRIBUTION",
        "© OpenStreetMap contributors",
        "map attribution HTML",
    ),
    (
        "SESSION_DAYS",
        "30",
        "sessions expire after this many days without activity",
    ),
    (
        "DATA_DIR",
        ".data",
        "folder for uploaded photos (photos/ inside it)",
    ),
    ("PHOTO_MAX_MB", "15", "largest accepted photo upload, in MB"),
    (
        "PHOTO_MAX_MEGAPIXELS",
        "40",
        "most pixels accepted in a photo, in megapixels",
    ),
    (
        "PAWS_ENV",
        "development",
        "production refuses to start without SMTP (no silent outbox)",
    ),
    (
        "SMTP_HOST",
        "(unset: outbox)",
        "SMTP server; unset in development writes mail to $DATA_DIR/outbox",
    ),
    ("SMTP_PORT", "587 (465 for tls, 25 for none)", "SMTP port"),
    ("SMTP_TLS", "starttls", "starttls, tls or none"),
    ("SMTP_USERNAME", "(none)", "SMTP login"),
    ("SMTP_PASSWORD", "(none)", "SMTP password"),
    (
        "MAIL_FROM",
        "Paws Inside <no-reply@localhost>",
        "sender address (required in production)",
    ),
    ("MAGIC_LINK_MINUTES", "10", "how long a sign-in link works"),
    (
        "METRICS_BIND",
        "(off)",
        "address for Prometheus /metrics, e.g. 127.0.0.1:9100 (keep it private)",
    ),
    ("LOG_FORMAT", "text", "text or json (one JSON object per line)"),
    (
        "GUESTS_PER_CLIENT_PER_HOUR",
        "30",
        "new guests per client IP (IPv6 /64) per hour",
    ),
    (
        "FORM_MIN_FILL_MS",
        "2000",
        "forms sent faster than this after showing are ignored (bots)",
    ),
    (
        "REAPER_INTERVAL_MINUTES",
        "60",
        "minutes between reaper passes (0 = off; `server reap` runs one)",
    ),
    (
        "GUEST_IDLE_DAYS",
        "30",
        "empty guests unseen this long are deleted",
    ),
    (
        "REAUTH_MINUTES",
        "10",
        "deleting an account needs a sign-in this recent",
    ),
    (
        "LEPTOS_SITE_ROOT",
        "target/site",
        "folder with the built assets (set by cargo-leptos)",
    ),
    (
        "LEPTOS_HASH_FILES",
        "false",
        "assets carry content hashes (hash.txt beside the binary)",
    ),
    (
        "PAGE_CACHE_SECONDS",
        "2",
        "reuse the home and venue pages rendered for visitors without a session this long (0 = off)",
    ),
    (
        "CLIENT_IP_HEADER",
        "(unset: socket peer)",
        "header a trusted proxy names the client in, e.g. x-forwarded-for",
    ),
    (
        "TRUSTED_PROXIES",
        "(none)",
        "comma-separated IPs/CIDRs whose CLIENT_IP_HEADER is believed",
    ),
    ("RUST_LOG", "info", "log filter, e.g. info,server=debug"),
];

const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const DEFAULT_ATTRIBUTION: &str =
    "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors";

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads settings through `get`, so tests can supply their own values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let database_url = get("DATABASE_URL").context("DATABASE_URL is not set")?;
        let bind: SocketAddr = get("PAWS_BIND")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned())
            .parse()
            .context("PAWS_BIND must be an address like 127.0.0.1:3000")?;
        let public_url = get("PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let public_url = public_url.trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("PUBLIC_URL must start with http:// or https://");
        }
        let tile_url = get("TILE_URL").unwrap_or_else(|| DEFAULT_TILE_URL.to_owned());
        if !tile_url.contains("{z}") || !(tile_url.starts_with("http") || tile_url.starts_with('/')) {
            bail!("TILE_URL must be an http(s) URL template containing {{z}}, {{x}} and {{y}}");
        }

        // cargo-leptos passes its configuration as LEPTOS_* variables; without
        // them (tests, a bare binary) the defaults match Cargo.toml's metadata.
        let mut leptos = if get("LEPTOS_OUTPUT_NAME").is_some() {
            leptos::config::get_config_from_env()
                .context("invalid LEPTOS_* environment")?
                .leptos_options
        } else {
            LeptosOptions::builder().output_name("paws").build()
        };
        leptos.site_root = get("LEPTOS_SITE_ROOT")
            .unwrap_or_else(|| "target/site".to_owned())
            .into();
        leptos.site_addr = bind;

        let production = match get("PAWS_ENV").as_deref().map(str::trim) {
            None | Some("development") => false,
            Some("production") => true,
            Some(other) => bail!("PAWS_ENV must be development or production, not {other:?}"),
        };
        let data_dir: std::path::PathBuf = get("DATA_DIR").unwrap_or_else(|| ".data".to_owned()).into();
        let mail = mail_settings(&get, production, &data_dir)?;
        let mail_from = match get("MAIL_FROM") {
            Some(from) => from,
            None if production => bail!("MAIL_FROM must be set when PAWS_ENV=production"),
            None => "Paws Inside <no-reply@localhost>".to_owned(),
        };

        Ok(Self {
            database_url,
            database_max_connections: parse_or(&get, "DATABASE_MAX_CONNECTIONS", default_pool_size())?,
            bind,
            public_url,
            run_migrations: parse_or(&get, "RUN_MIGRATIONS", true)?,
            seed_demo: parse_or(&get, "SEED_DEMO", false)?,
            tile_url,
            tile_attribution: get("TILE_ATTRIBUTION").unwrap_or_else(|| DEFAULT_ATTRIBUTION.to_owned()),
            session_days: parse_or(&get, "SESSION_DAYS", 30i64)?.clamp(1, 400),
            data_dir,
            photo_max_bytes: parse_or::<usize>(&get, "PHOTO_MAX_MB", 15)?.clamp(1, 100) * 1024 * 1024,
            photo_max_pixels: parse_or::<u64>(&get, "PHOTO_MAX_MEGAPIXELS", 40)?.clamp(1, 200) * 1_000_000,
            mail,
            mail_from,
            magic_link_minutes: parse_or(&get, "MAGIC_LINK_MINUTES", 10i64)?.clamp(1, 24 * 60),
            reauth_minutes: parse_or(&get, "REAUTH_MINUTES", 10i64)?.clamp(0, 24 * 60),
            metrics_bind: get("METRICS_BIND")
                .map(|raw| {
                    raw.parse()
                        .context("METRICS_BIND must be an address like 127.0.0.1:9100")
                })
                .transpose()?,
            log_json: match get("LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => bail!("LOG_FORMAT must be text or json, not {other:?}"),
            },
            form_min_fill_ms: parse_or(&get, "FORM_MIN_FILL_MS", 2000u64)?.min(60_000),
            guests_per_client_per_hour: parse_or(&get, "GUESTS_PER_CLIENT_PER_HOUR", 30i32)?.max(1),
            reaper_interval_minutes: parse_or(&get, "REAPER_INTERVAL_MINUTES", 60u64)?.min(7 * 24 * 60),
            guest_idle_days: parse_or(&get, "GUEST_IDLE_DAYS", 30i64)?.clamp(1, 3650),
            page_cache_seconds: parse_or(&get, "PAGE_CACHE_SECONDS", 2u64)?.min(300),
            proxy: ProxyConfig::parse(
                get("CLIENT_IP_HEADER").as_deref(),
                get("TRUSTED_PROXIES").as_deref(),
            )
            .map_err(anyhow::Error::msg)?,
            leptos,
        })
    }

    /// Whether the site is served over https.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// SMTP when `SMTP_HOST` is set; otherwise the outbox, which production refuses.
fn mail_settings(
    get: &impl Fn(&str) -> Option<String>,
    production: bool,
    data_dir: &std::path::Path,
) -> anyhow::Result<MailSettings> {
    let Some(host) = get("SMTP_HOST") else {
        if production {
            bail!("SMTP_HOST must be set when PAWS_ENV=production (mail would silently go to a folder)");
        }
        return Ok(MailSettings::Outbox(data_dir.join("outbox")));
    };
    let tls = match get("SMTP_TLS").as_deref().map(str::trim) {
        None | Some("starttls") => SmtpTls::StartTls,
        Some("tls") => SmtpTls::Tls,
        Some("none") => SmtpTls::None,
        Some(other) => bail!("SMTP_TLS must be starttls, tls or none, not {other:?}"),
    };
    let default_port = match tls {
        SmtpTls::StartTls => 587,
        SmtpTls::Tls => 465,
        SmtpTls::None => 25,
    };
    Ok(MailSettings::Smtp(SmtpConfig {
        host,
        port: parse_or(get, "SMTP_PORT", default_port)?,
        tls,
        username: get("SMTP_USERNAME"),
        password: get("SMTP_PASSWORD"),
    }))
}

fn parse_or<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: T,
) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match get(key) {
        Some(raw) => raw
            .trim()
            .parse()
            .with_context(|| format!("{key} has an invalid value: {raw:?}")),
        None => Ok(default),
    }
}

/// Redacts the database URL's password.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("database_max_connections", &self.database_max_connections)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("run_migrations", &self.run_migrations)
            .field("seed_demo", &self.seed_demo)
            .field("tile_url", &self.tile_url)
            .field("session_days", &self.session_days)
            .field("data_dir", &self.data_dir)
            .field("mail", &self.mail)
            .field("mail_from", &self.mail_from)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_and_errors() {
        let s = Settings::from_lookup(lookup(&[("DATABASE_URL", "postgres://u:pw@h/db")])).unwrap();
        assert_eq!(s.bind.port(), 3000);
        assert!(!s.is_https() && s.run_migrations && !s.seed_demo);
        assert!(!format!("{s:?}").contains("pw"), "password must be redacted");
        assert!(Settings::from_lookup(lookup(&[])).is_err());
        let bad = [("DATABASE_URL", "postgres://h/db"), ("SEED_DEMO", "maybe")];
        assert!(
            Settings::from_lookup(lookup(&bad))
                .unwrap_err()
                .to_string()
                .contains("SEED_DEMO")
        );
        let bad = [("DATABASE_URL", "postgres://h/db"), ("PUBLIC_URL", "ftp://x")];
        assert!(Settings::from_lookup(lookup(&bad)).is_err());
        let forgeable = [
            ("DATABASE_URL", "postgres://h/db"),
            ("CLIENT_IP_HEADER", "x-forwarded-for"),
        ];
        let err = Settings::from_lookup(lookup(&forgeable)).unwrap_err().to_string();
        assert!(err.contains("TRUSTED_PROXIES"), "{err}");
    }

    #[test]
    fn mail() {
        let base = [("DATABASE_URL", "postgres://h/db")];
        let dev = Settings::from_lookup(lookup(&base)).unwrap();
        assert!(matches!(dev.mail, MailSettings::Outbox(_)));
        let prod = [("DATABASE_URL", "postgres://h/db"), ("PAWS_ENV", "production")];
        let err = Settings::from_lookup(lookup(&prod)).unwrap_err().to_string();
        assert!(err.contains("SMTP_HOST"), "{err}");
        let smtp = [
            ("DATABASE_URL", "postgres://h/db"),
            ("PAWS_ENV", "production"),
            ("SMTP_HOST", "mail.example"),
            ("SMTP_TLS", "tls"),
            ("SMTP_PASSWORD", "hunter2"),
            ("MAIL_FROM", "Paws <a@example.com>"),
        ];
        let s = Settings::from_lookup(lookup(&smtp)).unwrap();
        assert!(matches!(&s.mail, MailSettings::Smtp(c) if c.port == 465 && c.tls == SmtpTls::Tls));
        assert!(
            !format!("{s:?}").contains("hunter2"),
            "SMTP password must be redacted"
        );
    }

    #[test]
    fn redacts() {
        assert_eq!(
            redact_url("postgres://paws:hunter2@db:5432/x"),
            "postgres://paws:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://paws@db/x"), "postgres://paws@db/x");
    }
}
