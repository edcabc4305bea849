//! The guest mint against a real Postgres: one guest however many racing
//! calls share a browser's key; the limits per client and per network refuse
//! with nothing made; the app's step runs in the same statement; a key whose
//! guest became a member makes a new guest; a contribution whose guest moved
//! follows it into the account.

use crate::common;

use anonymous_first::guests::{Caller, MintError, MintLimit, Minter};
use anonymous_first::limits::Limited;
use anonymous_first::sessions::{Ending, farewell};
use anonymous_first::{NoProfile, PgSessionStore, TypedSession};
use sqlx::PgPool;
use std::net::IpAddr;
use std::sync::Arc;
use tower_sessions_core::Session;

const SCHEMA: &str = "CREATE TABLE seen (id uuid PRIMARY KEY);";

/// This app's catalogue of limited actions.
#[derive(Clone, Copy)]
enum Act {
    Guest,
    GuestPerNetwork,
}

impl Limited for Act {
    fn name(self) -> &'static str {
        match self {
            Act::Guest => "new_guest",
            Act::GuestPerNetwork => "new_guest_network",
        }
    }
    fn window_secs(self) -> i64 {
        3600
    }
    fn message(self) -> &'static str {
        "Many lists were started from here lately."
    }
}

fn minter(per_client: i32, per_network: i32) -> Minter {
    Minter::new(
        MintLimit::new(Act::Guest, per_client),
        MintLimit::new(Act::GuestPerNetwork, per_network),
        Some("noted AS (INSERT INTO seen (id) SELECT id FROM fresh)"),
    )
}

/// A browser's request with no session yet, from `ip`.
async fn browser(pool: &PgPool, ip: &str) -> Caller<NoProfile> {
    let store = Arc::new(PgSessionStore::<NoProfile>::new(pool.clone()));
    Caller {
        session: TypedSession::load(Session::new(None, store, None)).await.unwrap(),
        ip: Some(ip.parse::<IpAddr>().unwrap()),
        user_agent: "Test".into(),
        trusted_browser: None,
    }
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_racing_calls_with_one_key_make_one_guest() {
    let db = common::Db::new(SCHEMA).await;
    let mint = Arc::new(minter(100, 400));
    let key = "a-browser-key-0123456789";
    let calls = (0..20).map(|_| {
        let (pool, mint) = (db.pool.clone(), mint.clone());
        tokio::spawn(async move {
            let mut caller = browser(&pool, "192.0.2.1").await;
            mint.user_or_mint(&pool, &mut caller, Some(key)).await.unwrap()
        })
    });
    let minted: Vec<_> = futures_join(calls).await;
    let first = minted[0].user.id();
    assert!(minted.iter().all(|m| m.user.id() == first));
    assert_eq!(minted.iter().filter(|m| m.created).count(), 1);
    assert_eq!(count(&db.pool, "users").await, 1);
    assert_eq!(
        count(&db.pool, "seen").await,
        1,
        "the app's step ran once, for the new guest"
    );
    assert_eq!(
        count(&db.pool, "sessions").await,
        20,
        "each browser its own session"
    );

    // The guest became a member: the same key now makes a new guest.
    sqlx::query("UPDATE users SET is_anonymous = false, email = 'a@example.com'")
        .execute(&db.pool)
        .await
        .unwrap();
    let mut later = browser(&db.pool, "192.0.2.1").await;
    let again = mint.user_or_mint(&db.pool, &mut later, Some(key)).await.unwrap();
    assert!(again.created && again.user.id() != first);
    // Signed in, a browser's next contribution is its user's: nothing made.
    let same = mint.user_or_mint(&db.pool, &mut later, Some(key)).await.unwrap();
    assert!(!same.created && same.user == again.user);
    // A guest an admin suspended (its sessions ended) is never reopened by
    // its key: a resubmitted contribution makes a new guest.
    let other = "another-browser-key-0123";
    let mut tab = browser(&db.pool, "192.0.2.2").await;
    let vandal = mint
        .user_or_mint(&db.pool, &mut tab, Some(other))
        .await
        .unwrap()
        .user
        .id();
    sqlx::query("UPDATE users SET banned_at = now() WHERE id = $1")
        .bind(vandal)
        .execute(&db.pool)
        .await
        .unwrap();
    let mut resubmitted = browser(&db.pool, "192.0.2.2").await;
    let after = mint
        .user_or_mint(&db.pool, &mut resubmitted, Some(other))
        .await
        .unwrap();
    assert!(after.created && after.user.id() != vandal);
    db.drop().await;
}

async fn futures_join<T: Send + 'static>(calls: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        out.push(call.await.unwrap());
    }
    out
}

