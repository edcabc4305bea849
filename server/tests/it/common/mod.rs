//! Test harness: every test gets its own database, cloned from a migrated and
//! seeded template, and the real application on a free port.

pub mod counters;
pub mod flows;
pub mod held;
pub mod held_body;
pub mod mail;
pub mod oidc;
// The identity crate's software passkey: one for both suites.
pub mod by_name;
#[path = "../../../../anonymous-first/tests/it/soft_passkey.rs"]
pub mod passkey;
pub mod s3;
pub mod sessions;

pub use held::until;

use paws_inside::db::{IDENTITY_MIGRATOR, MIGRATOR};
use server::{Application, Settings};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::collections::HashMap;
use tokio::sync::oneshot;

/// A running application with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A pool on the test's database.
    pub pool: PgPool,
    /// An HTTP client that does not follow redirects and keeps no cookies.
    pub client: reqwest::Client,
    /// Where this app stores media.
    pub data_dir: std::path::PathBuf,
    /// The settings it was started with (to restart it).
    pub database_url: String,
    /// `http://127.0.0.1:<port>` of `/metrics`, when `METRICS_BIND` was set.
    pub metrics_address: Option<String>,
    /// The app's photo service (its upload places).
    pub photos: paws_inside::photos::PhotoService,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    /// Sends the shutdown signal (as SIGTERM would); the app then stops on its own.
    pub fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The admin URL of the Postgres server the tests may create databases on.
fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("PAWS_PG_ADMIN_URL"))
        .expect("TEST_DATABASE_URL must point at a Postgres server (run ./test)")
}

/// `admin_url` with its database replaced by `db`.
fn url_for(db: &str) -> String {
    let admin = admin_url();
    let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
    format!("{base}/{db}")
}

