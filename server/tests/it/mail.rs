//! The durable outbox: mail outlives an SMTP outage and a killed server, and
//! two instances sharing one database send every mail exactly once. Nothing
//! here waits a fixed time: "sent once" is read once the outbox has settled
//! (nothing pending, no sender holding a row), and "not sent" once a later
//! mail to the same inbox has arrived.

use crate::common::mail::{SmtpSink, free_port, outbox_settled, smtp_env, token_in};
use crate::common::{Browser, fresh_database, settings, spawn_with, until};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_link_requested_while_the_mail_server_is_down_arrives_when_it_is_up() {
    let port = free_port();
    let database = fresh_database().await;
    let mut env = smtp_env(port);
    env.push(("MAIL_RETRY_SECONDS", "0.2".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(settings(&database, &env)).await;
    let browser = Browser::new();
    let res = app
        .call(&browser, "auth/magic-link", &[("email", "outage@example.com")])
        .await;
    assert_eq!(
        res.status(),
        200,
        "the request succeeds with the mail server down"
    );
    until(
        &app.pool,
        "SELECT attempts >= 2 AND sent_at IS NULL AND last_error IS NOT NULL FROM mail_outbox",
        "two failed attempts",
    )
    .await;

    let sink = SmtpSink::start_on(port);
    let token = token_in(&sink.wait_for("outage@example.com", 1).await);
    until(
        &app.pool,
        "SELECT sent_at IS NOT NULL FROM mail_outbox",
        "marked sent",
    )
    .await;
    // The link was made when the mail went out: the database holds its hash only.
    let at_rest: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM mail_outbox m WHERE row_to_json(m)::text LIKE '%' || $1 || '%')
              + (SELECT count(*) FROM auth_tokens t WHERE row_to_json(t)::text LIKE '%' || $1 || '%')",
    )
    .bind(&token)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(at_rest, 0, "a working link is stored in the database");
    // The link it carried works.
    let res = browser
        .post(format!("{}/auth/confirm", app.address))
        .form(&[("token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    outbox_settled(&app.pool).await;
    assert_eq!(sink.messages_to("outage@example.com").len(), 1, "sent once");
}

#[tokio::test]
async fn a_link_expired_before_the_mail_server_came_back_is_never_sent() {
    let port = free_port();
    let database = fresh_database().await;
    let mut env = smtp_env(port);
    env.push(("MAIL_RETRY_SECONDS", "0.2".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(settings(&database, &env)).await;
    app.call(
        &Browser::new(),
        "auth/magic-link",
        &[("email", "late@example.com")],
    )
    .await;
    until(&app.pool, "SELECT attempts >= 1 FROM mail_outbox", "an attempt").await;
    // The link's life ends (as if the outage lasted longer than it).
    sqlx::query("UPDATE mail_outbox SET send_before = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let sink = SmtpSink::start_on(port);
    until(
        &app.pool,
        "SELECT gave_up_at IS NOT NULL FROM mail_outbox",
        "given up",
    )
    .await;
    // A later link to the same inbox: once it is there, the dead one would be too.
    app.call(
        &Browser::new(),
        "auth/magic-link",
        &[("email", "late@example.com")],
    )
    .await;
    let later = sink.wait_for("late@example.com", 1).await;
    outbox_settled(&app.pool).await;
    assert_eq!(
        sink.messages_to("late@example.com"),
        [later],
        "a dead link was sent"
    );
}

#[tokio::test]
async fn a_link_replaced_by_a_newer_one_before_it_went_out_is_not_sent() {
    let port = free_port();
    let database = fresh_database().await;
    let mut env = smtp_env(port);
    env.push(("MAIL_RETRY_SECONDS", "0.2".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(settings(&database, &env)).await;
    let browser = Browser::new();
    for _ in 0..2 {
        let res = app
            .call(&browser, "auth/magic-link", &[("email", "twice@example.com")])
            .await;
        assert_eq!(res.status(), 200);
    }
    let sink = SmtpSink::start_on(port);
    sink.wait_for("twice@example.com", 1).await;
    until(
        &app.pool,
        "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL) = 1
            AND count(*) FILTER (WHERE gave_up_at IS NOT NULL) = 1 FROM mail_outbox",
        "one sent, the replaced one given up",
    )
    .await;
    outbox_settled(&app.pool).await;
    let mails = sink.messages_to("twice@example.com");
    assert_eq!(mails.len(), 1, "only the newer link was sent");
    let res = browser
        .post(format!("{}/auth/confirm", app.address))
        .form(&[("token", &token_in(&mails[0]))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "and it works");
}

#[tokio::test]
async fn an_idle_mail_worker_waits_instead_of_asking_the_database_again_and_again() {
    let database = fresh_database().await;
    let app = spawn_with(settings(&database, &[])).await;
    assert_eq!(
        paws_inside::mail::outbox::next_due(&app.pool).await.unwrap(),
        None
    );
    let transactions = async || -> i64 {
        sqlx::query_scalar(
            "SELECT (xact_commit + xact_rollback)::int8 FROM pg_stat_database WHERE datname = current_database()",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = transactions().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = transactions().await - before;
    assert!(idle < 20, "{idle} transactions in a second with nothing to send");
}

/// Starts the real server binary (the process a crash would take down).
fn server_process(database: &str, http: u16, smtp: u16) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .envs(smtp_env(smtp))
        .env("DATABASE_URL", database)
        .env("PAWS_BIND", format!("127.0.0.1:{http}"))
        .env("DATA_DIR", crate::common::data_dir_for(database))
        .env("REAPER_INTERVAL_MINUTES", "0")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts")
}

async fn healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_server_killed_while_sending_sends_the_mail_after_its_restart_once() {
    let database = fresh_database().await;
    let pool = sqlx::PgPool::connect(&database).await.unwrap();
    let (http, smtp) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{http}");
    // A mail server that takes the connection and never answers: the worker
    // is in the middle of sending, holding the row, when the server dies.
    let hanging = std::net::TcpListener::bind(("127.0.0.1", smtp)).unwrap();
    let mut server = server_process(&database, http, smtp);
    healthy(&base).await;
    let browser = Browser::new();
    let res = browser
        .post(format!("{base}/api/auth/magic-link"))
        .header("accept", "application/json")
        .form(&[("email", "crash@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    until(
        &pool,
        "SELECT count(*) = 1 AND count(*) FILTER (WHERE id IN
           (SELECT id FROM mail_outbox FOR UPDATE SKIP LOCKED)) = 0 FROM mail_outbox",
        "the worker holding the mail",
    )
    .await;
    server.kill().await.unwrap(); // SIGKILL: no shutdown, no cleanup
    drop(hanging);
    let sink = SmtpSink::start_on(smtp);
    until(
        &pool,
        "SELECT attempts = 0 AND sent_at IS NULL FROM mail_outbox",
        "the killed attempt left the mail queued",
    )
    .await;

    let _server = server_process(&database, http, smtp);
    healthy(&base).await;
    sink.wait_for("crash@example.com", 1).await;
    until(
        &pool,
        "SELECT sent_at IS NOT NULL FROM mail_outbox",
        "marked sent",
    )
    .await;
    outbox_settled(&pool).await;
    assert_eq!(sink.messages_to("crash@example.com").len(), 1, "sent once");
}

#[tokio::test]
async fn two_instances_on_one_database_send_every_mail_exactly_once() {
    let sink = SmtpSink::start();
    let database = fresh_database().await;
    let env = sink.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = spawn_with(settings(&database, &env)).await;
    let b = spawn_with(settings(&database, &env)).await;
    // Forty mails committed at once: both workers wake on the notification
    // and race for them.
    use paws_inside::auth::tokens::{self, NewToken, Purpose};
    use paws_inside::mail::outbox::{Letter, Queued};
    let mut tx = a.pool.begin().await.unwrap();
    for i in 0..40 {
        let to = paws_inside::EmailAddress::parse(&format!("many{i}@example.com")).unwrap();
        let new = NewToken {
            purpose: Purpose::MagicLink,
            email: to.as_str(),
            guest_id: None,
            next_path: "/",
            ttl_minutes: 10,
            password_hash: None,
            browser_hash: None,
            user_id: None,
        };
        let token = tokens::issue(&mut tx, new).await.unwrap().id;
        let mail = Queued {
            letter: Letter::MagicLink,
            to: &to,
            token,
            minutes: 10,
        };
        paws_inside::mail::outbox::queue(&mut tx, mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    until(
        &b.pool,
        "SELECT bool_and(sent_at IS NOT NULL) FROM mail_outbox",
        "all forty sent",
    )
    .await;
    outbox_settled(&b.pool).await;
    for i in 0..40 {
        let to = format!("many{i}@example.com");
        let mails = sink.messages_to(&to);
        assert_eq!(mails.len(), 1, "{to} got exactly one mail");
        let link = tokens::peek(&a.pool, Purpose::MagicLink, &token_in(&mails[0]))
            .await
            .unwrap();
        assert!(matches!(link, tokens::Peek::Valid(_)), "{to}'s link works");
    }
    let attempts: i64 = sqlx::query_scalar("SELECT sum(attempts) FROM mail_outbox")
        .fetch_one(&a.pool)
        .await
        .unwrap();
    assert_eq!(attempts, 40, "no mail was attempted twice");
}
