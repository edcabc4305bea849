//! The session store and farewells against a real Postgres, with the tables
//! the crate expects (their shape is written here until the crate ships its
//! own migrations) and a profile of this test's own: a load reads the users
//! row as it is now, profile included; only a flow's row is ever adopted; a
//! save never brings an ended session back; an ended browser finds why.
//! (A rotation is the one ending's: `tests/ending.rs`.)

use crate::common;

use anonymous_first::sessions::{self, Ending, Farewell, farewell, keys};
use anonymous_first::{PgSessionStore, Profile, ProfileRow, User};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgPool;
use time::OffsetDateTime;
use tower_sessions_core::SessionStore;
use tower_sessions_core::session::{Id, Record};
use uuid::Uuid;

const SCHEMA: &str = include_str!("../schema/profile.sql");

/// This app's own fields of a member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Nick {
    nickname: Option<String>,
    editor: bool,
}

impl Profile for Nick {
    fn name(&self) -> Option<&str> {
        self.nickname.as_deref()
    }
}

impl ProfileRow for Nick {
    const COLUMNS: &'static str = "u.nickname, u.role = 'editor'";

    fn from_row(row: &sqlx::postgres::PgRow, first: usize) -> sqlx::Result<Self> {
        use sqlx::Row as _;
        Ok(Self {
            nickname: row.try_get(first)?,
            editor: row.try_get(first + 1)?,
        })
    }
}

/// A user row, and a live session of theirs (its id).
async fn signed_in(pool: &PgPool, guest: bool) -> (Uuid, Id) {
    let user: Uuid = sqlx::query_scalar("INSERT INTO users (is_anonymous) VALUES ($1) RETURNING id")
        .bind(guest)
        .fetch_one(pool)
        .await
        .unwrap();
    (user, session_of(pool, user).await)
}

async fn session_of(pool: &PgPool, user: Uuid) -> Id {
    let id = Id::default();
    sqlx::query("INSERT INTO sessions (id, user_id, expiry_date) VALUES ($1, $2, now() + interval '1 day')")
        .bind(id.to_string())
        .bind(user)
        .execute(pool)
        .await
        .unwrap();
    id
}

async fn user_of(store: &PgSessionStore<Nick>, id: &Id) -> Option<User<Nick>> {
    let record = store.load(id).await.unwrap()?;
    record
        .data
        .get(keys::USER)
        .map(|u| serde_json::from_value(u.clone()).unwrap())
}

