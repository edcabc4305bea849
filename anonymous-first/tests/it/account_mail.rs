//! The account mails against a real Postgres, with an app of the test's own
//! (a `notes` table a user owns): a sign-up answers alike for a new and a
//! taken address and its confirmation keeps the password only where it was
//! chosen; a reset is asked alike for any address and ends every session;
//! an address goes only on the member signed in where its link is opened;
//! a link's page counts what each guest would bring and uses nothing.

use crate::common::{self, NOTES, Person, browser, count, guest, mailed, person, signed_in};
use anonymous_first::address::{self, AddRequestError, AddressError, LinkCheck, SignUpError};
use anonymous_first::hooks::NoHooks;
use anonymous_first::identity::Config;
use anonymous_first::limits::{AddressAction, Limit};
use anonymous_first::tokens::{self, Peek, Purpose};
use anonymous_first::{ClaimChoice, Identity, password};
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

const GOOD: &str = "correct horse battery";

/// Our app, allowing `mails` account mails per client.
fn identity(pool: &PgPool, mails: i32) -> Identity {
    let mut config = Config::default();
    config.address_limits.account_mail_per_client = Limit::new(AddressAction::AccountMailPerClient, mails);
    common::identity(pool, Arc::new(NoHooks), config)
}

#[tokio::test]
async fn a_sign_up_answers_alike_and_its_confirmation_keeps_the_password_only_where_it_was_chosen() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 3);
    let member = person(
        pool,
        Person {
            email: Some("taken@example.com"),
            ..Person::default()
        },
    )
    .await;
    let (me, my_session) = guest(pool, 2).await;
    let (_, their_session) = guest(pool, 1).await;
    let mut mine = browser(pool, Some(my_session)).await;

    let signed_in_here = browser(pool, Some(signed_in(pool, member, 0).await)).await;
    let refused = address::sign_up(&id, &signed_in_here, "x@example.com", GOOD.into(), "/").await;
    assert!(matches!(refused, Err(SignUpError::SignedIn)));
    let weak = address::sign_up(&id, &mine, "new@example.com", "password".into(), "/").await;
    assert!(matches!(weak, Err(SignUpError::Invalid(_))));
    address::sign_up(
        &id,
        &mine,
        "new@example.com",
        GOOD.into(),
        "https://evil.example/",
    )
    .await
    .unwrap();
    address::sign_up(&id, &mine, "taken@example.com", GOOD.into(), "/")
        .await
        .unwrap();
    let kinds = "SELECT string_agg(kind, ',' ORDER BY id) FROM mail_outbox";
    let queued: String = sqlx::query_scalar(kinds).fetch_one(pool).await.unwrap();
    assert_eq!(queued, "verify_email,sign_up_attempt", "the owner hears of it");
    let pending = "SELECT count(*) FROM auth_tokens WHERE password_hash IS NOT NULL";
    assert_eq!(
        count(pool, pending).await,
        1,
        "no password waits on a taken address"
    );
    let link = mailed(pool, "verify_email", "new@example.com").await;

    // The page, from the browser that signed up and from another guest's.
    let Ok(LinkCheck::Valid(here)) = address::preview(&id, &mine, Purpose::EmailVerify, &link).await else {
        panic!("a valid link");
    };
    assert!(here.same_browser && here.unproven_password && here.this_browser.is_none());
    assert_eq!(here.requester.as_ref().map(|c| c.get("notes")), Some(2));
    assert_eq!(here.masked_email, "n…@example.com");
    let mut theirs = browser(pool, Some(their_session)).await;
    let Ok(LinkCheck::Valid(there)) = address::preview(&id, &theirs, Purpose::EmailVerify, &link).await
    else {
        panic!("a valid link");
    };
    assert!(!there.same_browser);
    assert_eq!(there.this_browser.map(|c| c.get("notes")), Some(1));

    // Elsewhere the password is the signer-up's to prove: a wrong one changes nothing.
    let wrong = address::confirm_sign_up(&id, &mut theirs, &link, ClaimChoice::default(), "not it").await;
    assert!(matches!(wrong, Err(AddressError::WrongPassword)), "{wrong:?}");
    assert!(matches!(
        tokens::peek(pool, Purpose::EmailVerify, &link).await.unwrap(),
        Peek::Valid(_)
    ));
    let ended = address::confirm_sign_up(&id, &mut mine, &link, ClaimChoice::default(), "")
        .await
        .unwrap();
    assert_eq!(ended.user, me, "the guest is promoted in place");
    assert_eq!(ended.next, "/", "only a path of the site");
    let mut fresh = browser(pool, None).await;
    password::sign_in(&id, &mut fresh, "new@example.com", GOOD.into())
        .await
        .unwrap();
    let again = address::confirm_sign_up(&id, &mut mine, &link, ClaimChoice::default(), "").await;
    assert!(matches!(again, Err(AddressError::Used)));
    let looked = address::preview(&id, &mine, Purpose::EmailVerify, &link)
        .await
        .unwrap();
    assert_eq!(looked, LinkCheck::Used);

    // Confirmed in a browser that did not sign up, nothing typed: no password.
    let away = browser(pool, None).await;
    address::sign_up(&id, &away, "other@example.com", GOOD.into(), "/")
        .await
        .unwrap();
    let link = mailed(pool, "verify_email", "other@example.com").await;
    let mut elsewhere = browser(pool, None).await;
    address::confirm_sign_up(&id, &mut elsewhere, &link, ClaimChoice::default(), "")
        .await
        .unwrap();
    let unset = "SELECT count(*) FROM users WHERE email = 'other@example.com' AND password_hash IS NULL";
    assert_eq!(
        count(pool, unset).await,
        1,
        "a password someone else may have chosen is not kept"
    );
    let over = address::sign_up(&id, &away, "fourth@example.com", GOOD.into(), "/").await;
    assert!(
        matches!(over, Err(SignUpError::TooMany(t)) if t.action == "account_mail_client"),
        "three account mails per client: {over:?}"
    );

    // Read on another device, typed right there: the password is kept.
    let (typist, _) = common::browser_at(pool, None, "192.0.2.8").await;
    address::sign_up(&id, &typist, "typed@example.com", GOOD.into(), "/")
        .await
        .unwrap();
    let link = mailed(pool, "verify_email", "typed@example.com").await;
    let (mut phone, _) = common::browser_at(pool, None, "192.0.2.9").await;
    address::confirm_sign_up(&id, &mut phone, &link, ClaimChoice::default(), GOOD)
        .await
        .unwrap();
    let mut later = browser(pool, None).await;
    password::sign_in(&id, &mut later, "typed@example.com", GOOD.into())
        .await
        .unwrap();
    db.drop().await;
}

