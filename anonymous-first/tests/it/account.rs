//! The account flows against a real Postgres, with an app of the test's own
//! (a `notes` table a user owns; an erase hook that records, after the
//! commit, whom it erased): sessions are listed by handle and revoked by it,
//! a browser signed out elsewhere can sign nothing out, deleting needs a
//! recent sign-in and the address typed, a guest is discarded with its notes.

use crate::common::{self, NOTES, Person, browser, count, person, signed_in};
use anonymous_first::account::{self, AccountError, handle_of};
use anonymous_first::hooks::{AfterCommit, BoxFuture, Hooks};
use anonymous_first::identity::Config;
use anonymous_first::{Caller, NoProfile};
use sqlx::{PgConnection, PgPool};
use std::sync::{Arc, Mutex};
use tower_sessions_core::session::Id;
use uuid::Uuid;

/// Whom the erase hook's after-commit work ran for.
#[derive(Default)]
struct App {
    erased: Arc<Mutex<Vec<Uuid>>>,
}

impl Hooks for App {
    fn erasing<'c>(
        &'c self,
        _: &'c mut PgConnection,
        user: Uuid,
    ) -> BoxFuture<'c, anyhow::Result<Option<AfterCommit>>> {
        let erased = self.erased.clone();
        Box::pin(async move {
            let after: AfterCommit = Box::pin(async move { erased.lock().unwrap().push(user) });
            Ok(Some(after))
        })
    }
}

/// A user (`email`: a member) with `notes` notes and sessions signed in
/// `ages` minutes ago, their ids in that order.
async fn user(pool: &PgPool, email: Option<&str>, notes: i32, ages: &[i32]) -> (Uuid, Vec<Id>) {
    let user = person(
        pool,
        Person {
            email,
            notes,
            ..Person::default()
        },
    )
    .await;
    let mut ids = Vec::new();
    for age in ages {
        ids.push(signed_in(pool, user, *age).await);
    }
    (user, ids)
}

async fn open(pool: &PgPool, session: Id) -> Caller<NoProfile> {
    browser(pool, Some(session)).await
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_by_handle_and_an_ended_browser_ends_nothing() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let identity = common::identity(pool, Arc::new(App::default()), Config::default());
    let (_, ids) = user(pool, Some("ada@example.com"), 0, &[1, 60, 600]).await;
    let (laptop, phone) = (open(pool, ids[0]).await, open(pool, ids[1]).await);

    let listed = account::sessions(&identity, &laptop).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed.iter().filter(|s| s.current).count(), 1);
    for (row, id) in listed.iter().zip(&ids) {
        assert_ne!(row.handle, id.to_string(), "a handle is not the cookie's secret");
    }
    assert!(
        listed
            .iter()
            .any(|s| s.current && s.handle == handle_of(&ids[0].to_string()))
    );

    // The laptop signs the third browser out by its handle; twice is "gone".
    account::revoke(&identity, &laptop, &handle_of(&ids[2].to_string()))
        .await
        .unwrap();
    let again = account::revoke(&identity, &laptop, &handle_of(&ids[2].to_string())).await;
    assert!(matches!(again, Err(AccountError::SessionGone)));
    // The phone, ended by the laptop after its request began, ends nothing.
    assert_eq!(account::sign_out_others(&identity, &laptop).await.unwrap(), 1);
    assert_eq!(account::sign_out_others(&identity, &phone).await.unwrap(), 0);
    assert!(matches!(
        account::revoke(&identity, &phone, &handle_of(&ids[0].to_string())).await,
        Err(AccountError::SessionGone)
    ));
    assert_eq!(
        count(pool, "SELECT count(*) FROM sessions").await,
        1,
        "only the laptop's"
    );
    assert_eq!(count(pool, "SELECT count(*) FROM session_farewells").await, 2);
    db.drop().await;
}

#[tokio::test]
async fn deleting_needs_a_recent_sign_in_and_the_address_and_a_guest_is_discarded_with_its_notes() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let app = App::default();
    let erased = app.erased.clone();
    let identity = common::identity(pool, Arc::new(app), Config::default());
    let (member, ids) = user(pool, Some("ada@example.com"), 2, &[60, 1]).await;
    let (guest, guest_ids) = user(pool, None, 3, &[0]).await;

    let mut old = open(pool, ids[0]).await;
    let stale = account::delete_account(&identity, &mut old, "ada@example.com").await;
    assert!(matches!(stale, Err(AccountError::NotRecent(10))), "{stale:?}");
    let mut fresh = open(pool, ids[1]).await;
    let wrong = account::delete_account(&identity, &mut fresh, "eve@example.com").await;
    assert!(matches!(wrong, Err(AccountError::NotConfirmed)));
    let mut as_guest = open(pool, guest_ids[0]).await;
    assert!(matches!(
        account::delete_account(&identity, &mut as_guest, "").await,
        Err(AccountError::NotSignedIn)
    ));
    assert!(matches!(
        account::discard_guest(&identity, &mut fresh).await,
        Err(AccountError::NoGuest)
    ));
    assert_eq!(
        count(pool, "SELECT count(*) FROM users").await,
        2,
        "nothing gone yet"
    );
    assert!(erased.lock().unwrap().is_empty());

    account::delete_account(&identity, &mut fresh, " ADA@example.com ")
        .await
        .unwrap();
    account::discard_guest(&identity, &mut as_guest).await.unwrap();
    assert_eq!(count(pool, "SELECT count(*) FROM users").await, 0);
    assert_eq!(count(pool, "SELECT count(*) FROM notes").await, 0);
    assert_eq!(count(pool, "SELECT count(*) FROM sessions").await, 0);
    assert_eq!(*erased.lock().unwrap(), vec![member, guest], "after each commit");
    db.drop().await;
}
