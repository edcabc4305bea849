//! An admin acting as a member, through the real server: plain form POSTs
//! rotate the session both ways; while acting, every page carries the
//! banner, no admin page or admin server function answers, and nothing
//! about how the member's account is protected can change — no passkey, no
//! password, no signing their other devices out; stopping comes back to
//! the admin with the audit's two lines; losing the role ends the acting.

use crate::common::by_name::{post_json, spawn_by_name};
use crate::common::flows::{add_dog, me, post_form, redirected_to as location, signed_in_member, user_id};
use crate::common::passkey::SoftPasskey;
use serde_json::json;
use server::ops::{Task, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_acting_as_a_member_reaches_no_admin_page_and_changes_none_of_their_ways_in() {
    let (app, origin) = spawn_by_name(&[]).await;
    let rex = signed_in_member(&app, "rex@example.com").await;
    add_dog(&app, &rex, "Rex").await;
    let rex_id = user_id(&app, &rex).await;
    let boss = signed_in_member(&app, "boss@example.com").await;
    run(&app.pool, Task::Grant("boss@example.com".into()))
        .await
        .unwrap();
    let boss_id = user_id(&app, &boss).await;

    // Only an admin; never on another admin.
    let by_member = post_form(&app, &rex, "/admin/act-as", &[("id", &boss_id.to_string())]).await;
    assert_eq!(by_member.status(), 403);
    let before = boss.cookie(&app).unwrap();
    let res = post_form(&app, &boss, "/admin/act-as", &[("id", &rex_id.to_string())]).await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/"));
    assert_ne!(boss.cookie(&app).unwrap(), before, "the session rotated");
    assert_eq!(me(&app, &boss).await.unwrap()["email"], "rex@example.com");

    // Every page says so, with the way back; their dogs are there.
    for page in ["/", "/dogs", "/account"] {
        let (status, html) = boss.open(&app, page).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            html.contains("data-testid=\"acting-banner\"")
                && html.contains("You are acting as rex@example.com"),
            "{page}"
        );
        assert!(html.contains("action=\"/auth/stop-acting\""), "{page}");
    }
    assert!(boss.open(&app, "/dogs").await.1.contains("Rex"));

    // No admin page, no admin server function.
    assert_eq!(boss.open(&app, "/admin").await.0, 404);
    assert_eq!(boss.open(&app, "/admin/people").await.0, 404);
    assert_eq!(app.call(&boss, "admin/people", &[]).await.status(), 403);
    let boss_as_target = post_form(&app, &boss, "/admin/act-as", &[("id", &rex_id.to_string())]).await;
    assert_eq!(boss_as_target.status(), 403);

    // No way in added, no password, no other device signed out.
    let mut key = SoftPasskey::new(&origin);
    let (status, start) = post_json(
        &app,
        &boss,
        "/auth/passkey/register/start",
        json!({ "name": "Admin's" }),
    )
    .await;
    if status == 200 {
        let credential = key.create(&start["options"]);
        let body = json!({ "ceremony": start["ceremony"], "credential": credential });
        let (status, said) = post_json(&app, &boss, "/auth/passkey/register/finish", body).await;
        assert_eq!(status, 403, "{said}");
    } else {
        assert_eq!(status, 403, "{start}");
    }
    let passkeys: i64 = sqlx::query_scalar("SELECT count(*) FROM passkeys")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(passkeys, 0);
    let password = app
        .call(
            &boss,
            "account/password",
            &[("current", ""), ("new_password", "a brand new horse")],
        )
        .await;
    assert!(password.status().is_client_error(), "{}", password.status());
    assert_eq!(
        app.call(&boss, "account/revoke-others", &[])
            .await
            .status()
            .as_u16()
            / 100,
        4
    );
    assert!(
        me(&app, &rex).await.is_some(),
        "the member's own browser stays signed in"
    );

    // Stop: the admin again, on the person's page; the audit says both.
    let res = post_form(&app, &boss, "/auth/stop-acting", &[]).await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, format!("/admin/people/{rex_id}"))
    );
    assert_eq!(me(&app, &boss).await.unwrap()["email"], "boss@example.com");
    let (status, html) = boss.open(&app, &format!("/admin/people/{rex_id}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("acting-banner"));
    assert!(
        html.contains("boss@example.com acted as rex@example.com")
            && html.contains("boss@example.com stopped acting as rex@example.com"),
        "{html}"
    );
    assert_eq!(
        post_form(&app, &boss, "/auth/stop-acting", &[]).await.status(),
        400
    );

    // An admin who loses the role stops acting at once.
    let res = post_form(&app, &boss, "/admin/act-as", &[("id", &rex_id.to_string())]).await;
    assert_eq!(res.status(), 303);
    run(&app.pool, Task::Revoke("boss@example.com".into()))
        .await
        .unwrap();
    assert!(
        me(&app, &boss).await.is_none(),
        "the acting session ended with the role"
    );
    assert!(me(&app, &rex).await.is_some());
}
