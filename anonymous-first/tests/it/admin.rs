//! Admin over users against a real Postgres, with an app of the test's own
//! (users own `notes`; an `admins` table the app's hook reads): only an admin
//! now may act, never on themselves or another admin; a ban ends every
//! session at once, tells each browser why, and every way in refuses until
//! it ends or is lifted; a sign-in holding the account when the ban comes is
//! ended with it; lists count what each user owns; the audit keeps it all.

use crate::common::{self, NOTES, Person, Said, browser, count, guest, person, signed_in};
use anonymous_first::account::{self, AccountError};
use anonymous_first::admin::{self, AdminError, Kind, Search};
use anonymous_first::ending::{Asker, Method, Proof, Refusal, Way, Whom};
use anonymous_first::hooks::{AfterCommit, BoxFuture, Hooks};
use anonymous_first::identity::Config;
use anonymous_first::password::{self, ChangeError, SignInError};
use anonymous_first::sessions::farewell;
use anonymous_first::tokens;
use anonymous_first::{Caller, ClaimChoice, Identity, NoProfile, address};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use uuid::Uuid;

const SCHEMA: &str = "CREATE TABLE admins (user_id uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE);";
const GOOD: &str = "correct horse battery";

/// The test app's side: admins are the rows of `admins`, read `FOR SHARE`.
struct AdminTable;

impl Hooks for AdminTable {
    fn erasing<'c>(
        &'c self,
        _: &'c mut PgConnection,
        _: Uuid,
    ) -> BoxFuture<'c, anyhow::Result<Option<AfterCommit>>> {
        Box::pin(async { Ok(None) })
    }

    fn admins<'c>(
        &'c self,
        conn: &'c mut PgConnection,
        users: &'c [Uuid],
    ) -> BoxFuture<'c, anyhow::Result<Vec<Uuid>>> {
        Box::pin(async move {
            Ok(
                sqlx::query_scalar("SELECT user_id FROM admins WHERE user_id = ANY($1) FOR SHARE")
                    .bind(users)
                    .fetch_all(conn)
                    .await?,
            )
        })
    }
}

/// A member holding the admin role, with `email`.
async fn admin_named(pool: &PgPool, email: &str) -> Uuid {
    let admin = person(
        pool,
        Person {
            email: Some(email),
            ..Person::default()
        },
    )
    .await;
    sqlx::query("INSERT INTO admins VALUES ($1)")
        .bind(admin)
        .execute(pool)
        .await
        .unwrap();
    admin
}

/// The app, an admin and a member (with a password and three notes).
async fn setup(pool: &PgPool) -> (Identity, Uuid, Uuid, String) {
    let id = common::identity(pool, Arc::new(AdminTable), Config::default());
    let admin = admin_named(pool, "admin@example.com").await;
    let hash = id.hasher.hash(GOOD.into()).await.unwrap();
    let member = Person {
        email: Some("rex@example.com"),
        password_hash: Some(&hash),
        notes: 3,
        ..Person::default()
    };
    let member = person(pool, member).await;
    (id, admin, member, hash)
}