#[tokio::test]
async fn a_load_reads_the_users_row_as_it_is_now() {
    let db = common::Db::new(SCHEMA).await;
    let store = PgSessionStore::<Nick>::new(db.pool.clone());
    let (user, id) = signed_in(&db.pool, true).await;
    assert_eq!(user_of(&store, &id).await, Some(User::Guest { id: user }));

    // Promoted elsewhere, given a name and a role: the next load says so.
    sqlx::query(
        "UPDATE users SET is_anonymous = false, email = 'ada@example.com', nickname = 'Ada', role = 'editor'",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let member = user_of(&store, &id).await.unwrap();
    let profile = Nick {
        nickname: Some("Ada".into()),
        editor: true,
    };
    assert_eq!(
        member,
        User::Member {
            id: user,
            email: Some("ada@example.com".into()),
            profile: profile.clone()
        }
    );
    assert_eq!(member.label(), Some("Ada"));
    let mut conn = db.pool.acquire().await.unwrap();
    assert_eq!(
        sessions::member::<Nick>(&mut conn, user).await.unwrap(),
        Some(member)
    );
    drop(conn);

    // The role taken away: no copy from before survives.
    sqlx::query("UPDATE users SET role = 'reader'")
        .execute(&db.pool)
        .await
        .unwrap();
    let now = user_of(&store, &id).await.unwrap();
    assert!(!now.profile().unwrap().editor);

    // Deleted: nobody (no farewell was left, so no record at all).
    sqlx::query("DELETE FROM users").execute(&db.pool).await.unwrap();
    assert!(store.load(&id).await.unwrap().is_none());
    db.drop().await;
}

#[tokio::test]
async fn only_a_flows_row_is_adopted_and_a_save_never_brings_a_session_back() {
    let db = common::Db::new(SCHEMA).await;
    let store = PgSessionStore::<Nick>::new(db.pool.clone());
    let expiry = OffsetDateTime::now_utc() + time::Duration::days(30);
    let record = |data: Vec<(&str, Value)>| Record {
        id: Id::default(),
        data: data.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        expiry_date: expiry,
    };

    // Nothing adopted: the random id stays unstored and names nobody.
    let mut plain = record(vec![("anything", Value::from(1))]);
    store.create(&mut plain).await.unwrap();
    assert!(store.load(&plain.id).await.unwrap().is_none());

    // A flow's row is taken over, and a save extends it and keeps the notice.
    let (_, flows) = signed_in(&db.pool, false).await;
    let mut adopted = record(vec![
        (keys::ADOPT, Value::from(flows.to_string())),
        (keys::NOTICE, Value::from("Welcome back")),
    ]);
    store.create(&mut adopted).await.unwrap();
    assert_eq!(adopted.id, flows);
    store.save(&adopted).await.unwrap();
    let loaded = store.load(&flows).await.unwrap().unwrap();
    assert_eq!(loaded.data[keys::NOTICE], "Welcome back");
    assert_eq!(loaded.expiry_date.unix_timestamp(), expiry.unix_timestamp());

    // Revoked while its request was in flight: that request's save writes nothing.
    store.delete(&flows).await.unwrap();
    store.save(&adopted).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    assert!(store.load(&flows).await.unwrap().is_none());
    db.drop().await;
}

#[tokio::test]
async fn an_ended_browser_finds_why_and_only_the_sessions_named_end() {
    let db = common::Db::new(SCHEMA).await;
    let store = PgSessionStore::<Nick>::new(db.pool.clone());
    let farewell_of = async |id: &Id| -> Option<Farewell> {
        let record = store.load(id).await.unwrap()?;
        assert!(
            !record.data.contains_key(keys::USER),
            "an ended session names nobody"
        );
        Some(serde_json::from_value(record.data[keys::FAREWELL].clone()).unwrap())
    };
    let (guest, phone) = signed_in(&db.pool, true).await;
    let laptop = session_of(&db.pool, guest).await;
    let (account, _) = signed_in(&db.pool, false).await;
    sqlx::query("UPDATE users SET email = 'bo@example.com' WHERE id = $1")
        .bind(account)
        .execute(&db.pool)
        .await
        .unwrap();

    // A request whose own session is gone cannot end the others.
    let stale = Id::default().to_string();
    let mut tx = db.pool.begin().await.unwrap();
    let not_signed_in = Ending {
        while_signed_in: Some(&stale),
        ..Ending::all(guest)
    };
    assert_eq!(farewell::end_sessions(&mut tx, not_signed_in).await.unwrap(), 0);
    // The guest moved into the account from the laptop: the phone's ends
    // with word of where, the laptop's stays.
    let keep = laptop.to_string();
    let moved = Ending {
        keep: Some(&keep),
        moved_to: Some(account),
        ..Ending::all(guest)
    };
    assert_eq!(farewell::end_sessions(&mut tx, moved).await.unwrap(), 1);
    tx.commit().await.unwrap();

    assert_eq!(
        farewell_of(&phone).await,
        Some(Farewell {
            moved: true,
            email: Some("bo@example.com".into()),
            banned: false,
        })
    );
    assert_eq!(
        farewell::moved_to(&db.pool, &phone.to_string()).await.unwrap(),
        Some(account)
    );
    assert_eq!(user_of(&store, &laptop).await, Some(User::Guest { id: guest }));

    // Signed out from another device: the farewell says only that.
    let only = laptop.to_string();
    let mut conn = db.pool.acquire().await.unwrap();
    let one = Ending {
        only: Some(&only),
        ..Ending::all(guest)
    };
    assert_eq!(farewell::end_sessions(&mut conn, one).await.unwrap(), 1);
    drop(conn);
    assert_eq!(
        farewell_of(&laptop).await,
        Some(Farewell {
            moved: false,
            email: None,
            banned: false,
        })
    );
    // A cookie that never named a session hears nothing; the table holds
    // hashes, never a session id.
    assert!(store.load(&Id::default()).await.unwrap().is_none());
    let ids: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM session_farewells WHERE id_hash IN (convert_to($1, 'UTF8'), convert_to($2, 'UTF8'))",
    )
    .bind(phone.to_string())
    .bind(laptop.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(ids, 0);
    // Kept for a while, then pruned.
    sqlx::query("UPDATE session_farewells SET created_at = now() - interval '31 days'")
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(farewell_of(&phone).await.is_none());
    assert_eq!(farewell::prune(&db.pool).await.unwrap(), 2);
    db.drop().await;
}
