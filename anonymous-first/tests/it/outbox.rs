//! The outbox against a real Postgres, with words of this test's own and a
//! folder mailer: a mail goes out only if its transaction committed, with a
//! link made as it is sent (the first secret dead); a used link is given up
//! unsent; the app's own kinds are rendered as they are sent; two workers
//! never send one mail twice.

use crate::common;

use anonymous_first::EmailAddress;
use anonymous_first::hooks::BoxFuture;
use anonymous_first::mail::{Email, Mailer};
use anonymous_first::outbox::{self, Letter, Link, Queued, Retry, Sender, Sent, Words};
use anonymous_first::tokens::{self, NewToken, Purpose};
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use uuid::Uuid;

/// Nothing of the test's own: the crate's migrations make every table.
const SCHEMA: &str = "";

/// This app's words: the link and code in the text, a weekly kind of its own.
struct Plain;

impl Words for Plain {
    fn letter(&self, letter: Letter, to: &EmailAddress, link: &Link) -> Email {
        let text = format!("{} {}", link.url, link.code.as_deref().unwrap_or("-"));
        Email {
            to: to.clone(),
            subject: format!("{letter:?}"),
            html: format!("<p>{text}</p>"),
            text,
            link: Some(link.url.clone()),
            unsubscribe: None,
        }
    }

    fn own<'a>(
        &'a self,
        _: &'a PgPool,
        kind: &'a str,
        to: &'a EmailAddress,
        _: Uuid,
        _: f64,
    ) -> BoxFuture<'a, anyhow::Result<Option<Email>>> {
        Box::pin(async move {
            Ok((kind == "weekly").then(|| Email {
                to: to.clone(),
                subject: "Your week".into(),
                text: "Three new lists".into(),
                html: "<p>Three new lists</p>".into(),
                link: None,
                unsubscribe: None,
            }))
        })
    }
}

fn sender(dir: &Path) -> Sender {
    Sender {
        mailer: Mailer::folder(dir.to_path_buf(), "Lists <hello@lists.test>").unwrap(),
        retry: Retry::default(),
        public_url: "https://lists.test".into(),
        link_minutes: 15,
        words: Arc::new(Plain),
    }
}

fn mails(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        // Quoted-printable, as sent: soft line breaks out, `=` back.
        .map(|eml| eml.replace("=\r\n", "").replace("=\n", "").replace("=3D", "="))
        .collect();
    all.sort();
    all
}

/// Issues a sign-in token for `to` and queues its mail, in one transaction
/// that commits or not; the token's first secret.
async fn ask(pool: &PgPool, to: &EmailAddress, commit: bool) -> String {
    let mut tx = pool.begin().await.unwrap();
    let issued = tokens::issue(
        &mut tx,
        NewToken {
            purpose: Purpose::MagicLink,
            email: to.as_str(),
            guest_id: None,
            next_path: "/",
            ttl_minutes: 15,
            password_hash: None,
            browser_hash: Some(&[7u8; 32]),
            user_id: None,
        },
    )
    .await
    .unwrap();
    let mail = Queued {
        letter: Letter::MagicLink,
        to,
        token: issued.id,
        minutes: 15,
    };
    outbox::queue(&mut tx, mail).await.unwrap();
    if commit {
        tx.commit().await.unwrap();
    }
    issued.token
}

fn folder() -> PathBuf {
    std::env::temp_dir().join(format!("anonymous-first-outbox-{}", Uuid::new_v4().simple()))
}

#[tokio::test]
async fn a_mail_goes_out_once_committed_with_a_link_made_as_it_is_sent() {
    let db = common::Db::new(SCHEMA).await;
    let dir = folder();
    let sender = sender(&dir);
    let to = EmailAddress::parse("ada@example.com").unwrap();

    ask(&db.pool, &to, false).await;
    assert_eq!(
        outbox::send_next(&db.pool, &sender).await.unwrap(),
        None,
        "rolled back: nothing"
    );

    let first = ask(&db.pool, &to, true).await;
    assert_eq!(
        outbox::send_next(&db.pool, &sender).await.unwrap(),
        Some(Sent::Delivered)
    );
    let sent = mails(&dir);
    assert_eq!(sent.len(), 1);
    let url = sent[0]
        .split_whitespace()
        .find(|w| w.starts_with("https://lists.test/auth/confirm?token="))
        .expect("the link")
        .to_owned();
    let secret = url.rsplit('=').next().unwrap();
    assert_ne!(secret, first, "the link's secret is made as it is sent");
    let peek = |t: String| {
        let pool = db.pool.clone();
        async move { tokens::peek(&pool, Purpose::MagicLink, &t).await.unwrap() }
    };
    assert!(matches!(peek(secret.to_owned()).await, tokens::Peek::Valid(_)));
    assert!(
        matches!(peek(first).await, tokens::Peek::Unknown),
        "the first secret is dead"
    );
    assert_eq!(
        outbox::send_next(&db.pool, &sender).await.unwrap(),
        None,
        "sent once"
    );

    // A link used before its mail went out is not sent at all.
    ask(&db.pool, &to, true).await;
    sqlx::query("UPDATE auth_tokens SET used_at = now() WHERE used_at IS NULL")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        outbox::send_next(&db.pool, &sender).await.unwrap(),
        Some(Sent::GaveUp)
    );
    assert_eq!(mails(&dir).len(), 1);
    std::fs::remove_dir_all(dir).unwrap();
    db.drop().await;
}

#[tokio::test]
async fn the_apps_own_kinds_are_worded_as_they_are_sent_or_given_up() {
    let db = common::Db::new(SCHEMA).await;
    let dir = folder();
    let sender = sender(&dir);
    let to = EmailAddress::parse("bo@example.com").unwrap();
    let user: Uuid =
        sqlx::query_scalar("INSERT INTO users (is_anonymous, email) VALUES (false, $1) RETURNING id")
            .bind(to.as_str())
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let mut tx = db.pool.begin().await.unwrap();
    outbox::queue_own(&mut tx, "weekly", &to, user, 0.0, 60)
        .await
        .unwrap();
    outbox::queue_own(&mut tx, "retired_kind", &to, user, 0.0, 60)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        outbox::send_next(&db.pool, &sender).await.unwrap(),
        Some(Sent::Delivered)
    );
    assert_eq!(
        outbox::send_next(&db.pool, &sender).await.unwrap(),
        Some(Sent::GaveUp)
    );
    let sent = mails(&dir);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("Subject: Your week"));
    assert_eq!(outbox::backlog(&db.pool).await.unwrap().0, 0);
    std::fs::remove_dir_all(dir).unwrap();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_never_send_one_mail_twice() {
    let db = common::Db::new(SCHEMA).await;
    let dir = folder();
    for i in 0..12 {
        let to = EmailAddress::parse(&format!("p{i}@example.com")).unwrap();
        ask(&db.pool, &to, true).await;
    }
    let worker = |pool: PgPool, sender: Sender| {
        tokio::spawn(async move {
            let mut sent = 0;
            while let Some(done) = outbox::send_next(&pool, &sender).await.unwrap() {
                assert_eq!(done, Sent::Delivered);
                sent += 1;
            }
            sent
        })
    };
    let a = worker(db.pool.clone(), sender(&dir));
    let b = worker(db.pool.clone(), sender(&dir));
    assert_eq!(a.await.unwrap() + b.await.unwrap(), 12);
    assert_eq!(mails(&dir).len(), 12);
    std::fs::remove_dir_all(dir).unwrap();
    db.drop().await;
}
