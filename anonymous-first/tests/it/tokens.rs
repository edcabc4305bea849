//! One-time tokens against a real Postgres, with the crate's own
//! `auth_tokens` table (its migrations): only a hash is stored; a look never uses a token up; of many
//! concurrent uses exactly one wins; a newer token retires only the same
//! asker's older ones; a code gets at most five tries, counted before the
//! check; a renewed token's old secret is dead.

use crate::common;

use anonymous_first::tokens::{self, NewToken, NoTry, Peek, Purpose};

/// Nothing of the test's own: the crate's migrations make every table.
const SCHEMA: &str = "";

fn link<'a>(email: &'a str, browser: &'a [u8]) -> NewToken<'a> {
    NewToken {
        purpose: Purpose::MagicLink,
        email,
        guest_id: None,
        next_path: "/lists",
        ttl_minutes: 15,
        password_hash: None,
        browser_hash: Some(browser),
        user_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_looked_at_freely_used_once_and_retired_only_by_its_asker() {
    let db = common::Db::new(SCHEMA).await;
    let pool = &db.pool;
    let (mine, theirs) = ([1u8; 32], [2u8; 32]);
    let mut conn = pool.acquire().await.unwrap();
    let first = tokens::issue(&mut conn, link("a@example.com", &mine))
        .await
        .unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM auth_tokens WHERE id = $1")
        .bind(first.id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(Some(stored), tokens::hash(&first.token), "only the hash is kept");
    assert_ne!(tokens::hash(&first.token).unwrap(), first.token.as_bytes());

    // Someone else asking for the same address retires nothing of mine.
    tokens::issue(&mut conn, link("a@example.com", &theirs))
        .await
        .unwrap();
    for _ in 0..3 {
        let look = tokens::peek(pool, Purpose::MagicLink, &first.token)
            .await
            .unwrap();
        assert!(
            matches!(look, Peek::Valid(ref row) if row.next_path == "/lists"),
            "{look:?}"
        );
    }
    assert!(matches!(
        tokens::peek(pool, Purpose::PasswordReset, &first.token)
            .await
            .unwrap(),
        Peek::Unknown
    ));

    // Eight uses at once: exactly one gets the row.
    let racers = (0..8).map(|_| {
        let (pool, token) = (pool.clone(), first.token.clone());
        tokio::spawn(async move {
            let mut tx = pool.begin().await.unwrap();
            let won = tokens::consume(&mut tx, Purpose::MagicLink, &token)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            won.is_some()
        })
    });
    let mut wins = 0;
    for racer in racers {
        wins += racer.await.unwrap() as usize;
    }
    assert_eq!(wins, 1);
    assert!(matches!(
        tokens::peek(pool, Purpose::MagicLink, &first.token)
            .await
            .unwrap(),
        Peek::Used
    ));

    // My newer link retires my older one, not theirs.
    let older = tokens::issue(&mut conn, link("a@example.com", &mine))
        .await
        .unwrap();
    tokens::issue(&mut conn, link("a@example.com", &mine))
        .await
        .unwrap();
    assert!(matches!(
        tokens::peek(pool, Purpose::MagicLink, &older.token)
            .await
            .unwrap(),
        Peek::Used
    ));
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_tokens WHERE used_at IS NULL")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(open, 2, "mine (the newest) and theirs");
    drop(conn);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_gets_five_tries_counted_before_the_check_and_a_renewed_secret_kills_the_old() {
    let db = common::Db::new(SCHEMA).await;
    let pool = &db.pool;
    let browser = tokens::generate().unwrap();
    let browser_hash = tokens::hash(&browser).unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let issued = tokens::issue(&mut conn, link("b@example.com", &browser_hash))
        .await
        .unwrap();
    drop(conn);
    let mailed = tokens::rekey(pool, issued.id, true).await.unwrap().unwrap();
    assert!(
        matches!(
            tokens::peek(pool, Purpose::MagicLink, &issued.token)
                .await
                .unwrap(),
            Peek::Unknown
        ),
        "the secret made at issue is dead once the mail's is made"
    );
    let code = mailed.code.unwrap();
    assert_eq!(tokens::normalize_code(&code), Some(code.clone()));

    let other = tokens::generate().unwrap();
    assert!(matches!(
        tokens::code_target(pool, issued.id, Some(&other)).await.unwrap(),
        tokens::CodeTarget::OtherBrowser
    ));
    let tokens::CodeTarget::Live(code_hash) = tokens::code_target(pool, issued.id, Some(&browser))
        .await
        .unwrap()
    else {
        panic!("the asking browser can try the code");
    };
    // Twelve tries at once: five are taken, however many are in flight.
    let tries = (0..12).map(|_| {
        let (pool, code_hash) = (pool.clone(), code_hash.clone());
        tokio::spawn(async move { tokens::take_try(&pool, issued.id, &code_hash).await.unwrap() })
    });
    let mut taken = Vec::new();
    for t in tries {
        taken.extend(t.await.unwrap());
    }
    taken.sort();
    assert_eq!(taken, [1, 2, 3, 4, 5]);
    assert_eq!(
        tokens::why_no_try(pool, issued.id).await.unwrap(),
        NoTry::TriedOut
    );
    tokens::retire_tried_out(pool, issued.id, &code_hash)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    assert!(
        tokens::consume_code(&mut tx, issued.id, &code_hash)
            .await
            .unwrap()
            .is_none()
    );
    drop(tx);
    db.drop().await;
}
