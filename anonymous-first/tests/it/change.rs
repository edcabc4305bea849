//! Changing an address against a real Postgres, with an app of the test's
//! own (a `notes` table a user owns): only a member signed in recently asks;
//! the link to the new address works only in that member's browser, signs
//! the other browsers out and mails the old address an undo link; the undo
//! works in any browser, puts the old address back, signs every browser out
//! and drops the password; an address taken meanwhile uses the link up.

use crate::common::{self, NOTES, Person, browser, count, guest, mailed, person, signed_in};
use anonymous_first::address::{self, AddressError, ChangeRequestError};
use anonymous_first::hooks::NoHooks;
use anonymous_first::identity::Config;
use anonymous_first::password;
use std::sync::Arc;
use uuid::Uuid;

const GOOD: &str = "correct horse battery";

async fn email_of(pool: &sqlx::PgPool, user: Uuid) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_address_goes_on_in_the_members_browser_and_the_old_one_undoes_it_in_any() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = common::identity(pool, Arc::new(NoHooks), Config::default());
    let hash = id.hasher.hash(GOOD.into()).await.unwrap();
    let old = Person {
        email: Some("old@example.com"),
        password_hash: Some(&hash),
        notes: 1,
        ..Person::default()
    };
    let member = person(pool, old).await;
    let other = person(
        pool,
        Person {
            email: Some("other@example.com"),
            ..Person::default()
        },
    )
    .await;
    let (here, phone) = (signed_in(pool, member, 0).await, signed_in(pool, member, 0).await);
    let mut mine = browser(pool, Some(here)).await;

    // Refused: a stale sign-in, the same address, a malformed one, a guest.
    let stale = browser(pool, Some(signed_in(pool, member, 60).await)).await;
    let asked = address::request_change(&id, &stale, "new@example.com", "/").await;
    assert!(
        matches!(asked, Err(ChangeRequestError::NotRecent(10))),
        "{asked:?}"
    );
    let same = address::request_change(&id, &mine, "OLD@example.com", "/").await;
    assert!(matches!(same, Err(ChangeRequestError::Same)));
    let bad = address::request_change(&id, &mine, "not an address", "/").await;
    assert!(matches!(bad, Err(ChangeRequestError::Invalid(_))));
    let (_, guest_session) = guest(pool, 1).await;
    let as_guest = browser(pool, Some(guest_session)).await;
    let guest_asks = address::request_change(&id, &as_guest, "new@example.com", "/").await;
    assert!(matches!(guest_asks, Err(ChangeRequestError::NotSignedIn)));

    address::request_change(&id, &mine, "new@example.com", "https://evil.example/")
        .await
        .unwrap();
    let link = mailed(pool, "change_email", "new@example.com").await;
    // Opened by another member, or with no session: not theirs, still usable.
    let mut theirs = browser(pool, Some(signed_in(pool, other, 0).await)).await;
    let elsewhere = address::confirm_change(&id, &mut theirs, &link).await;
    assert!(matches!(elsewhere, Err(AddressError::NotYours)), "{elsewhere:?}");
    let mut nobody = browser(pool, None).await;
    assert!(matches!(
        address::confirm_change(&id, &mut nobody, &link).await,
        Err(AddressError::NotYours)
    ));

    // In the member's browser: the address changes, the phone is signed out.
    let ended = address::confirm_change(&id, &mut mine, &link).await.unwrap();
    assert_eq!((ended.user, ended.next.as_str()), (member, "/"));
    assert_eq!(email_of(pool, member).await, "new@example.com");
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM sessions WHERE id = '{phone}'")
        )
        .await,
        0
    );
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM sessions WHERE id = '{here}'")
        )
        .await,
        1
    );
    assert!(matches!(
        address::confirm_change(&id, &mut mine, &link).await,
        Err(AddressError::Used)
    ));
    let mut signing_in = browser(pool, None).await;
    password::sign_in(&id, &mut signing_in, "new@example.com", GOOD.into())
        .await
        .unwrap();

    // The old address's undo, from a browser with no session.
    let undo = mailed(pool, "email_changed", "old@example.com").await;
    address::undo_change(&id, &undo).await.unwrap();
    assert_eq!(email_of(pool, member).await, "old@example.com");
    let signed_in_now = count(
        pool,
        &format!("SELECT count(*) FROM sessions WHERE user_id = '{member}'"),
    )
    .await;
    assert_eq!(signed_in_now, 0, "every browser is signed out");
    let password_now = format!("SELECT count(*) FROM users WHERE id = '{member}' AND password_hash IS NULL");
    assert_eq!(count(pool, &password_now).await, 1, "the password is gone");
    assert!(matches!(
        address::undo_change(&id, &undo).await,
        Err(AddressError::Used)
    ));

    // An address taken meanwhile: the link is used up, nothing changes.
    let mut back = browser(pool, Some(signed_in(pool, member, 0).await)).await;
    address::request_change(&id, &back, "late@example.com", "/")
        .await
        .unwrap();
    let late = mailed(pool, "change_email", "late@example.com").await;
    person(
        pool,
        Person {
            email: Some("late@example.com"),
            ..Person::default()
        },
    )
    .await;
    let taken = address::confirm_change(&id, &mut back, &late).await;
    assert!(matches!(taken, Err(AddressError::AddressTaken)), "{taken:?}");
    assert_eq!(email_of(pool, member).await, "old@example.com");
    assert!(matches!(
        address::confirm_change(&id, &mut back, &late).await,
        Err(AddressError::Used)
    ));
    db.drop().await;
}
