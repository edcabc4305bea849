//! Changing an address through the real server: the account page asks, the
//! new address's link works in the member's own browser (its page shows the
//! address masked, another browser is told it is not theirs), the other
//! devices are signed out, and the old address's undo link — in any
//! browser — puts it back and signs every device out.

use crate::common::Browser;
use crate::common::flows::{me, post_form, redirected_to as location, signed_in_member, spawn};
use crate::common::mail::{SmtpSink, token_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_address_goes_on_by_its_link_here_and_the_old_address_undoes_it_anywhere() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let laptop = signed_in_member(&app, "old@example.com").await;
    let phone = signed_in_member(&app, "other@example.com").await;
    let also = Browser::new();
    let res = crate::common::flows::sign_in(&app, &also, "old@example.com").await;
    assert_eq!(res.status(), 200);

    let asked = app
        .call(&laptop, "account/change-email", &[("email", "New@Example.com")])
        .await;
    let status = asked.status();
    assert!(status.is_success(), "{status} {}", asked.text().await.unwrap());
    let token = token_for(&sink.wait_for("new@example.com", 1).await, "/auth/change-email");
    let page = format!("/auth/change-email?token={token}");
    let (status, html) = laptop.open(&app, &page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Make n…@example.com the address") && !html.contains("new@example.com"),
        "{html}"
    );

    // Another member's browser: not theirs, and the link still works after.
    let theirs = post_form(&app, &phone, "/auth/change-email", &[("token", &token)]).await;
    assert!(
        location(&theirs).ends_with("&error=not_yours"),
        "{}",
        location(&theirs)
    );
    let (_, said) = phone.open(&app, &location(&theirs)).await;
    assert!(
        said.contains("Open this link in the browser where you are signed in"),
        "in words"
    );

    let done = post_form(&app, &laptop, "/auth/change-email", &[("token", &token)]).await;
    assert_eq!(
        (done.status().as_u16(), location(&done).as_str()),
        (303, "/account?email=changed")
    );
    assert_eq!(me(&app, &laptop).await.unwrap()["email"], "new@example.com");
    assert!(me(&app, &also).await.is_none(), "the other device was signed out");
    let (_, account) = laptop.open(&app, "/account?email=changed").await;
    assert!(account.contains("Address changed."), "{account}");

    // The old address: undo from a browser signed in to nothing.
    let undo = token_for(&sink.wait_for("old@example.com", 1).await, "/auth/undo-email");
    let stranger = Browser::new();
    let (status, html) = stranger
        .open(&app, &format!("/auth/undo-email?token={undo}"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Put o…@example.com back"), "{html}");
    let undone = post_form(&app, &stranger, "/auth/undo-email", &[("token", &undo)]).await;
    assert_eq!(location(&undone), "/auth/undo-email?done=1");
    assert!(me(&app, &laptop).await.is_none(), "every device is signed out");
    let (_, html) = laptop.open(&app, "/").await;
    assert!(
        html.contains("You were signed out from another device."),
        "{html}"
    );
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE email LIKE 'old@%'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(email, "old@example.com");
    let again = post_form(&app, &stranger, "/auth/undo-email", &[("token", &undo)]).await;
    assert_eq!(again.status(), 303);
    assert_eq!(stranger.open(&app, &location(&again)).await.0, 410, "used once");
}
