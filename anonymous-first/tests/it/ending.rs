//! The one ending against a real Postgres, with an app of the test's own (a
//! `notes` table a user owns, hooks that note each sign-in) and a way in of
//! its own (an address typed here): a guest claiming a new address is
//! promoted in place and the browser's session rotates; signing in to an
//! existing account moves everything in the sign-in's transaction; a session
//! changed meanwhile, a guest not chosen or the app's note failing refuse
//! with nothing changed.

use crate::common::{self, Person, browser, browser_at, count, person, signed_in};

use anonymous_first::ending::{self, Asker, Ended, Method, Proof, Refusal, Way, Whom};
use anonymous_first::hooks::{AfterCommit, BoxFuture, Claimed, Hooks};
use anonymous_first::identity::Config;
use anonymous_first::password::Hasher;
use anonymous_first::sessions::farewell;
use anonymous_first::{Caller, ClaimChoice, Identity, NoProfile, OwnedData, OwnedTable, User};
use sqlx::{PgConnection, PgPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tower_sessions_core::session::Id;
use uuid::Uuid;

const NOTED: &str = "CREATE TABLE noted (user_id uuid NOT NULL, method text NOT NULL);";

/// The app's hooks: a note per sign-in in its transaction (or a failure),
/// the words of the next page, and the claims it heard of.
#[derive(Default)]
struct App {
    fail: AtomicBool,
    claims: Mutex<Vec<Claimed>>,
}

impl Hooks for App {
    fn erasing<'c>(
        &'c self,
        _: &'c mut PgConnection,
        _: Uuid,
    ) -> BoxFuture<'c, anyhow::Result<Option<AfterCommit>>> {
        Box::pin(async { Ok(None) })
    }

    fn claimed(&self, claim: Claimed) -> BoxFuture<'_, ()> {
        self.claims.lock().unwrap().push(claim);
        Box::pin(async {})
    }

    fn signing_in<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        method: Method,
        ended: &'c Ended,
    ) -> BoxFuture<'c, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::query("INSERT INTO noted (user_id, method) VALUES ($1, $2)")
                .bind(ended.user)
                .bind(method.as_str())
                .execute(&mut *conn)
                .await?;
            anyhow::ensure!(!self.fail.load(Ordering::SeqCst), "the app's note failed");
            Ok(())
        })
    }

    fn notice(&self, _: Method, ended: &Ended) -> Option<String> {
        Some(format!(
            "Signed in; {} guest(s) came along.",
            ended.outcomes.len()
        ))
    }
}

/// A way in of the test's own: an address, proven here (as a typed code is).
struct ByAddress {
    email: &'static str,
    asker: Asker,
    choice: ClaimChoice,
}

#[derive(Debug)]
enum Failed {
    Refused(Refusal),
    Broke(anyhow::Error),
}

impl From<Refusal> for Failed {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

impl From<anyhow::Error> for Failed {
    fn from(e: anyhow::Error) -> Self {
        Self::Broke(e)
    }
}

impl Way<NoProfile> for ByAddress {
    type Error = Failed;