/// Name of the template for the current migrations: a new migration makes a new template.
fn template_name() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for m in MIGRATOR.iter().chain(IDENTITY_MIGRATOR.iter()) {
        for b in m.checksum.iter().chain(&m.version.to_le_bytes()) {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    format!("paws_tpl_{hash:016x}")
}

/// Creates (once, under an advisory lock) the migrated, seeded template database.
async fn ensure_template(admin: &mut PgConnection) -> String {
    let name = template_name();
    admin.execute("SELECT pg_advisory_lock(727700)").await.unwrap();
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut *admin)
        .await
        .unwrap();
    if !exists {
        let building = format!("{name}_building");
        admin
            .execute(format!(r#"DROP DATABASE IF EXISTS "{building}" WITH (FORCE)"#).as_str())
            .await
            .unwrap();
        admin
            .execute(format!(r#"CREATE DATABASE "{building}""#).as_str())
            .await
            .unwrap();
        let pool = PgPool::connect(&url_for(&building)).await.unwrap();
        paws_inside::db::migrate(&pool).await.unwrap();
        paws_inside::venues::seed::seed_demo_if_empty(&pool)
            .await
            .unwrap();
        pool.close().await;
        // A closed client's backend can linger for a moment; renaming needs it gone.
        for attempt in 0.. {
            sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
                .bind(&building)
                .execute(&mut *admin)
                .await
                .unwrap();
            let renamed = admin
                .execute(format!(r#"ALTER DATABASE "{building}" RENAME TO "{name}""#).as_str())
                .await;
            match renamed {
                Ok(_) => break,
                Err(err) if attempt < 50 => {
                    let _ = err;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(err) => panic!("cannot finish the template database: {err}"),
            }
        }
    }
    admin.execute("SELECT pg_advisory_unlock(727700)").await.unwrap();
    name
}

/// A fresh database cloned from the template; returns its URL.
pub async fn fresh_database() -> String {
    create_database(true).await
}

/// An empty database (no migrations applied); returns its URL.
pub async fn empty_database() -> String {
    create_database(false).await
}

/// A new database, cloned from the migrated template or empty.
async fn create_database(from_template: bool) -> String {
    let mut admin = PgConnection::connect(&admin_url())
        .await
        .expect("cannot reach the test Postgres");
    let template = if from_template {
        format!(r#" TEMPLATE "{}""#, ensure_template(&mut admin).await)
    } else {
        String::new()
    };
    let db = format!("paws_test_{}", uuid_like());
    admin
        .execute(format!(r#"CREATE DATABASE "{db}"{template}"#).as_str())
        .await
        .unwrap();
    url_for(&db)
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

/// A data folder private to the database's test.
pub fn data_dir_for(database_url: &str) -> std::path::PathBuf {
    let db = database_url.rsplit('/').next().unwrap_or("db");
    std::env::temp_dir().join(format!("paws-test-data-{db}"))
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path))
        } else {
            out.push(path)
        }
    }
    out
}

/// Settings for a test app on `database_url`, with `extra` overrides.
pub fn settings(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.into()),
        ("PAWS_BIND".into(), "127.0.0.1:0".into()),
        ("DATABASE_MAX_CONNECTIONS".into(), "5".into()),
        // The reaper's first pass runs at start-up, racing a test's own (tests
        // that want it running say so).
        ("REAPER_INTERVAL_MINUTES".into(), "0".into()),
        ("TILE_URL".into(), "http://127.0.0.1:9/{z}/{x}/{y}.png".into()),
        (
            "DATA_DIR".into(),
            data_dir_for(database_url).display().to_string(),
        ),
    ]);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Settings::from_lookup(|k| env.get(k).cloned()).expect("test settings")
}

/// Spawns the app on a fresh database.
pub async fn spawn_app() -> TestApp {
    let url = fresh_database().await;
    spawn_with(settings(&url, &[])).await
}

/// Spawns the app with the given settings.
pub async fn spawn_with(settings: Settings) -> TestApp {
    let database_url = settings.database.url.expose().to_owned();
    let data_dir = settings.media.data_dir.clone();
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app.metrics_port().map(|p| format!("http://127.0.0.1:{p}"));
    let photos = app.photos().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let pool = PgPool::connect_lazy(&database_url).expect("pool");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        pool,
        client,
        data_dir,
        database_url,
        metrics_address,
        photos,
        stop: Some(stop),
    }
}

/// A browser: keeps cookies (in a jar the test can read), follows no redirects.
/// It is a `reqwest::Client` too, for requests that are not server functions.
#[derive(Clone)]
pub struct Browser {
    /// The client.
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl std::ops::Deref for Browser {
    type Target = reqwest::Client;
    fn deref(&self) -> &reqwest::Client {
        &self.client
    }
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A fresh browser with no cookies.
    pub fn new() -> Self {
        Self::with_jar(Default::default(), None)
    }

    /// A fresh browser on the client address `ip`, as an app started with
    /// [`counters::PROXIED`] sees it (every request says `X-Forwarded-For: ip`).
    pub fn from_ip(ip: &str) -> Self {
        Self::with_jar(Default::default(), Some(ip))
    }

    /// This browser (the same cookies) on another client address: the same
    /// laptop on another network.
    pub fn moved_to(&self, ip: &str) -> Self {
        Self::with_jar(self.jar.clone(), Some(ip))
    }

    fn with_jar(jar: std::sync::Arc<reqwest::cookie::Jar>, ip: Option<&str>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(ip) = ip {
            headers.insert("x-forwarded-for", ip.parse().unwrap());
        }
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { client, jar }
    }

    /// GETs `path` of `app` as this browser: the status and the page.
    pub async fn open(&self, app: &TestApp, path: &str) -> (u16, String) {
        let res = self
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("request failed");
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Puts a cookie into this browser's jar, as a page on a sibling
    /// subdomain (or anyone on the wire over http) could.
    pub fn plant(&self, app: &TestApp, cookie: &str) {
        self.jar.add_cookie_str(cookie, &app.address.parse().unwrap());
    }

    /// The cookie header it would send to `path` of `app`.
    pub fn cookie_at(&self, app: &TestApp, path: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self
            .jar
            .cookies(&format!("{}{path}", app.address).parse().unwrap())?;
        Some(header.to_str().ok()?.to_owned())
    }

    /// The cookie header it would send to `app`.
    pub fn cookie(&self, app: &TestApp) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.jar.cookies(&app.address.parse().unwrap())?;
        Some(header.to_str().ok()?.to_owned())
    }
}

impl TestApp {
    /// Number of rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// POSTs a server function from `browser` with a url-encoded form, as the
    /// Leptos client does.
    pub async fn call(&self, browser: &Browser, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        browser
            .client
            .post(format!("{}/api/{endpoint}", self.address))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request failed")
    }

    /// GET a path; panics on transport errors only.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request failed")
    }

    /// GET a path and return (status, body), asserting no cookie was set.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        assert!(res.headers().get("set-cookie").is_none(), "{path} set a cookie");
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }
}