#[tokio::test]
async fn a_reset_is_asked_alike_for_any_address_and_ends_every_session_of_the_account() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 10);
    let old = id.hasher.hash("the old password".into()).await.unwrap();
    let new = Person {
        email: Some("m@example.com"),
        password_hash: Some(&old),
        ..Person::default()
    };
    let member = person(pool, new).await;
    signed_in(pool, member, 0).await;
    signed_in(pool, member, 5).await;
    let mut here = browser(pool, None).await;

    address::request_reset(&id, &here, "m@example.com", "/account")
        .await
        .unwrap();
    address::request_reset(&id, &here, "nobody@example.com", "/account")
        .await
        .unwrap();
    let unsent =
        "SELECT count(*) FROM mail_outbox WHERE gave_up_at IS NOT NULL AND recipient = 'nobody@example.com'";
    assert_eq!(count(pool, unsent).await, 1, "the same work, and nothing sent");
    let queued = "SELECT count(*) FROM mail_outbox WHERE gave_up_at IS NULL AND last_error IS NULL AND recipient = 'm@example.com'";
    assert_eq!(count(pool, queued).await, 1, "the member's goes out");
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM auth_tokens WHERE purpose = 'password_reset'"
        )
        .await,
        2
    );

    let link = mailed(pool, "password_reset", "m@example.com").await;
    let weak =
        address::reset_password(&id, &mut here, &link, ClaimChoice::default(), "password".into()).await;
    assert!(matches!(weak, Err(AddressError::Weak(_))));
    assert!(matches!(
        tokens::peek(pool, Purpose::PasswordReset, &link).await.unwrap(),
        Peek::Valid(_)
    ));
    let ended = address::reset_password(&id, &mut here, &link, ClaimChoice::default(), GOOD.into())
        .await
        .unwrap();
    assert_eq!((ended.user, ended.next.as_str()), (member, "/account"));
    let left = format!("SELECT count(*) FROM sessions WHERE user_id = '{member}'");
    assert_eq!(count(pool, &left).await, 1, "only this browser is signed in");
    let mut fresh = browser(pool, None).await;
    let stale = password::sign_in(&id, &mut fresh, "m@example.com", "the old password".into()).await;
    assert!(matches!(stale, Err(password::SignInError::Mismatch)), "{stale:?}");
    password::sign_in(&id, &mut fresh, "m@example.com", GOOD.into())
        .await
        .unwrap();
    let again = address::reset_password(&id, &mut here, &link, ClaimChoice::default(), GOOD.into()).await;
    assert!(matches!(again, Err(AddressError::Used)));

    // A sign-up (taken) and resets of one address share its counter: three per client.
    let guessing = browser(pool, None).await;
    address::sign_up(&id, &guessing, "m@example.com", GOOD.into(), "/")
        .await
        .unwrap();
    address::request_reset(&id, &guessing, "m@example.com", "/")
        .await
        .unwrap();
    let over = address::request_reset(&id, &guessing, "m@example.com", "/").await;
    assert!(
        matches!(over, Err(address::RequestError::TooMany(t)) if t.action == "account_mail_email"),
        "{over:?}"
    );

    // The unsent token cannot make an account.
    let nobody = mailed(pool, "password_reset", "nobody@example.com").await;
    let mut other = browser(pool, None).await;
    let made = address::reset_password(&id, &mut other, &nobody, ClaimChoice::default(), GOOD.into()).await;
    assert!(matches!(made, Err(AddressError::Unknown)), "{made:?}");
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM users WHERE email = 'nobody@example.com'"
        )
        .await,
        0
    );
    db.drop().await;
}

