//! The server's settings, split by concern, read from environment variables
//! (see `.env.example`). Each variable and its default is declared once, in
//! [`vars`]; `--help` prints that table. `Debug` is derived everywhere: secrets
//! are types whose `Debug` hides them ([`DatabaseUrl`], `mail::Secret`).

mod media;
mod openid;
pub mod vars;

pub use media::{MediaSettings, PhotoStoreSettings};

use anyhow::bail;
use leptos::config::LeptosOptions;
use paws_inside::client_ip::ProxyConfig;
use paws_inside::mail::outbox::Retry;
use paws_inside::mail::{Secret, SmtpConfig, SmtpTls};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use vars::Lookup;

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Postgres.
    pub database: DatabaseSettings,
    /// Listening, proxies, pages, logs.
    pub http: HttpSettings,
    /// Outgoing email.
    pub mail: MailSettings,
    /// Uploaded photos and other data on disk.
    pub media: MediaSettings,
    /// Sessions and sign-in.
    pub sessions: SessionSettings,
    /// Rate limits, bot friction and upkeep.
    pub limits: LimitSettings,
    /// Leptos' own options (site root, output name, hashed file names).
    pub leptos: LeptosOptions,
}

/// A Postgres URL; `Debug` hides its password.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL itself, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// Postgres.
#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    /// Connection URL.
    pub url: DatabaseUrl,
    /// Size of the connection pool.
    pub max_connections: u32,
    /// Apply pending migrations at startup.
    pub run_migrations: bool,
    /// Insert the demo venues when the venue table is empty.
    pub seed_demo: bool,
}

/// Listening, proxies, pages, logs.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// The URL people reach the site at; `https://` turns on secure-only behaviour.
    pub public_url: String,
    /// Seconds a public page rendered for a visitor without a session is reused (0 = off).
    pub page_cache_seconds: u64,
    /// After a shutdown signal, how long to keep serving with `/readyz` at 503.
    pub shutdown_grace_seconds: u64,
    /// Where the client address comes from (socket peer or a trusted proxy's header).
    pub proxy: ProxyConfig,
    /// Where `/metrics` (Prometheus) is served; off when unset.
    pub metrics_bind: Option<SocketAddr>,
    /// Logs as JSON lines instead of text.
    pub log_json: bool,
    /// Map tile URL template.
    pub tile_url: String,
    /// Attribution shown on the map, as the tile server requires.
    pub tile_attribution: String,
}

/// Outgoing email.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// Where it goes.
    pub transport: MailTransport,
    /// Sender, e.g. `Paws Inside <hello@example.com>`.
    pub from: String,
    /// How failed sends from the outbox are retried.
    pub retry: Retry,
}

/// Where outgoing email goes.
#[derive(Clone, Debug)]
pub enum MailTransport {
    /// A real SMTP server.
    Smtp(SmtpConfig),
    /// Development only: `.eml` files in this folder (links are logged too).
    Folder(PathBuf),
}

/// Sessions and sign-in.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// Days of inactivity after which a session (guest or member) expires.
    pub session_days: i64,
    /// Minutes a sign-in link works.
    pub magic_link_minutes: i64,
    /// Minutes a sign-in counts as fresh for deleting the account or setting a first password.
    pub reauth_minutes: i64,
    /// "Sign in with …" providers (none: no buttons).
    pub openid: Vec<paws_inside::auth::oidc::ProviderConfig>,
}

/// Rate limits, bot friction and upkeep.
#[derive(Clone, Debug)]
pub struct LimitSettings {
    /// New guests allowed per client IP (IPv6 /64) per hour.
    pub guests_per_client_per_hour: i32,
    /// Forms submitted faster than this after being shown are treated as bots.
    pub form_min_fill_ms: u64,
    /// Minutes between reaper passes (0 turns the job off).
    pub reaper_interval_minutes: u64,
    /// Guests that own nothing are deleted after this many idle days.
    pub guest_idle_days: i64,
}

