//! The passkey way in against a real Postgres and real signatures (a
//! software authenticator, checked by webauthn-rs), with an app of the
//! test's own (a `notes` table a user owns): a guest keeps its notes with a
//! passkey (a member in place, no address), another browser's guest signs
//! in with it and merges; a ceremony answers only in the browser that
//! started it and only once; the last way in is not removed; prompts are
//! limited per client; an IP address has no passkeys.

use crate::common::{self, NOTES, Person, browser, count, person, signed_in};
use crate::soft_passkey::SoftPasskey;
use anonymous_first::User;
use anonymous_first::hooks::NoHooks;
use anonymous_first::identity::Config;
use anonymous_first::limits::{Limit, PasskeyAction};
use anonymous_first::passkeys::{self, PasskeyError, Passkeys};
use std::sync::Arc;

const ORIGIN: &str = "http://localhost:3000";

#[tokio::test]
async fn a_guest_keeps_its_notes_with_a_passkey_and_another_browser_signs_in_with_it() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = common::identity(pool, Arc::new(NoHooks), Config::default());
    let rp = Passkeys::new(ORIGIN, "Notes")
        .unwrap()
        .limited(Limit::new(PasskeyAction::PerClient, 4));
    let (guest, session) = common::guest(pool, 2).await;
    let mut laptop = browser(pool, Some(session)).await;
    let mut key = SoftPasskey::new(ORIGIN);

    // Keep the notes with a passkey; its answer from another browser's key
    // finds nothing (and leaves the ceremony for this one).
    let started = passkeys::start_adding(&id, &rp, &laptop, " Laptop ", None)
        .await
        .unwrap();
    let credential = key.create(&started.options);
    let ceremony = started.ceremony.to_string();
    let elsewhere = passkeys::finish_adding(
        &id,
        &rp,
        &mut laptop,
        &ceremony,
        credential.clone(),
        "/",
        Some(&"x".repeat(43)),
    )
    .await;
    assert!(matches!(elsewhere, Err(PasskeyError::Expired)), "{elsewhere:?}");
    let held = Some(started.browser_key.as_str());
    let ended = passkeys::finish_adding(
        &id,
        &rp,
        &mut laptop,
        &ceremony,
        credential.clone(),
        "/kept",
        held,
    )
    .await
    .unwrap();
    assert_eq!(
        (ended.user, ended.next.as_str()),
        (guest, "/kept"),
        "promoted in place"
    );
    assert!(matches!(laptop.session.user(), Some(User::Member { id, email: None, .. }) if *id == guest));
    assert_eq!(
        count(pool, "SELECT count(*) FROM passkeys WHERE name = 'Laptop'").await,
        1
    );
    let again = passkeys::finish_adding(&id, &rp, &mut laptop, &ceremony, credential, "/", held).await;
    assert!(
        matches!(again, Err(PasskeyError::Expired)),
        "a ceremony answers once"
    );

    // A phone's guest signs in with it: its note comes along.
    let phone_guest = person(
        pool,
        Person {
            notes: 1,
            ..Person::default()
        },
    )
    .await;
    let mut phone = browser(pool, Some(signed_in(pool, phone_guest, 0).await)).await;
    let started = passkeys::start_sign_in(&id, &rp, &phone, None).await.unwrap();
    let answer = key.get(&started.options);
    let held = Some(started.browser_key.as_str());
    let ceremony = started.ceremony.to_string();
    let ended = passkeys::finish_sign_in(&id, &rp, &mut phone, &ceremony, answer, "//elsewhere", held)
        .await
        .unwrap();
    assert_eq!(
        (ended.user, ended.next.as_str()),
        (guest, "/"),
        "a path of the site only"
    );
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM notes WHERE user_id = '{guest}'")
        )
        .await,
        3
    );
    assert_eq!(count(pool, "SELECT count(*) FROM users").await, 1);
    assert_eq!(
        count(pool, "SELECT count(*) FROM sign_ins WHERE method = 'passkey'").await,
        1
    );

    // Its only way in stays; the listed one is the one added.
    let listed = passkeys::list(&id, guest).await.unwrap();
    assert_eq!(listed.len(), 1);
    let last = passkeys::remove(&id, &phone, &listed[0].id.to_string()).await;
    assert!(matches!(last, Err(PasskeyError::LastWayIn)), "{last:?}");

    // The same key answering for another user's handle is nobody's.
    let started = passkeys::start_sign_in(&id, &rp, &phone, None).await.unwrap();
    key.pretend_user(uuid::Uuid::new_v4().as_bytes());
    let forged = key.get(&started.options);
    let ceremony = started.ceremony.to_string();
    let held = Some(started.browser_key.as_str());
    let refused = passkeys::finish_sign_in(&id, &rp, &mut phone, &ceremony, forged, "/", held).await;
    assert!(
        matches!(refused, Err(PasskeyError::UnknownCredential)),
        "{refused:?}"
    );

    // Three prompts from this client so far; four allowed.
    passkeys::start_sign_in(&id, &rp, &phone, None).await.unwrap();
    let over = passkeys::start_sign_in(&id, &rp, &phone, None).await;
    assert!(matches!(over, Err(PasskeyError::TooMany(_))), "{over:?}");

    // Browsers refuse passkeys on an IP address: so does the crate.
    let off = Passkeys::new("http://127.0.0.1:3000", "Notes").unwrap();
    assert!(!off.enabled());
    let refused = passkeys::start_sign_in(&id, &off, &phone, None).await;
    assert!(matches!(refused, Err(PasskeyError::Unavailable)));
    db.drop().await;
}
