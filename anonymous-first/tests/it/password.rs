//! The way in by password against a real Postgres, with an app of the
//! test's own (a `notes` table a user owns): a wrong or unproven password
//! changes nothing, the right one brings this browser's guest along in the
//! sign-in, tries are limited per address and client, and a change needs the
//! current password (or, for a first one, a recent sign-in) and can sign the
//! other browsers out with it.

use crate::common::{self, NOTES, Person, browser, count, person, signed_in};
use anonymous_first::hooks::NoHooks;
use anonymous_first::identity::Config;
use anonymous_first::limits::{AddressAction, Limit};
use anonymous_first::password::{self, ChangeError, SignInError};
use anonymous_first::{Identity, User};
use sqlx::PgPool;
use std::sync::Arc;
use tower_sessions_core::session::Id;
use uuid::Uuid;

/// A user with `notes` notes and a session signed in `age` minutes ago; an
/// address is proven when it starts with "proven".
async fn user(pool: &PgPool, email: Option<&str>, hash: Option<&str>, notes: i32, age: i32) -> (Uuid, Id) {
    let unproven = !email.is_some_and(|e| e.starts_with("proven"));
    let new = Person {
        email,
        unproven,
        password_hash: hash,
        notes,
        ..Person::default()
    };
    let user = person(pool, new).await;
    (user, signed_in(pool, user, age).await)
}

/// Our app, allowing `tries` password tries per address and client.
fn identity(pool: &PgPool, tries: i32) -> Identity {
    let mut config = Config::default();
    config.address_limits.password_per_account = Limit::new(AddressAction::PasswordPerAccount, tries);
    common::identity(pool, Arc::new(NoHooks), config)
}

#[tokio::test]
async fn the_right_proven_password_signs_in_with_the_guest_and_tries_are_limited() {
    let db = common::Db::new(NOTES).await;
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
    let db = common::Db::new(NOTES).await;
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