/// Postgres' rule of thumb (twice the cores plus one or two for I/O waits), for
/// the local database the one-command setup runs on the same cores. A larger
/// pool only queues the same work inside Postgres: BENCHMARKS.md §5 measured
/// pool 10 against 6 on two cores, p99 of the box query 8–14 ms against 6.5–8 ms.
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (2 * cores + 2).clamp(4, 20)
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads settings through `get`, so tests can supply their own values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        use vars::*;
        let database = DatabaseSettings {
            url: DatabaseUrl(DATABASE_URL.text(&get)?),
            max_connections: DATABASE_MAX_CONNECTIONS.parse_or(&get, default_pool_size())?,
            run_migrations: RUN_MIGRATIONS.parse(&get)?,
            seed_demo: SEED_DEMO.parse(&get)?,
        };
        let http = http(&get)?;
        let media = media::media(&get)?;
        let mail = mail(&get, &media.data_dir)?;
        let sessions = SessionSettings {
            session_days: SESSION_DAYS.parse::<i64>(&get)?.clamp(1, 400),
            magic_link_minutes: MAGIC_LINK_MINUTES.parse::<i64>(&get)?.clamp(1, 24 * 60),
            reauth_minutes: REAUTH_MINUTES.parse::<i64>(&get)?.clamp(0, 24 * 60),
            openid: openid::providers(&get)?,
        };
        let limits = LimitSettings {
            guests_per_client_per_hour: GUESTS_PER_CLIENT_PER_HOUR.parse::<i32>(&get)?.max(1),
            form_min_fill_ms: FORM_MIN_FILL_MS.parse::<u64>(&get)?.min(60_000),
            reaper_interval_minutes: REAPER_INTERVAL_MINUTES.parse::<u64>(&get)?.min(7 * 24 * 60),
            guest_idle_days: GUEST_IDLE_DAYS.parse::<i64>(&get)?.clamp(1, 3650),
        };
        // cargo-leptos passes its configuration as LEPTOS_* variables; without
        // them (production's bare binary, tests) the defaults match Cargo.toml's
        // metadata, and hashed asset names follow the build that left hash.txt.
        let mut leptos = if get("LEPTOS_OUTPUT_NAME").is_some() {
            leptos::config::get_config_from_env()
                .map_err(|e| anyhow::anyhow!("invalid LEPTOS_* environment: {e}"))?
                .leptos_options
        } else {
            let hash_files = match LEPTOS_HASH_FILES.get(&get).as_deref().map(str::trim) {
                None | Some("" | "auto") => hash_file_beside_binary(),
                Some(raw) => raw
                    .parse()
                    .map_err(|_| anyhow::anyhow!("LEPTOS_HASH_FILES must be auto, true or false"))?,
            };
            LeptosOptions::builder()
                .output_name("paws")
                .hash_files(hash_files)
                .env(leptos::config::Env::PROD)
                .build()
        };
        leptos.site_root = LEPTOS_SITE_ROOT.text(&get)?.into();
        leptos.site_addr = http.bind;
        Ok(Self {
            database,
            http,
            mail,
            media,
            sessions,
            limits,
            leptos,
        })
    }

    /// Whether the site is served over https.
    pub fn is_https(&self) -> bool {
        self.http.public_url.starts_with("https://")
    }
}