#[tokio::test]
async fn a_ban_ends_every_session_at_once_and_every_way_in_refuses_until_lifted() {
    let db = common::Db::new(&format!("{NOTES}{SCHEMA}")).await;
    let pool = &db.pool;
    let (id, admin, member, _) = setup(pool).await;
    let other_admin = admin_named(pool, "boss@example.com").await;
    let desk = browser(pool, Some(signed_in(pool, admin, 0).await)).await;
    let (phone, laptop) = (signed_in(pool, member, 0).await, signed_in(pool, member, 0).await);

    // Only an admin, never on themselves or another admin, with a reason.
    let as_member = browser(pool, Some(phone)).await;
    let refused = admin::ban(&id, &as_member, admin, "no", None).await;
    assert!(matches!(refused, Err(AdminError::NotAdmin)), "{refused:?}");
    assert!(matches!(
        admin::ban(&id, &desk, admin, "me", None).await,
        Err(AdminError::Yourself)
    ));
    let other = admin::ban(&id, &desk, other_admin, "rival", None).await;
    assert!(matches!(other, Err(AdminError::TargetIsAdmin)));
    assert!(matches!(
        admin::ban(&id, &desk, member, "  ", None).await,
        Err(AdminError::Invalid(_))
    ));
    assert!(matches!(
        admin::ban(&id, &desk, member, "spam", Some(0)).await,
        Err(AdminError::Invalid(_))
    ));
    let nobody = admin::ban(&id, &desk, Uuid::new_v4(), "spam", None).await;
    assert!(matches!(nobody, Err(AdminError::NotFound)));
    assert_eq!(count(pool, "SELECT count(*) FROM user_audit").await, 0);

    // The ban: both browsers end at once, each told why.
    assert_eq!(
        admin::ban(&id, &desk, member, "Spam links", Some(7))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM sessions WHERE user_id = '{member}'")
        )
        .await,
        0
    );
    for ended in [phone, laptop] {
        let told = farewell::find(pool, &ended.to_string()).await.unwrap().unwrap();
        assert!(told.banned && !told.moved);
    }

    // Every way in refuses: the password, and a mailed link (which stays usable).
    let mut here = browser(pool, None).await;
    let by_password = password::sign_in(&id, &mut here, "rex@example.com", GOOD.into()).await;
    let Err(SignInError::Banned(Some(until))) = by_password else {
        panic!("a suspended account signed in by password: {by_password:?}");
    };
    let week = until - count(pool, "SELECT extract(epoch FROM now())::int8").await;
    assert!((7 * 86_400 - 60..=7 * 86_400).contains(&week), "{week}");
    address::request_link(&id, &here, "rex@example.com", "/", None)
        .await
        .unwrap();
    let token: Uuid =
        sqlx::query_scalar("SELECT token_id FROM mail_outbox WHERE recipient = 'rex@example.com'")
            .fetch_one(pool)
            .await
            .unwrap();
    let link = tokens::rekey(pool, token, false).await.unwrap().unwrap().token;
    let by_link = address::sign_in_with_link(&id, &mut here, &link, ClaimChoice::default()).await;
    assert!(
        matches!(by_link, Err(address::AddressError::Banned(Some(_)))),
        "{by_link:?}"
    );
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM sessions WHERE user_id = '{member}'")
        )
        .await,
        0
    );

    // Lifted: the same link and the password work again.
    assert!(matches!(
        admin::unban(&id, &as_member_of(pool, other_admin).await, member).await,
        Ok(())
    ));
    assert!(matches!(
        admin::unban(&id, &desk, member).await,
        Err(AdminError::NotBanned)
    ));
    address::sign_in_with_link(&id, &mut here, &link, ClaimChoice::default())
        .await
        .unwrap();
    assert_eq!(here.user().map(|u| u.id()), Some(member));

    // The audit, for every admin: who, whom, what, why, until when.
    let log = admin::audit(&id, &desk, Some(member), 0).await.unwrap();
    let said: Vec<_> = log
        .rows
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_deref(), e.reason.as_deref()))
        .collect();
    assert_eq!(
        said,
        [
            ("unban", Some("boss@example.com"), None),
            ("ban", Some("admin@example.com"), Some("Spam links"))
        ]
    );
    assert_eq!(log.rows[1].until, Some(until));
    assert!(matches!(
        admin::audit(&id, &as_member, None, 0).await,
        Err(AdminError::NotAdmin)
    ));
    db.drop().await;
}

/// A browser signed in as `user` now.
async fn as_member_of(pool: &PgPool, user: Uuid) -> Caller<NoProfile> {
    browser(pool, Some(signed_in(pool, user, 0).await)).await
}

#[tokio::test]
async fn a_sign_in_holding_the_account_when_the_ban_comes_is_ended_with_it() {
    let db = common::Db::new(&format!("{NOTES}{SCHEMA}")).await;
    let pool = &db.pool;
    let (id, admin, member, _) = setup(pool).await;
    let desk = as_member_of(pool, admin).await;

    // A sign-in under way: it holds the account's row, as the ending does,
    // and opens its session before it commits.
    let mut signing_in = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(member)
        .execute(&mut *signing_in)
        .await
        .unwrap();
    let ban = tokio::spawn({
        let (id, pool) = (id.clone(), pool.clone());
        async move {
            let desk = browser(&pool, desk.session.id().map(|s| s.parse().unwrap())).await;
            admin::ban(&id, &desk, member, "Stolen account", None).await
        }
    });
    // The ban waits for the row (its connection shows it waiting on a lock).
    let waiting = "SELECT count(*) FROM pg_stat_activity
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let waited = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while count(pool, waiting).await == 0 {
            tokio::task::yield_now().await;
        }
    });
    assert!(
        waited.await.is_ok() || ban.is_finished(),
        "the ban neither waited nor finished"
    );
    assert!(!ban.is_finished());
    sqlx::query(
        "INSERT INTO sessions (id, user_id, expiry_date) VALUES ('new-sign-in', $1, now() + interval '1 day')",
    )
    .bind(member)
    .execute(&mut *signing_in)
    .await
    .unwrap();
    signing_in.commit().await.unwrap();

    // The ban then ends the session that sign-in opened.
    assert_eq!(ban.await.unwrap().unwrap(), 1);
    assert_eq!(
        count(pool, "SELECT count(*) FROM sessions WHERE id = 'new-sign-in'").await,
        0
    );
    db.drop().await;
}

