//! The way in by password against a real Postgres, with an app of the
//! test's own (a `notes` table a user owns): a wrong or unproven password
//! changes nothing, the right one brings this browser's guest along in the
//! sign-in, tries are limited per address and client, and a change needs the
//! current password (or, for a first one, a recent sign-in) and can sign the
//! other browsers out with it.

use crate::common;
use anonymous_first::hooks::NoHooks;
use anonymous_first::identity::Config;
use anonymous_first::limits::{AddressAction, Limit};
use anonymous_first::password::{self, ChangeError, Hasher, SignInError};
use anonymous_first::{
    Caller, Identity, NoProfile, OwnedData, OwnedTable, PgSessionStore, TypedSession, User,
};
use sqlx::PgPool;
use std::net::IpAddr;
use std::sync::Arc;
use tower_sessions_core::Session;
use tower_sessions_core::session::Id;
use uuid::Uuid;

const SCHEMA: &str =
    "CREATE TABLE notes (id serial PRIMARY KEY, user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE);";

/// A user with `notes` notes and a session signed in `age` minutes ago.
async fn user(pool: &PgPool, email: Option<&str>, hash: Option<&str>, notes: i32, age: i32) -> (Uuid, Id) {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (is_anonymous, email, password_hash, email_verified_at)
         VALUES ($1, $2, $3, CASE WHEN $2 LIKE 'proven%' THEN now() END) RETURNING id",
    )
    .bind(email.is_none())
    .bind(email)
    .bind(hash)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO notes (user_id) SELECT $1 FROM generate_series(1, $2)")
        .bind(id)
        .bind(notes)
        .execute(pool)
        .await
        .unwrap();
    let session = Id::default();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, expiry_date, authenticated_at)
         VALUES ($1, $2, now() + interval '1 day', now() - make_interval(mins => $3))",
    )
    .bind(session.to_string())
    .bind(id)
    .bind(age)
    .execute(pool)
    .await
    .unwrap();
    (id, session)
}

async fn browser(pool: &PgPool, session: Option<Id>) -> Caller<NoProfile> {
    let store = Arc::new(PgSessionStore::<NoProfile>::new(pool.clone()));
    Caller {
        session: TypedSession::load(Session::new(session, store, None))
            .await
            .unwrap(),
        ip: Some(IpAddr::from([192, 0, 2, 7])),
        user_agent: "Firefox".into(),
    }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Our app, allowing `tries` password tries per address and client.
fn identity(pool: &PgPool, tries: i32) -> Identity {
    let mut config = Config::default();
    config.address_limits.password_per_account = Limit::new(AddressAction::PasswordPerAccount, tries);
    Identity {
        pool: pool.clone(),
        owned: Arc::new(OwnedData::new(&[OwnedTable::new("notes", "user_id")]).unwrap()),
        hooks: Arc::new(NoHooks),
        hasher: Hasher::new(1),
        config,
    }
}

#[tokio::test]
async fn the_right_proven_password_signs_in_with_the_guest_and_tries_are_limited() {
    let db = common::Db::new(SCHEMA).await;
    let pool = &db.pool;
    let id = identity(pool, 2);
    let hash = id.hasher.hash("correct horse battery".into()).await.unwrap();
    let (member, _) = user(pool, Some("proven@example.com"), Some(&hash), 1, 0).await;
    user(pool, Some("unproven@example.com"), Some(&hash), 0, 0).await;
    let (_, guest_session) = user(pool, None, None, 2, 0).await;

    let mut caller = browser(pool, Some(guest_session)).await;
    let wrong = password::sign_in(&id, &mut caller, "proven@example.com", "wrong horse".into()).await;
    assert!(matches!(wrong, Err(SignInError::Mismatch)));
    let unproven = password::sign_in(
        &id,
        &mut caller,
        "unproven@example.com",
        "correct horse battery".into(),
    )
    .await;
    assert!(
        matches!(unproven, Err(SignInError::Mismatch)),
        "an address nobody proved"
    );
    assert!(caller.session.guest().is_some(), "still the guest");
    assert_eq!(count(pool, "SELECT count(*) FROM sign_ins").await, 0);

    let ended = password::sign_in(
        &id,
        &mut caller,
        "Proven@Example.com",
        "correct horse battery".into(),
    )
    .await
    .unwrap();
    assert_eq!(ended.user, member);
    assert!(matches!(caller.session.user(), Some(User::Member { id, .. }) if *id == member));
    let notes = format!("SELECT count(*) FROM notes WHERE user_id = '{member}'");
    assert_eq!(count(pool, &notes).await, 3, "the guest's two notes came along");
    assert_eq!(
        count(pool, "SELECT count(*) FROM sign_ins WHERE method = 'password'").await,
        1
    );

    // Two tries at this address from this client (the wrong one and the
    // right one) were all there are: a third is refused even when right.
    let mut other = browser(pool, None).await;
    let over = password::sign_in(
        &id,
        &mut other,
        "proven@example.com",
        "correct horse battery".into(),
    )
    .await;
    assert!(matches!(over, Err(SignInError::TooMany(_))), "{over:?}");
    db.drop().await;
}

#[tokio::test]
async fn a_change_needs_the_current_password_or_a_recent_sign_in_and_can_end_the_other_sessions() {
    let db = common::Db::new(SCHEMA).await;
    let pool = &db.pool;
    let id = identity(pool, 10);
    let (member, stale) = user(pool, Some("proven@example.com"), None, 0, 60).await;
    let recent = Id::default();
    sqlx::query("INSERT INTO sessions (id, user_id, expiry_date) VALUES ($1, $2, now() + interval '1 day')")
        .bind(recent.to_string())
        .bind(member)
        .execute(pool)
        .await
        .unwrap();
    let (_, guest) = user(pool, None, None, 0, 0).await;

    let as_guest = browser(pool, Some(guest)).await;
    let refused = password::change(&id, &as_guest, String::new(), "a fine new password".into(), false).await;
    assert!(matches!(refused, Err(ChangeError::NotSignedIn)));
    let old = browser(pool, Some(stale)).await;
    let refused = password::change(&id, &old, String::new(), "a fine new password".into(), false).await;
    assert!(matches!(refused, Err(ChangeError::NotRecent(10))), "{refused:?}");
    let here = browser(pool, Some(recent)).await;
    let weak = password::change(&id, &here, String::new(), "password".into(), false).await;
    assert!(matches!(weak, Err(ChangeError::Weak(_))));
    let set = "SELECT count(*) FROM users WHERE password_hash IS NOT NULL";
    assert_eq!(count(pool, set).await, 0, "nothing set yet");

    password::change(&id, &here, String::new(), "a fine new password".into(), false)
        .await
        .unwrap();
    let wrong = password::change(&id, &here, "not it".into(), "another fine one".into(), true).await;
    assert!(matches!(wrong, Err(ChangeError::WrongCurrent)));
    assert_eq!(
        count(pool, "SELECT count(*) FROM sessions").await,
        3,
        "nobody signed out"
    );
    password::change(
        &id,
        &here,
        "a fine new password".into(),
        "another fine one".into(),
        true,
    )
    .await
    .unwrap();
    let left = format!("SELECT count(*) FROM sessions WHERE user_id = '{member}'");
    assert_eq!(count(pool, &left).await, 1, "only this browser stays signed in");
    let mut fresh = browser(pool, None).await;
    password::sign_in(&id, &mut fresh, "proven@example.com", "another fine one".into())
        .await
        .unwrap();
    db.drop().await;
}
