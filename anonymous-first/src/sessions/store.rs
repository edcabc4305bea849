//! tower-sessions' store over the `sessions` table (see the module above for
//! its three rules).

use super::{ProfileRow, keys, profile_columns};
use crate::user::User;
use async_trait::async_trait;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row as _};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use time::OffsetDateTime;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::{SessionStore, session_store};

/// tower-sessions' store over the `sessions` table, loading the user with
/// the app's profile `P`.
pub struct PgSessionStore<P> {
    pool: PgPool,
    /// The load statement, written once with `P`'s columns.
    load: Arc<str>,
    profile: PhantomData<fn() -> P>,
}

impl<P> Clone for PgSessionStore<P> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            load: self.load.clone(),
            profile: PhantomData,
        }
    }
}

impl<P> std::fmt::Debug for PgSessionStore<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSessionStore").finish_non_exhaustive()
    }
}

impl<P: ProfileRow> PgSessionStore<P> {
    /// A store on `pool`.
    pub fn new(pool: PgPool) -> Self {
        let load = format!(
            "SELECT extract(epoch FROM s.expiry_date)::float8, floor(extract(epoch FROM s.authenticated_at) * 1000)::int8,
                    s.notice, s.last_seen_at < now() - interval '1 day',
                    u.id, u.is_anonymous, u.email, extract(epoch FROM s.acting_until)::int8{}
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.expiry_date > now()
               AND (s.acting_until IS NULL OR s.acting_until > now())",
            profile_columns::<P>()
        );
        Self {
            pool,
            load: load.into(),
            profile: PhantomData,
        }
    }

    /// The record of a live session's row.
    fn record(id: Id, row: &PgRow) -> Result<Record, sqlx::Error> {
        let user: User<P> = match row.try_get(5)? {
            true => User::Guest { id: row.try_get(4)? },
            false => User::Member {
                id: row.try_get(4)?,
                email: row.try_get(6)?,
                profile: P::from_row(row, 8)?,
            },
        };
        let user = serde_json::to_value(&user).map_err(|e| sqlx::Error::Decode(e.into()))?;
        let mut data = HashMap::from([
            (keys::USER.to_owned(), user),
            (
                keys::AUTHENTICATED_AT.to_owned(),
                Value::from(row.try_get::<i64, _>(1)?),
            ),
            (
                keys::TOUCH_DUE.to_owned(),
                Value::from(row.try_get::<bool, _>(3)?),
            ),
        ]);
        if let Some(until) = row.try_get::<Option<i64>, _>(7)? {
            data.insert(keys::ACTING_UNTIL.to_owned(), Value::from(until));
        }
        if let Some(notice) = row.try_get::<Option<String>, _>(2)? {
            data.insert(keys::NOTICE.to_owned(), Value::from(notice));
        }
        let expiry = row.try_get::<f64, _>(0)? as i64;
        Ok(Record {
            id,
            data,
            expiry_date: OffsetDateTime::from_unix_timestamp(expiry)
                .map_err(|e| sqlx::Error::Decode(e.into()))?,
        })
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl<P: ProfileRow> SessionStore for PgSessionStore<P> {
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
        let row = sqlx::query(&self.load)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        if let Some(row) = row {
            return Self::record(*id, &row).map(Some).map_err(backend);
        }
        // Gone: ended by another device, which left word why (a second query
        // only for cookies of ended sessions).
        let farewell = super::farewell::find(&self.pool, &id.to_string())
            .await
            .map_err(backend)?;
        let Some(farewell) = farewell else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: HashMap::from([(
                keys::FAREWELL.to_owned(),
                serde_json::to_value(farewell).map_err(backend)?,
            )]),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
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