#[tokio::test]
async fn lists_find_users_by_address_and_kind_with_what_each_owns() {
    let db = common::Db::new(&format!("{NOTES}{SCHEMA}")).await;
    let pool = &db.pool;
    let (id, admin, member, _) = setup(pool).await;
    let desk = as_member_of(pool, admin).await;
    let (guest, _) = guest(pool, 2).await;
    sqlx::query("INSERT INTO guest_mint_keys (key_hash, user_id) VALUES (sha256('tab'), $1)")
        .bind(guest)
        .execute(pool)
        .await
        .unwrap();
    admin::ban(&id, &desk, guest, "Vandal", None).await.unwrap();
    assert_eq!(
        count(pool, "SELECT count(*) FROM guest_mint_keys").await,
        0,
        "its key names it no more"
    );

    let all = admin::users(&id, &desk, &Search::default()).await.unwrap();
    assert_eq!(all.rows.len(), 3);
    assert!(!all.more);
    let rex = all.rows.iter().find(|u| u.id == member).unwrap();
    assert_eq!(
        (rex.owns.get("notes"), rex.guest, rex.admin, rex.ban.is_none()),
        (3, false, false, true)
    );
    assert!(all.rows.iter().any(|u| u.id == admin && u.admin));

    let found = |text: &str, kind| Search {
        text: text.into(),
        kind,
        page: 0,
    };
    let by_address = admin::users(&id, &desk, &found("REX@", Kind::All)).await.unwrap();
    assert_eq!(by_address.rows.iter().map(|u| u.id).collect::<Vec<_>>(), [member]);
    let guests = admin::users(&id, &desk, &found("", Kind::Guests)).await.unwrap();
    assert_eq!(guests.rows.len(), 1);
    let banned = admin::users(&id, &desk, &found("", Kind::Banned)).await.unwrap();
    let ban = banned.rows[0].ban.clone().unwrap();
    assert_eq!((banned.rows[0].id, banned.rows[0].owns.get("notes")), (guest, 2));
    assert_eq!(
        (ban.reason.as_str(), ban.by.as_deref(), ban.until),
        ("Vandal", Some("admin@example.com"), None)
    );
    assert_eq!(admin::user(&id, &desk, guest).await.unwrap(), banned.rows[0]);

    // A page is bounded, and says when another follows.
    sqlx::query("INSERT INTO users (is_anonymous) SELECT true FROM generate_series(1, 30)")
        .execute(pool)
        .await
        .unwrap();
    let first = admin::users(&id, &desk, &found("", Kind::Guests)).await.unwrap();
    assert_eq!((first.rows.len(), first.more), (admin::PAGE, true));
    let second = admin::users(
        &id,
        &desk,
        &Search {
            page: 1,
            ..found("", Kind::Guests)
        },
    )
    .await
    .unwrap();
    assert_eq!((second.rows.len(), second.more), (31 - admin::PAGE, false));
    let as_member = as_member_of(pool, member).await;
    assert!(matches!(
        admin::users(&id, &as_member, &Search::default()).await,
        Err(AdminError::NotAdmin)
    ));
    db.drop().await;
}

/// A way in that adds nothing to the member signed in here (a passkey or a
/// provider being added, as the ending sees it).
struct AddsAWayIn;

impl Way<NoProfile> for AddsAWayIn {
    type Error = Said;

    async fn redeem(&mut self, _: &Caller<NoProfile>, _: &mut PgConnection) -> Result<Proof, Said> {
        Ok(Proof {
            method: Method::PasskeyAdded,
            whom: Whom::ThisMember { recent: false },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: "/".into(),
        })
    }
}