    async fn redeem(&mut self, _: &Caller<NoProfile>, conn: &mut PgConnection) -> Result<Proof, Failed> {
        anonymous_first::merge::lock_address(conn, self.email).await?;
        let id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1 FOR UPDATE")
            .bind(self.email)
            .fetch_optional(&mut *conn)
            .await
            .map_err(anyhow::Error::from)?;
        let whom = match id {
            Some(id) => Whom::Member {
                id,
                first_proof: false,
                password: None,
            },
            None => Whom::New {
                email: Some(self.email.into()),
                password: None,
            },
        };
        Ok(Proof {
            method: Method::Code,
            whom,
            asker: self.asker,
            choice: self.choice,
            next: "/lists".into(),
        })
    }
}

fn here(email: &'static str) -> ByAddress {
    ByAddress {
        email,
        asker: Asker::Here,
        choice: ClaimChoice::default(),
    }
}

struct World {
    db: common::Db,
    app: Arc<App>,
    id: Identity,
}

async fn world() -> World {
    let db = common::Db::new(&format!("{}{NOTED}", common::NOTES)).await;
    let app = Arc::new(App::default());
    let owned = OwnedData::new(&[OwnedTable::new("notes", "user_id")]).unwrap();
    let id = Identity {
        pool: db.pool.clone(),
        owned: Arc::new(owned),
        hooks: app.clone(),
        hasher: Hasher::new(1),
        config: Config::default(),
    };
    World { db, app, id }
}

/// A user (`email`: a member) with `notes` notes, and a live session of theirs.
async fn user(pool: &PgPool, email: Option<&str>, notes: i32) -> (Uuid, Id) {
    let user = person(
        pool,
        Person {
            email,
            notes,
            ..Person::default()
        },
    )
    .await;
    (user, signed_in(pool, user, 0).await)
}

#[tokio::test]
async fn a_guest_claiming_a_new_address_is_promoted_in_place_and_the_browser_rotates() {
    let w = world().await;
    let pool = &w.db.pool;
    let (guest, old) = user(pool, None, 2).await;
    let (mut caller, session) = browser_at(pool, Some(old), "192.0.2.7").await;
    let ended = ending::end(&w.id, &mut caller, here("ada@example.com"))
        .await
        .unwrap();
    assert_eq!(ended.user, guest, "promoted in place: the same id");
    assert!(!ended.created);
    assert_eq!(ended.outcomes, vec![ending::Outcome::Promoted]);
    let row: (bool, Option<String>) = sqlx::query_as("SELECT is_anonymous, email FROM users WHERE id = $1")
        .bind(guest)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(row, (false, Some("ada@example.com".into())));
    assert_eq!(count(pool, "SELECT count(*) FROM notes").await, 2);
    // The browser is the member now, under a new session id; the old names nobody.
    assert!(matches!(caller.session.user(), Some(User::Member { id, .. }) if *id == guest));
    session.save().await.unwrap();
    let new = session.id().unwrap();
    assert_ne!(new, old);
    assert_eq!(count(pool, "SELECT count(*) FROM sessions").await, 1);
    let (owner, method, notice): (Uuid, String, String) =
        sqlx::query_as("SELECT user_id, method, notice FROM sessions WHERE id = $1")
            .bind(new.to_string())
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((owner, method.as_str()), (guest, "code"));
    assert_eq!(notice, "Signed in; 1 guest(s) came along.");
    // Recorded, noted by the app in the same transaction, claimed after it.
    let signed: (bool, i16, bool) = sqlx::query_as("SELECT promoted, merged, created FROM sign_ins")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(signed, (true, 0, false));
    assert_eq!(
        count(pool, "SELECT count(*) FROM noted WHERE method = 'code'").await,
        1
    );
    let claims = w.app.claims.lock().unwrap().clone();
    assert_eq!(claims.len(), 1);
    assert!(claims[0].promoted && claims[0].merged.is_empty() && claims[0].account == guest);
    w.db.drop().await;
}

#[tokio::test]
async fn signing_in_to_an_existing_account_moves_everything_in_the_sign_ins_transaction() {
    let w = world().await;
    let pool = &w.db.pool;
    let (member, _) = user(pool, Some("bo@example.com"), 1).await;
    let (guest, laptop) = user(pool, None, 3).await;
    // The same guest is open on a phone too: that session ends, with a farewell.
    let phone = Id::default();
    sqlx::query("INSERT INTO sessions (id, user_id, expiry_date) VALUES ($1, $2, now() + interval '1 day')")
        .bind(phone.to_string())
        .bind(guest)
        .execute(pool)
        .await
        .unwrap();
    let mut caller = browser(pool, Some(laptop)).await;
    let ended = ending::end(&w.id, &mut caller, here("bo@example.com"))
        .await
        .unwrap();
    assert_eq!(ended.user, member);
    let [ending::Outcome::Merged(moved)] = ended.outcomes.as_slice() else {
        panic!("one merge: {:?}", ended.outcomes);
    };
    assert_eq!(moved.get("notes"), 3);
    let owners: Vec<Uuid> = sqlx::query_scalar("SELECT DISTINCT user_id FROM notes")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(owners, vec![member]);
    assert_eq!(count(pool, "SELECT count(*) FROM notes").await, 4);
    assert_eq!(
        count(pool, "SELECT count(*) FROM users WHERE is_anonymous").await,
        0
    );
    assert_eq!(count(pool, "SELECT count(*) FROM claim_audit").await, 1);
    assert_eq!(
        farewell::moved_to(pool, &phone.to_string()).await.unwrap(),
        Some(member)
    );
    assert!(matches!(caller.session.user(), Some(User::Member { id, .. }) if *id == member));
    let claims = w.app.claims.lock().unwrap().clone();
    assert!(!claims[0].promoted && claims[0].merged[0].get("notes") == 3);
    w.db.drop().await;
}

#[tokio::test]
async fn a_session_changed_meanwhile_is_refused_and_nothing_moves() {
    let w = world().await;
    let pool = &w.db.pool;
    let (guest, old) = user(pool, None, 1).await;
    let mut caller = browser(pool, Some(old)).await;
    // Signed out in another tab after this request began.
    sqlx::query("DELETE FROM sessions").execute(pool).await.unwrap();
    let refused = ending::end(&w.id, &mut caller, here("cy@example.com")).await;
    assert!(
        matches!(refused, Err(Failed::Refused(Refusal::Changed))),
        "{refused:?}"
    );
    let still: bool = sqlx::query_scalar("SELECT is_anonymous FROM users WHERE id = $1")
        .bind(guest)
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(still);
    assert_eq!(
        count(pool, "SELECT count(*) FROM users").await,
        1,
        "no account made"
    );
    assert_eq!(count(pool, "SELECT count(*) FROM sign_ins").await, 0);
    assert_eq!(count(pool, "SELECT count(*) FROM noted").await, 0);
    w.db.drop().await;
}

#[tokio::test]
async fn a_link_opened_elsewhere_takes_this_browsers_guest_only_when_chosen() {
    let w = world().await;
    let pool = &w.db.pool;
    let (asking, _) = user(pool, None, 1).await;
    let (here_guest, session) = user(pool, None, 2).await;
    let link = |choice| ByAddress {
        email: "di@example.com",
        asker: Asker::Link { guest: Some(asking) },
        choice,
    };
    let mut caller = browser(pool, Some(session)).await;
    let refused = ending::end(&w.id, &mut caller, link(ClaimChoice::default())).await;
    assert!(
        matches!(refused, Err(Failed::Refused(Refusal::LeftBehind))),
        "{refused:?}"
    );
    assert_eq!(
        count(pool, "SELECT count(*) FROM users WHERE is_anonymous").await,
        2
    );
    assert_eq!(count(pool, "SELECT count(*) FROM sign_ins").await, 0);
    // Both ticked on the page that names the account: the asker is promoted,
    // this browser's guest merged into it.
    let both = ClaimChoice {
        bring_requester: true,
        bring_this_browser: true,
    };
    let ended = ending::end(&w.id, &mut caller, link(both)).await.unwrap();
    assert_eq!(ended.user, asking);
    assert_eq!(ended.outcomes.len(), 2);
    assert_eq!(ended.outcomes[0], ending::Outcome::Promoted);
    let mine: i64 = sqlx::query_scalar("SELECT count(*) FROM notes WHERE user_id = $1")
        .bind(asking)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(mine, 3);
    let gone: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(here_guest)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(gone, 0);
    w.db.drop().await;
}

#[tokio::test]
async fn the_apps_note_failing_rolls_the_whole_sign_in_back() {
    let w = world().await;
    let pool = &w.db.pool;
    let (guest, old) = user(pool, None, 1).await;
    let mut caller = browser(pool, Some(old)).await;
    w.app.fail.store(true, Ordering::SeqCst);
    let failed = ending::end(&w.id, &mut caller, here("ed@example.com")).await;
    assert!(
        matches!(&failed, Err(Failed::Broke(e)) if e.to_string().contains("note failed")),
        "{failed:?}"
    );
    let row: (bool, Option<String>) = sqlx::query_as("SELECT is_anonymous, email FROM users WHERE id = $1")
        .bind(guest)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(row, (true, None), "still the guest it was");
    assert_eq!(count(pool, "SELECT count(*) FROM sign_ins").await, 0);
    assert_eq!(count(pool, "SELECT count(*) FROM noted").await, 0);
    let session: Option<Uuid> = sqlx::query_scalar("SELECT user_id FROM sessions WHERE id = $1")
        .bind(old.to_string())
        .fetch_optional(pool)
        .await
        .unwrap();
    assert_eq!(session, Some(guest), "the browser's session is untouched");
    assert!(w.app.claims.lock().unwrap().is_empty());
    w.db.drop().await;
}