#[tokio::test]
async fn an_address_goes_only_on_the_member_signed_in_where_its_link_is_opened() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 10);
    let bare = "INSERT INTO users (is_anonymous) VALUES (false) RETURNING id";
    let member: Uuid = sqlx::query_scalar(bare).fetch_one(pool).await.unwrap();
    let rival: Uuid = sqlx::query_scalar(bare).fetch_one(pool).await.unwrap();
    let addressed = person(
        pool,
        Person {
            email: Some("has@example.com"),
            ..Person::default()
        },
    )
    .await;
    let (_, guest_session) = guest(pool, 0).await;

    let ask = |session| async move { browser(pool, Some(session)).await };
    let as_guest = ask(guest_session).await;
    let refused = address::request_add(&id, &as_guest, "a@example.com", "/").await;
    assert!(matches!(refused, Err(AddRequestError::NotSignedIn)));
    let has = ask(signed_in(pool, addressed, 0).await).await;
    let refused = address::request_add(&id, &has, "a@example.com", "/").await;
    assert!(matches!(refused, Err(AddRequestError::HasAddress)));
    let stale = ask(signed_in(pool, member, 60).await).await;
    let refused = address::request_add(&id, &stale, "a@example.com", "/").await;
    assert!(
        matches!(refused, Err(AddRequestError::NotRecent(10))),
        "{refused:?}"
    );
    let mut here = ask(signed_in(pool, member, 0).await).await;
    let refused = address::request_add(&id, &here, "not an address", "/").await;
    assert!(matches!(refused, Err(AddRequestError::Invalid(_))));
    address::request_add(&id, &here, "a@example.com", "/account?email=added")
        .await
        .unwrap();
    let link = mailed(pool, "add_email", "a@example.com").await;

    // Opened anywhere else, it does nothing and stays usable.
    let mut elsewhere = browser(pool, None).await;
    let theirs = address::confirm_add(&id, &mut elsewhere, &link).await;
    assert!(matches!(theirs, Err(AddressError::NotYours)));
    let mut rivals = ask(signed_in(pool, rival, 0).await).await;
    let theirs = address::confirm_add(&id, &mut rivals, &link).await;
    assert!(matches!(theirs, Err(AddressError::NotYours)));
    let ended = address::confirm_add(&id, &mut here, &link).await.unwrap();
    assert_eq!(
        (ended.user, ended.next.as_str()),
        (member, "/account?email=added")
    );
    let added = format!(
        "SELECT count(*) FROM users WHERE id = '{member}' AND email = 'a@example.com' AND email_verified_at IS NOT NULL"
    );
    assert_eq!(count(pool, &added).await, 1);

    // The rival asked for the same address: by now it is taken, and the link is spent.
    address::request_add(&id, &rivals, "b@example.com", "/")
        .await
        .unwrap();
    let link = mailed(pool, "add_email", "b@example.com").await;
    sqlx::query("UPDATE users SET email = 'b@example.com' WHERE id = $1")
        .bind(addressed)
        .execute(pool)
        .await
        .unwrap();
    let taken = address::confirm_add(&id, &mut rivals, &link).await;
    assert!(matches!(taken, Err(AddressError::AddressTaken)), "{taken:?}");
    assert!(matches!(
        tokens::peek(pool, Purpose::EmailAdd, &link).await.unwrap(),
        Peek::Used
    ));
    let bare = format!("SELECT count(*) FROM users WHERE id = '{rival}' AND email IS NULL");
    assert_eq!(count(pool, &bare).await, 1);
    db.drop().await;
}
