//! A database of the test's own: made from `TEST_DATABASE_URL` (a role that
//! may create databases; `./test` gives it), given the crate's migrations
//! and then the test's own `schema`, dropped by [`Db::drop`]. And what the
//! tests' apps share: a `notes` table a user owns ([`NOTES`]), people
//! ([`person`]), their sessions ([`signed_in`]) and browsers ([`browser`]).

use anonymous_first::hooks::Hooks;
use anonymous_first::identity::Config;
use anonymous_first::password::Hasher;
use anonymous_first::tokens;
use anonymous_first::{Caller, Identity, NoProfile, OwnedData, OwnedTable, PgSessionStore, TypedSession};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::net::IpAddr;
use std::sync::Arc;
use tower_sessions_core::Session;
use tower_sessions_core::session::Id;
use uuid::Uuid;

/// The tests' owned table: notes a user writes.
pub const NOTES: &str =
    "CREATE TABLE notes (id serial PRIMARY KEY, user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE);";

/// The tests' app: users own [`NOTES`], with `hooks` and `config`.
pub fn identity(pool: &PgPool, hooks: Arc<dyn Hooks>, config: Config) -> Identity {
    Identity {
        pool: pool.clone(),
        owned: Arc::new(OwnedData::new(&[OwnedTable::new("notes", "user_id")]).unwrap()),
        hooks,
        hasher: Hasher::new(1),
        config,
    }
}

/// A user row to make: a guest unless `email`; a member's address is proven
/// unless `unproven`.
#[derive(Default)]
pub struct Person<'a> {
    pub email: Option<&'a str>,
    pub unproven: bool,
    pub password_hash: Option<&'a str>,
    pub notes: i32,
    /// Last seen this many days ago.
    pub idle_days: i32,
}

/// Makes `p` with its notes.
pub async fn person(pool: &PgPool, p: Person<'_>) -> Uuid {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (is_anonymous, email, password_hash, email_verified_at, last_seen_at)
         VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END, now() - make_interval(days => $5)) RETURNING id",
    )
    .bind(p.email.is_none())
    .bind(p.email)
    .bind(p.password_hash)
    .bind(p.email.is_some() && !p.unproven)
    .bind(p.idle_days)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO notes (user_id) SELECT $1 FROM generate_series(1, $2)")
        .bind(id)
        .bind(p.notes)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// A live session of `user`, signed in `minutes_ago`.
pub async fn signed_in(pool: &PgPool, user: Uuid, minutes_ago: i32) -> Id {
    let id = Id::default();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, expiry_date, authenticated_at, user_agent)
         VALUES ($1, $2, now() + interval '1 day', now() - make_interval(mins => $3), 'Firefox')",
    )
    .bind(id.to_string())
    .bind(user)
    .bind(minutes_ago)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A guest with `notes` notes and its session, signed in now: the browser
/// most tests start from.
pub async fn guest(pool: &PgPool, notes: i32) -> (Uuid, Id) {
    let id = person(
        pool,
        Person {
            notes,
            ..Person::default()
        },
    )
    .await;
    (id, signed_in(pool, id, 0).await)
}

/// The request of the browser holding `session` (or none), from `ip`, as
/// loaded at its start, and its tower-sessions handle.
pub async fn browser_at(pool: &PgPool, session: Option<Id>, ip: &str) -> (Caller<NoProfile>, Session) {
    let store = Arc::new(PgSessionStore::<NoProfile>::new(pool.clone()));
    let inner = Session::new(session, store, None);
    let caller = Caller {
        session: TypedSession::load(inner.clone()).await.unwrap(),
        ip: Some(ip.parse::<IpAddr>().unwrap()),
        user_agent: "Firefox".into(),
        trusted_browser: None,
    };
    (caller, inner)
}

/// [`browser_at`] one address.
pub async fn browser(pool: &PgPool, session: Option<Id>) -> Caller<NoProfile> {
    browser_at(pool, session, "192.0.2.7").await.0
}

/// The one number `sql` selects.
pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// A fresh database and a pool on it.
pub struct Db {
    pub pool: PgPool,
    admin: String,
    name: String,
}

impl Db {
    pub async fn new(schema: &str) -> Self {
        let admin = std::env::var("TEST_DATABASE_URL")
            .expect("TEST_DATABASE_URL: a Postgres role that may create databases (./test sets it)");
        let name = format!("anonymous_first_test_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let pool = PgPool::connect(&format!("{base}/{name}")).await.unwrap();
        anonymous_first::migrations::MIGRATOR.run(&pool).await.unwrap();
        if !schema.is_empty() {
            pool.execute(schema).await.unwrap();
        }
        Self { pool, admin, name }
    }

    pub async fn drop(self) {
        self.pool.close().await;
        let mut conn = PgConnection::connect(&self.admin).await.unwrap();
        conn.execute(format!("DROP DATABASE {} WITH (FORCE)", self.name).as_str())
            .await
            .unwrap();
    }
}

/// The link of the newest `kind` mail to `to`, as its sender would make it.
pub async fn mailed(pool: &PgPool, kind: &str, to: &str) -> String {
    let token: Uuid = sqlx::query_scalar(
        "SELECT token_id FROM mail_outbox WHERE kind = $1 AND recipient = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(kind)
    .bind(to)
    .fetch_one(pool)
    .await
    .unwrap();
    tokens::rekey(pool, token, false).await.unwrap().unwrap().token
}

/// What a test's own way in says when the ending refuses it, or breaks.
#[derive(Debug)]
pub enum Said {
    Refused(anonymous_first::ending::Refusal),
    Broke,
}

impl From<anonymous_first::ending::Refusal> for Said {
    fn from(refusal: anonymous_first::ending::Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<anyhow::Error> for Said {
    fn from(_: anyhow::Error) -> Self {
        Self::Broke
    }
}