#[tokio::test]
async fn over_a_limit_nothing_is_made_and_the_answer_names_the_limit() {
    let db = common::Db::new(SCHEMA).await;
    // Every attempt counts, a refused one too.
    let mint = minter(2, 4);
    for _ in 0..2 {
        let mut caller = browser(&db.pool, "2001:db8:1:1::1").await;
        assert!(
            mint.user_or_mint(&db.pool, &mut caller, None)
                .await
                .unwrap()
                .created
        );
    }
    // The same /64: over the per-client limit.
    let mut caller = browser(&db.pool, "2001:db8:1:1::2").await;
    match mint.user_or_mint(&db.pool, &mut caller, None).await {
        Err(MintError::TooMany(over)) => {
            assert_eq!(over.action, "new_guest");
            assert!(over.retry_after >= 1 && over.retry_after <= 3600);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(caller.user().is_none());
    // Another /64 of the same /48: its fourth attempt, the last one allowed;
    // then the network's limit.
    let mut other = browser(&db.pool, "2001:db8:1:2::1").await;
    assert!(mint.user_or_mint(&db.pool, &mut other, None).await.is_ok());
    let mut fourth = browser(&db.pool, "2001:db8:1:3::1").await;
    match mint.user_or_mint(&db.pool, &mut fourth, None).await {
        Err(MintError::TooMany(over)) => assert_eq!(over.action, "new_guest_network"),
        other => panic!("expected the network's refusal, got {other:?}"),
    }
    assert_eq!(count(&db.pool, "users").await, 3);
    assert_eq!(count(&db.pool, "sessions").await, 3);
    db.drop().await;
}

#[tokio::test]
async fn a_contribution_whose_guest_moved_follows_it_or_makes_a_new_guest() {
    let db = common::Db::new(SCHEMA).await;
    let mint = minter(100, 400);
    let mut phone = browser(&db.pool, "192.0.2.7").await;
    let guest = mint
        .user_or_mint(&db.pool, &mut phone, None)
        .await
        .unwrap()
        .user
        .id();
    // A stale view of the same browser: it still holds the guest.
    let mut stale = browser(&db.pool, "192.0.2.7").await;
    stale.session = phone.session.clone();
    let account: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO users (is_anonymous, email) VALUES (false, 'b@example.com') RETURNING id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    let moved = Ending {
        moved_to: Some(account),
        ..Ending::all(guest)
    };
    farewell::end_sessions(&mut conn, moved).await.unwrap();
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(guest)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let owner = mint
        .owner_after_vanished(&db.pool, &mut stale, None)
        .await
        .unwrap();
    assert_eq!(owner, (account, false));

    // Reaped instead (no farewell): a new guest for this browser.
    let mut lone = browser(&db.pool, "192.0.2.8").await;
    let reaped = mint
        .user_or_mint(&db.pool, &mut lone, None)
        .await
        .unwrap()
        .user
        .id();
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(reaped)
        .execute(&db.pool)
        .await
        .unwrap();
    let (owner, created) = mint
        .owner_after_vanished(&db.pool, &mut lone, None)
        .await
        .unwrap();
    assert!(created && owner != reaped);
    assert_eq!(lone.user().map(|u| u.id()), Some(owner));
    db.drop().await;
}