fn http(get: &impl Lookup) -> anyhow::Result<HttpSettings> {
    use vars::*;
    let bind: SocketAddr = PAWS_BIND
        .get(get)
        .or_else(|| get("LEPTOS_SITE_ADDR"))
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned())
        .parse()
        .map_err(|_| anyhow::anyhow!("PAWS_BIND must be an address like 127.0.0.1:3000"))?;
    let public_url = PUBLIC_URL.get(get).unwrap_or_else(|| format!("http://{bind}"));
    let public_url = public_url.trim_end_matches('/').to_owned();
    if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
        bail!("PUBLIC_URL must start with http:// or https://");
    }
    let tile_url = TILE_URL.text(get)?;
    if !tile_url.contains("{z}") || !(tile_url.starts_with("http") || tile_url.starts_with('/')) {
        bail!("TILE_URL must be an http(s) URL template containing {{z}}, {{x}} and {{y}}");
    }
    Ok(HttpSettings {
        bind,
        public_url,
        page_cache_seconds: PAGE_CACHE_SECONDS.parse::<u64>(get)?.min(300),
        shutdown_grace_seconds: SHUTDOWN_GRACE_SECONDS.parse::<u64>(get)?.min(300),
        proxy: ProxyConfig::parse(
            CLIENT_IP_HEADER.get(get).as_deref(),
            TRUSTED_PROXIES.get(get).as_deref(),
        )
        .map_err(anyhow::Error::msg)?,
        metrics_bind: METRICS_BIND
            .get(get)
            .map(|raw| {
                raw.parse()
                    .map_err(|_| anyhow::anyhow!("METRICS_BIND must be an address like 127.0.0.1:9100"))
            })
            .transpose()?,
        log_json: match LOG_FORMAT.text(get)?.as_str() {
            "text" => false,
            "json" => true,
            other => bail!("LOG_FORMAT must be text or json, not {other:?}"),
        },
        tile_url,
        tile_attribution: TILE_ATTRIBUTION.text(get)?,
    })
}

/// SMTP when `SMTP_HOST` is set; otherwise the outbox, which production refuses.
fn retry(get: &impl Lookup) -> anyhow::Result<Retry> {
    let first = vars::MAIL_RETRY_SECONDS.parse::<f64>(get)?;
    anyhow::ensure!(
        first.is_finite() && (0.05..=3600.0).contains(&first),
        "MAIL_RETRY_SECONDS must be between 0.05 and 3600"
    );
    let first = std::time::Duration::from_secs_f64(first);
    let default = Retry::default();
    Ok(Retry {
        first,
        max: default.max.max(first),
        ..default
    })
}

fn mail(get: &impl Lookup, data_dir: &std::path::Path) -> anyhow::Result<MailSettings> {
    use vars::*;
    let production = match PAWS_ENV.text(get)?.trim() {
        "development" => false,
        "production" => true,
        other => bail!("PAWS_ENV must be development or production, not {other:?}"),
    };
    let from = || match MAIL_FROM.get(get) {
        Some(from) => Ok(from),
        None if production => bail!("MAIL_FROM must be set when PAWS_ENV=production"),
        None => Ok("Paws Inside <no-reply@localhost>".to_owned()),
    };
    let Some(host) = SMTP_HOST.get(get) else {
        if production {
            bail!("SMTP_HOST must be set when PAWS_ENV=production (mail would silently go to a folder)");
        }
        return Ok(MailSettings {
            transport: MailTransport::Folder(data_dir.join("outbox")),
            from: from()?,
            retry: retry(get)?,
        });
    };
    let tls = match SMTP_TLS.text(get)?.trim() {
        "starttls" => SmtpTls::StartTls,
        "tls" => SmtpTls::Tls,
        "none" => SmtpTls::None,
        other => bail!("SMTP_TLS must be starttls, tls or none, not {other:?}"),
    };
    let default_port = match tls {
        SmtpTls::StartTls => 587,
        SmtpTls::Tls => 465,
        SmtpTls::None => 25,
    };
    Ok(MailSettings {
        transport: MailTransport::Smtp(SmtpConfig {
            host,
            port: SMTP_PORT.parse_or(get, default_port)?,
            tls,
            username: SMTP_USERNAME.get(get),
            password: SMTP_PASSWORD.get(get).map(Secret::new),
        }),
        from: from()?,
        retry: retry(get)?,
    })
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

/// Whether `cargo leptos build` left `hash.txt` beside this binary: it does
/// exactly when it gave the assets content-hashed names.
fn hash_file_beside_binary() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|path| path.is_file())
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
        assert_eq!(s.http.bind.port(), 3000);
        assert!(!s.is_https() && s.database.run_migrations && !s.database.seed_demo);
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
        assert!(matches!(dev.mail.transport, MailTransport::Folder(_)));
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
        assert!(
            matches!(&s.mail.transport, MailTransport::Smtp(c) if c.port == 465 && c.tls == SmtpTls::Tls)
        );
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
