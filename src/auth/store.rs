//! The session store behind tower-sessions: the `sessions` table, where each
//! row says whose session it is.
//!
//! Three rules make a session trustworthy:
//! - **Loading is the one round trip** of a request that needs its user, and
//!   it joins `users`: the user a request sees is the current row (a guest
//!   promoted since reads as a member, a revoked admin as no admin, a deleted
//!   user as nobody), never a copy taken at sign-in.
//! - **Only identity flows insert rows** (`TypedSession::open`, inside the
//!   flow's transaction). `create` here just takes over the id the flow chose.
//! - **Saving only updates a row that still exists**: a session revoked while
//!   a request was in flight is not written back when that request ends.

use super::user::User;
use async_trait::async_trait;
use serde_json::Value;
use sqlx::PgPool;
use std::collections::HashMap;
use time::OffsetDateTime;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::{SessionStore, session_store};
use uuid::Uuid;

/// Keys of the values the store puts into a loaded record. They start with `~`
/// so nothing else would pick them; only `TypedSession` reads them.
pub(super) mod keys {
    /// The session's user, from `users` at load time.
    pub const USER: &str = "~user";
    /// Unix milliseconds of the session's last proof of identity.
    pub const AUTHENTICATED_AT: &str = "~authenticated_at";
    /// The one-time message for the next page; removing it clears the column.
    pub const NOTICE: &str = "~notice";
    /// The session was last seen over a day ago: extend it on this request.
    pub const TOUCH_DUE: &str = "~touch_due";
    /// Set when the session was touched, so the layer saves it.
    pub const TOUCHED: &str = "~touched";
    /// The id of a row an identity flow inserted for this browser.
    pub const ADOPT: &str = "~adopt";
    /// Why this browser's session ended elsewhere (`super::farewell`): the
    /// only value of a record whose session row is gone.
    pub const FAREWELL: &str = "~farewell";
}

/// tower-sessions' store over the `sessions` table.
#[derive(Clone, Debug)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    /// A store on `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

type Row = (
    f64,
    i64,
    Option<String>,
    bool,
    Uuid,
    bool,
    Option<String>,
    Option<String>,
    bool,
);

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A flow inserted the row in its own transaction and left its id here.
        // Anything else holds no identity, so there is nothing worth a row: the
        // random id stays unstored and reads as "no session" next time.
        if let Some(id) = record
            .data
            .get(keys::ADOPT)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Id>().ok())
        {
            record.id = id;
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let notice = record.data.get(keys::NOTICE).and_then(Value::as_str);
        // UPDATE, never an upsert: a deleted session stays deleted. The user's
        // own `last_seen_at` (the reaper's clock) moves with it, hourly at most.
        sqlx::query(
            "WITH s AS (
               UPDATE sessions SET expiry_date = to_timestamp($2), last_seen_at = now(), notice = $3
               WHERE id = $1 RETURNING user_id)
             UPDATE users u SET last_seen_at = now() FROM s
             WHERE u.id = s.user_id AND u.last_seen_at < now() - interval '1 hour'",
        )
        .bind(record.id.to_string())
        .bind(record.expiry_date.unix_timestamp() as f64)
        .bind(notice)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT extract(epoch FROM s.expiry_date)::float8, floor(extract(epoch FROM s.authenticated_at) * 1000)::int8,
                    s.notice, s.last_seen_at < now() - interval '1 day',
                    u.id, u.is_anonymous, u.email, u.display_name, u.role = 'admin'
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.expiry_date > now()",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some((expiry, authenticated_at, notice, touch_due, user, guest, email, name, admin)) = row else {
            // Gone: ended by another device, which left word why (a second
            // query only for cookies of ended sessions).
            let farewell = super::farewell::find(&self.pool, &id.to_string())
                .await
                .map_err(backend)?;
            return Ok(farewell.map(|words| Record {
                id: *id,
                data: HashMap::from([(keys::FAREWELL.to_owned(), Value::from(words))]),
                expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
            }));
        };
        let user = match guest {
            true => User::Guest { id: user },
            false => User::Member {
                id: user,
                email,
                display_name: name,
                admin,
            },
        };
        let mut data = HashMap::from([
            (
                keys::USER.to_owned(),
                serde_json::to_value(&user).map_err(backend)?,
            ),
            (keys::AUTHENTICATED_AT.to_owned(), Value::from(authenticated_at)),
            (keys::TOUCH_DUE.to_owned(), Value::from(touch_due)),
        ]);
        if let Some(notice) = notice {
            data.insert(keys::NOTICE.to_owned(), Value::from(notice));
        }
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: OffsetDateTime::from_unix_timestamp(expiry as i64).map_err(backend)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
