//! One-time tokens against a real Postgres, with the `auth_tokens` table the
//! crate expects (its shape is written here until the crate ships its own
//! migrations): only a hash is stored; a look never uses a token up; of many
//! concurrent uses exactly one wins; a newer token retires only the same
//! asker's older ones; a code gets at most five tries, counted before the
//! check; a renewed token's old secret is dead.

mod common;

use anonymous_first::tokens::{self, NewToken, NoTry, Peek, Purpose};

const SCHEMA: &str = "
CREATE TABLE users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), is_anonymous boolean NOT NULL);
CREATE TABLE auth_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    purpose text NOT NULL CHECK (purpose IN ('magic_link', 'email_verify', 'password_reset', 'email_add')),
    email text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    guest_id uuid REFERENCES users ON DELETE SET NULL,
    next_path text NOT NULL DEFAULT '/' CHECK (next_path LIKE '/%' AND length(next_path) <= 512),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    password_hash text CHECK (password_hash IS NULL OR (purpose = 'email_verify' AND password_hash LIKE '$argon2id$%')),
    code_hash text CHECK (code_hash IS NULL OR code_hash LIKE '$argon2id$%'),
    code_attempts int NOT NULL DEFAULT 0 CHECK (code_attempts BETWEEN 0 AND 5),
    browser_hash bytea CHECK (browser_hash IS NULL OR length(browser_hash) = 32),
    user_id uuid REFERENCES users ON DELETE CASCADE
);
CREATE INDEX auth_tokens_open ON auth_tokens (email, purpose) WHERE used_at IS NULL;
";

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
