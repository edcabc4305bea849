//! Suspending a person, through the real server: an admin's ban signs every
//! browser of the account out at once (each told why on its next page), and
//! every way in — password, mailed link, mailed code, a provider, a passkey —
//! refuses with a clear sentence until it is lifted; the audit keeps who did
//! what. Only admins may, never on another admin.

use crate::common::by_name::{add_passkey, passkey_sign_in, spawn_by_name};
use crate::common::flows::{
    PASSWORD, me, post_form, redirected_to as location_of, sign_in as password_sign_in, signed_in_member,
    user_id,
};
use crate::common::mail::{SmtpSink, code_in, token_in};
use crate::common::oidc::{Provider, sign_in as provider_sign_in, spawn_with_providers};
use crate::common::passkey::SoftPasskey;
use crate::common::{Browser, TestApp};
use serde_json::Value;
use server::ops::{Task, run};

/// `b` signed in as a new admin with `email`.
async fn admin(app: &TestApp, email: &str) -> Browser {
    let b = signed_in_member(app, email).await;
    run(&app.pool, Task::Grant(email.into())).await.unwrap();
    b
}

async fn ban(app: &TestApp, admin: &Browser, id: &str, length: &str) -> reqwest::Response {
    app.call(
        admin,
        "admin/ban",
        &[("id", id), ("reason", "Spam photos"), ("length", length)],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_signs_the_account_out_everywhere_and_every_way_in_refuses_until_lifted() {
    let sink = SmtpSink::start();
    let provider = Provider::start();
    let mail: Vec<(&str, String)> = sink.env();
    let mail: Vec<(&str, &str)> = mail.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with_providers(&provider, &["test"], &mail).await;
    // Alice: an account made by a provider, with a password too; two browsers.
    let laptop = Browser::new();
    assert!(
        provider_sign_in(&app, &provider, &laptop, "test", "alice@example.com")
            .await
            .ends_with("/dogs")
    );
    let alice = user_id(&app, &laptop).await;
    let hash = paws_inside::password::Hasher::new(1)
        .hash(PASSWORD.to_owned())
        .await
        .unwrap();
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(alice)
        .bind(hash)
        .execute(&app.pool)
        .await
        .unwrap();
    let phone = Browser::new();
    assert_eq!(
        password_sign_in(&app, &phone, "alice@example.com").await.status(),
        200
    );
    let boss = admin(&app, "boss@example.com").await;
    let rival = admin(&app, "rival@example.com").await;

    // Nobody but an admin; never another admin or oneself.
    let (id, rival_id) = (alice.to_string(), user_id(&app, &rival).await.to_string());
    assert_eq!(ban(&app, &phone, &id, "7").await.status(), 403);
    let other_admin = ban(&app, &boss, &rival_id, "7").await;
    assert_eq!(other_admin.status(), 400);
    assert!(other_admin.text().await.unwrap().contains("is an admin"));
    let boss_id = user_id(&app, &boss).await.to_string();
    assert_eq!(ban(&app, &boss, &boss_id, "7").await.status(), 400);
    let no_reason = app
        .call(
            &boss,
            "admin/ban",
            &[("id", id.as_str()), ("reason", " "), ("length", "7")],
        )
        .await;
    assert_eq!(no_reason.status(), 400);
    assert!(me(&app, &laptop).await.is_some() && me(&app, &phone).await.is_some());

    // The ban: both browsers are signed out at once, and told why.
    assert!(ban(&app, &boss, &id, "7").await.status().is_success());
    for b in [&laptop, &phone] {
        let (_, page) = b.open(&app, "/").await;
        assert!(page.contains("This account has been suspended"), "{page}");
        assert!(me(&app, b).await.is_none());
    }

    // Password: refused, with the end date.
    let by_password = password_sign_in(&app, &phone, "alice@example.com").await;
    assert_eq!(by_password.status(), 403);
    let said = by_password.text().await.unwrap();
    assert!(said.contains("This account is suspended until"), "{said}");

    // A mailed link and a mailed code (asked alike: the answer never says).
    let asked = app
        .call(&phone, "auth/magic-link", &[("email", "alice@example.com")])
        .await;
    assert_eq!(asked.status(), 200);
    let letter = sink.wait_for("alice@example.com", 1).await;
    let by_link = post_form(&app, &phone, "/auth/confirm", &[("token", &token_in(&letter))]).await;
    assert!(
        location_of(&by_link).ends_with("&error=banned"),
        "{}",
        location_of(&by_link)
    );
    let (_, link_page) = phone.open(&app, &location_of(&by_link)).await;
    assert!(
        link_page.contains("This account is suspended"),
        "the page says it in words"
    );
    let request: String =
        sqlx::query_scalar("SELECT id::text FROM auth_tokens WHERE email = 'alice@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let by_code = post_form(
        &app,
        &phone,
        "/auth/code",
        &[("request", &request), ("code", &code_in(&letter))],
    )
    .await;
    assert!(
        location_of(&by_code).ends_with("&error=banned"),
        "{}",
        location_of(&by_code)
    );

    // The provider.
    let by_provider = provider_sign_in(&app, &provider, &Browser::new(), "test", "alice@example.com").await;
    assert!(by_provider.contains("error=oidc_banned"), "{by_provider}");
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(alice)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(none, 0, "no way in opened a session");

    // Other admins see it, and the audit; lifted, the password works again.
    let found: Value = app
        .call(&rival, "admin/people", &[("kind", "suspended")])
        .await
        .json()
        .await
        .unwrap();
    let ban_line = found["rows"][0]["ban"].as_str().unwrap_or_default().to_owned();
    assert!(
        ban_line.contains("by boss@example.com") && ban_line.contains("Spam photos"),
        "{found}"
    );
    assert!(
        app.call(&rival, "admin/unban", &[("id", id.as_str())])
            .await
            .status()
            .is_success()
    );
    let audit: Value = app.call(&boss, "admin/audit", &[]).await.json().await.unwrap();
    let lines: Vec<&str> = audit["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["what"].as_str().unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert!(
        lines[0].starts_with("rival@example.com lifted the suspension of alice@example.com"),
        "{audit}"
    );
    assert!(
        lines[1].starts_with("boss@example.com suspended alice@example.com until "),
        "{audit}"
    );
    assert_eq!(
        password_sign_in(&app, &phone, "alice@example.com").await.status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_passkey_is_refused_and_works_again_once_lifted() {
    let (app, origin) = spawn_by_name(&[]).await;
    let boss = admin(&app, "boss@example.com").await;

    // A guest adds a passkey: a member by it alone.
    let phone = Browser::new();
    crate::common::flows::add_dog(&app, &phone, "Rex").await;
    let mut key = SoftPasskey::new(&origin);
    assert_eq!(add_passkey(&app, &phone, &mut key, "Phone").await.0, 200);
    let id = user_id(&app, &phone).await.to_string();

    assert!(ban(&app, &boss, &id, "").await.status().is_success());
    assert!(me(&app, &phone).await.is_none());
    let (status, said) = passkey_sign_in(&app, &Browser::new(), &mut key).await;
    assert_eq!(status, 403, "{said}");
    assert!(
        said.to_string()
            .contains("This account is suspended, so you cannot sign in"),
        "{said}"
    );
    assert!(
        app.call(&boss, "admin/unban", &[("id", id.as_str())])
            .await
            .status()
            .is_success()
    );
    assert_eq!(passkey_sign_in(&app, &Browser::new(), &mut key).await.0, 200);
}