#[tokio::test]
async fn an_admin_acts_as_a_member_for_an_hour_at_most_changes_none_of_their_ways_in_and_comes_back() {
    let db = common::Db::new(&format!("{NOTES}{SCHEMA}")).await;
    let pool = &db.pool;
    let (id, admin, member, _) = setup(pool).await;
    let other_admin = admin_named(pool, "boss@example.com").await;
    let (guest, _) = guest(pool, 1).await;
    let desk_session = signed_in(pool, admin, 5).await;
    let mut desk = browser(pool, Some(desk_session)).await;

    // Never another admin, oneself, a guest; never by a member.
    assert!(matches!(
        admin::act_as(&id, &mut desk, other_admin, "/").await,
        Err(AdminError::TargetIsAdmin)
    ));
    assert!(matches!(
        admin::act_as(&id, &mut desk, admin, "/").await,
        Err(AdminError::Yourself)
    ));
    assert!(matches!(
        admin::act_as(&id, &mut desk, guest, "/").await,
        Err(AdminError::Invalid(_))
    ));
    let mut as_member = as_member_of(pool, member).await;
    assert!(matches!(
        admin::act_as(&id, &mut as_member, other_admin, "/").await,
        Err(AdminError::NotAdmin)
    ));
    assert_eq!(count(pool, "SELECT count(*) FROM user_audit").await, 0);

    // In: the session rotates to the member, marked for the hour.
    let ended = admin::act_as(&id, &mut desk, member, "https://evil.example/")
        .await
        .unwrap();
    assert_eq!((ended.user, ended.next.as_str()), (member, "/"));
    assert_eq!(desk.user().map(|u| u.id()), Some(member));
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM sessions WHERE id = '{desk_session}'")
        )
        .await,
        0
    );
    let acting_id: tower_sessions_core::session::Id = desk.session.id().unwrap().parse().unwrap();
    let mut acting = browser(pool, Some(acting_id)).await;
    let hour =
        acting.session.acting_until().unwrap() - count(pool, "SELECT extract(epoch FROM now())::int8").await;
    assert!((3540..=3600).contains(&hour), "{hour}");

    // Nothing about how the account is protected changes while acting.
    let adds = anonymous_first::ending::end(&id, &mut acting, AddsAWayIn).await;
    assert!(matches!(adds, Err(Said::Refused(Refusal::Acting))), "{adds:?}");
    let acting_now = browser(pool, Some(acting_id)).await;
    assert!(matches!(
        account::sign_out_others(&id, &acting_now).await,
        Err(AccountError::NotSignedIn)
    ));
    let new = password::change(&id, &acting_now, GOOD.into(), "a new horse battery".into(), true).await;
    assert!(matches!(new, Err(ChangeError::NotSignedIn)), "{new:?}");
    let mut deleting = browser(pool, Some(acting_id)).await;
    let delete = account::delete_account(&id, &mut deleting, "rex@example.com").await;
    assert!(matches!(delete, Err(AccountError::NotSignedIn)), "{delete:?}");
    assert!(matches!(
        admin::users(&id, &acting_now, &Search::default()).await,
        Err(AdminError::NotAdmin)
    ));
    let change = address::request_change(&id, &acting_now, "mine@example.com", "/").await;
    assert!(
        matches!(change, Err(address::ChangeRequestError::NotSignedIn)),
        "{change:?}"
    );
    assert_eq!(
        count(pool, &format!("SELECT count(*) FROM users WHERE id = '{member}'")).await,
        1
    );

    // Out: the admin again, with their own sign-in's age (five minutes), not a new one.
    let mut back = browser(pool, Some(acting_id)).await;
    let ended = admin::stop_acting(&id, &mut back, "/admin").await.unwrap();
    assert_eq!((ended.user, ended.next.as_str()), (admin, "/admin"));
    assert_eq!(back.session.acting_until(), None);
    let fresh: tower_sessions_core::session::Id = back.session.id().unwrap().parse().unwrap();
    let reloaded = browser(pool, Some(fresh)).await;
    assert_eq!(reloaded.user().map(|u| u.id()), Some(admin));
    let age = reloaded.session.millis_since_sign_in().unwrap();
    assert!((290_000..=330_000).contains(&age), "{age}");
    assert!(matches!(
        admin::stop_acting(&id, &mut back, "/").await,
        Err(AdminError::NotActing)
    ));

    // Signed out everywhere (a stolen laptop): the admin stops acting too.
    let mut again = browser(pool, Some(fresh)).await;
    admin::act_as(&id, &mut again, member, "/").await.unwrap();
    let stolen: tower_sessions_core::session::Id = again.session.id().unwrap().parse().unwrap();
    let elsewhere = as_member_of(pool, admin).await;
    assert_eq!(account::sign_out_others(&id, &elsewhere).await.unwrap(), 1);
    assert!(browser(pool, Some(stolen)).await.user().is_none());
    let mut thief = browser(pool, Some(stolen)).await;
    assert!(admin::stop_acting(&id, &mut thief, "/").await.is_err());
    let fresh: tower_sessions_core::session::Id = elsewhere.session.id().unwrap().parse().unwrap();

    // The hour up: the acting session reads as nobody.
    let mut again = browser(pool, Some(fresh)).await;
    admin::act_as(&id, &mut again, member, "/").await.unwrap();
    let late: tower_sessions_core::session::Id = again.session.id().unwrap().parse().unwrap();
    sqlx::query(
        "UPDATE sessions SET acting_until = now() - interval '1 second' WHERE acting_admin IS NOT NULL",
    )
    .execute(pool)
    .await
    .unwrap();
    assert!(browser(pool, Some(late)).await.user().is_none());

    let log = admin::audit(&id, &reloaded, None, 0).await.unwrap();
    let actions: Vec<&str> = log.rows.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["act_as", "act_as", "act_end", "act_as"]);
    db.drop().await;
}
