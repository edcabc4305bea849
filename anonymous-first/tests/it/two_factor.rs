//! Two-step sign-in against a real Postgres: a first code turns it on (and
//! signs the other browsers out); then a password only leaves a sign-in
//! waiting, nobody signed in; a code finishes it once — the same step, or a
//! backup code, is refused a second time, also under two requests at once;
//! wrong codes drop the waiting sign-in and count against the account's
//! limit; a trusted browser skips the step; turning it off needs a code.

use crate::common::{self, NOTES, Person, Said, browser, count, person, signed_in};
use anonymous_first::ending::{self, Asker, Method, Proof, ProviderIdentity, Refusal, Way, Whom};
use anonymous_first::hooks::NoHooks;
use anonymous_first::identity::Config;
use anonymous_first::limits::{AddressAction, Limit};
use anonymous_first::password::{self, SignInError};
use anonymous_first::two_factor::{self, MAX_FAILURES, TwoFactorError};
use anonymous_first::{Caller, ClaimChoice, Identity, NoProfile, account, address};
use sqlx::PgPool;
use std::sync::Arc;
use totp_rs::{Builder, Secret};
use uuid::Uuid;

const GOOD: &str = "correct horse battery";

fn identity(pool: &PgPool, code_tries: i32) -> Identity {
    let mut config = Config::default();
    let limits = &mut config.address_limits;
    limits.second_factor_per_account = Limit::new(AddressAction::SecondFactorPerAccount, code_tries);
    limits.password_per_account = Limit::new(AddressAction::PasswordPerAccount, 100);
    common::identity(pool, Arc::new(NoHooks), config)
}

/// The authenticator's code of the step `offset` steps from now.
fn code(secret: &str, offset: i64) -> String {
    let bytes = Secret::try_from_base32(secret).unwrap();
    let totp = Builder::new().with_secret(bytes).build_noncompliant();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + offset * 30) as u64).to_string()
}

/// A member with a password, signed in here just now, with two-step
/// sign-in on: their id, the secret and the backup codes.
async fn member_with_two_step(id: &Identity, email: &str) -> (Uuid, String, Vec<String>) {
    let pool = &id.pool;
    let hash = id.hasher.hash(GOOD.into()).await.unwrap();
    let member = person(
        pool,
        Person {
            email: Some(email),
            password_hash: Some(&hash),
            ..Person::default()
        },
    )
    .await;
    let mut here = browser(pool, Some(signed_in(pool, member, 0).await)).await;
    let setup = two_factor::begin(id, &here, "Site").await.unwrap();
    assert!(setup.uri.starts_with("otpauth://totp/Site:"), "{}", setup.uri);
    let backup = two_factor::enable(id, &mut here, &code(&setup.secret, 0))
        .await
        .unwrap();
    (member, setup.secret, backup)
}

/// A browser without a session, with the password typed: the key of the
/// sign-in left waiting.
async fn first_step(id: &Identity, email: &str) -> (Caller<NoProfile>, Uuid) {
    let mut caller = browser(&id.pool, None).await;
    match password::sign_in(id, &mut caller, email, GOOD.into()).await {
        Err(SignInError::SecondFactor(key)) => (caller, key),
        other => panic!("expected a second step, got {other:?}"),
    }
}

#[tokio::test]
async fn a_code_finishes_a_sign_in_once_and_its_step_never_again() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 100);
    let hash = id.hasher.hash(GOOD.into()).await.unwrap();
    let member = person(
        pool,
        Person {
            email: Some("two@example.com"),
            password_hash: Some(&hash),
            ..Person::default()
        },
    )
    .await;
    let other = signed_in(pool, member, 0).await;
    let mut here = browser(pool, Some(signed_in(pool, member, 0).await)).await;

    // Set up: a wrong code changes nothing; the right one turns it on.
    let setup = two_factor::begin(&id, &here, "Site").await.unwrap();
    let wrong = two_factor::enable(&id, &mut here, "000000").await;
    assert!(matches!(wrong, Err(TwoFactorError::WrongCode)), "{wrong:?}");
    assert_eq!(two_factor::status(&id, member).await.unwrap(), None);
    let first = code(&setup.secret, 0);
    let backup = two_factor::enable(&id, &mut here, &first).await.unwrap();
    assert_eq!(backup.len(), two_factor::BACKUP_CODES);
    assert_eq!(two_factor::status(&id, member).await.unwrap(), Some(10));
    let gone = format!("SELECT count(*) FROM sessions WHERE id = '{other}'");
    assert_eq!(count(pool, &gone).await, 0, "the other browser was signed out");
    let stored = "SELECT count(*) FROM backup_codes WHERE code_hash = convert_to(code_hash::text, 'UTF8')";
    assert_eq!(count(pool, stored).await, 0);

    // A password alone signs nobody in.
    let sign_ins = "SELECT count(*) FROM sign_ins";
    let before = count(pool, sign_ins).await;
    let (mut there, key) = first_step(&id, "two@example.com").await;
    assert!(there.user().is_none(), "nobody is signed in after the first step");
    assert_eq!(count(pool, sign_ins).await, before);

    // The step that turned it on is used: refused, though within the window.
    let key = key.to_string();
    let replay = two_factor::finish(&id, &mut there, Some(&key), &first, false).await;
    assert!(matches!(replay, Err(TwoFactorError::WrongCode)), "{replay:?}");
    assert!(there.user().is_none());

    // The next step's code finishes it (one step ahead is within ±1).
    let next = code(&setup.secret, 1);
    let done = two_factor::finish(&id, &mut there, Some(&key), &next, false)
        .await
        .unwrap();
    assert_eq!(done.ended.user, member);
    assert_eq!(there.user().map(|u| u.id()), Some(member));
    assert_eq!(count(pool, sign_ins).await, before + 1);
    let method = format!("SELECT count(*) FROM sign_ins WHERE user_id = '{member}' AND method = 'password'");
    assert_eq!(count(pool, &method).await, 1, "recorded as the first step's way");

    // The waiting sign-in is gone, and the same step is refused next time.
    let again = two_factor::finish(&id, &mut browser(pool, None).await, Some(&key), &next, false).await;
    assert!(matches!(again, Err(TwoFactorError::Expired)), "{again:?}");
    let (mut third, key) = first_step(&id, "two@example.com").await;
    let replayed = two_factor::finish(&id, &mut third, Some(&key.to_string()), &next, false).await;
    assert!(matches!(replayed, Err(TwoFactorError::WrongCode)), "{replayed:?}");
    assert!(third.user().is_none());

    // A backup code works once.
    let used = two_factor::finish(
        &id,
        &mut third,
        Some(&key.to_string()),
        &backup[0].to_uppercase(),
        false,
    )
    .await;
    assert_eq!(used.unwrap().ended.user, member);
    let (mut fourth, key) = first_step(&id, "two@example.com").await;
    let twice = two_factor::finish(&id, &mut fourth, Some(&key.to_string()), &backup[0], false).await;
    assert!(matches!(twice, Err(TwoFactorError::WrongCode)), "{twice:?}");
    assert_eq!(two_factor::status(&id, member).await.unwrap(), Some(9));
    db.drop().await;
}

#[tokio::test]
async fn a_backup_code_is_used_once_under_two_requests_at_once() {
    let db = common::Db::new(NOTES).await;
    let pool = db.pool.clone();
    let id = identity(&pool, 100);
    let (member, _, backup) = member_with_two_step(&id, "both@example.com").await;
    let (a, key_a) = first_step(&id, "both@example.com").await;
    let (b, key_b) = first_step(&id, "both@example.com").await;

    // Hold the account's row so both requests wait at the same point.
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(member)
        .execute(&mut *holder)
        .await
        .unwrap();
    let run = |mut caller: Caller<NoProfile>, key: Uuid| {
        let (id, code) = (identity(&pool, 100), backup[3].clone());
        tokio::spawn(async move {
            let key = key.to_string();
            two_factor::finish(&id, &mut caller, Some(&key), &code, false)
                .await
                .map(|d| d.ended.user)
        })
    };
    let (one, two) = (run(a, key_a), run(b, key_b));
    let waiting = "SELECT count(*) FROM pg_stat_activity
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let both = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while count(&pool, waiting).await < 2 {
            tokio::task::yield_now().await;
        }
    });
    assert!(both.await.is_ok(), "both requests wait for the account's row");
    holder.commit().await.unwrap();

    let results = [one.await.unwrap(), two.await.unwrap()];
    let won = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|u| *u == member))
        .count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(TwoFactorError::WrongCode)))
        .count();
    assert_eq!((won, refused), (1, 1), "{results:?}");
    let used =
        format!("SELECT count(*) FROM backup_codes WHERE user_id = '{member}' AND used_at IS NOT NULL");
    assert_eq!(count(&pool, &used).await, 1);
    db.drop().await;
}

#[tokio::test]
async fn wrong_codes_drop_the_sign_in_and_count_against_the_account() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let roomy = identity(pool, 100);
    let (member, secret, _) = member_with_two_step(&roomy, "wrong@example.com").await;

    // Five wrong codes and the waiting sign-in is gone, right code or not.
    let (mut caller, key) = first_step(&roomy, "wrong@example.com").await;
    let key = key.to_string();
    for _ in 0..MAX_FAILURES {
        let wrong = two_factor::finish(&roomy, &mut caller, Some(&key), "999999", false).await;
        assert!(matches!(wrong, Err(TwoFactorError::WrongCode)), "{wrong:?}");
    }
    let late = two_factor::finish(&roomy, &mut caller, Some(&key), &code(&secret, 1), false).await;
    assert!(matches!(late, Err(TwoFactorError::Expired)), "{late:?}");
    assert!(caller.user().is_none());

    // The account's limit (here 3: turning it on was one) holds across
    // waiting sign-ins and browsers, the right code included.
    let tight = identity(pool, 3);
    let (other, secret, _) = member_with_two_step(&tight, "tight@example.com").await;
    for _ in 0..2 {
        let (mut caller, key) = first_step(&tight, "tight@example.com").await;
        let wrong = two_factor::finish(&tight, &mut caller, Some(&key.to_string()), "999999", false).await;
        assert!(matches!(wrong, Err(TwoFactorError::WrongCode)), "{wrong:?}");
    }
    let (mut caller, key) = first_step(&tight, "tight@example.com").await;
    let over = two_factor::finish(
        &tight,
        &mut caller,
        Some(&key.to_string()),
        &code(&secret, 1),
        false,
    )
    .await;
    assert!(matches!(over, Err(TwoFactorError::TooMany(_))), "{over:?}");
    assert!(caller.user().is_none());
    assert_eq!(two_factor::status(&roomy, member).await.unwrap(), Some(10));
    assert_eq!(two_factor::status(&roomy, other).await.unwrap(), Some(10));
    db.drop().await;
}

#[tokio::test]
async fn a_trusted_browser_skips_the_step_until_forgotten_and_off_needs_a_code() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 100);
    let (member, secret, backup) = member_with_two_step(&id, "trust@example.com").await;

    let (mut caller, key) = first_step(&id, "trust@example.com").await;
    let done = two_factor::finish(&id, &mut caller, Some(&key.to_string()), &code(&secret, 1), true)
        .await
        .unwrap();
    let trusted = done.trusted_key.expect("a key for the cookie");
    let listed = two_factor::trusted_browsers(pool, member).await.unwrap();
    assert_eq!(listed.len(), 1);

    // The same browser (its cookie) signs in with the password alone...
    let mut back = browser(pool, None).await;
    back.trusted_browser = Some(trusted.clone());
    let ended = password::sign_in(&id, &mut back, "trust@example.com", GOOD.into())
        .await
        .unwrap();
    assert_eq!(ended.user, member);
    // ...another browser's key does not.
    let mut stranger = browser(pool, None).await;
    stranger.trusted_browser = Some("0".repeat(64));
    let asked = password::sign_in(&id, &mut stranger, "trust@example.com", GOOD.into()).await;
    assert!(matches!(asked, Err(SignInError::SecondFactor(_))), "{asked:?}");

    // Forgotten, it asks again.
    assert!(two_factor::forget(pool, member, listed[0].id).await.unwrap());
    let mut again = browser(pool, None).await;
    again.trusted_browser = Some(trusted);
    let asked = password::sign_in(&id, &mut again, "trust@example.com", GOOD.into()).await;
    assert!(matches!(asked, Err(SignInError::SecondFactor(_))), "{asked:?}");

    // Off needs a code; then a password signs in alone.
    let wrong = two_factor::disable(&id, &mut back, "123456").await;
    assert!(matches!(wrong, Err(TwoFactorError::WrongCode)), "{wrong:?}");
    two_factor::disable(&id, &mut back, &backup[0]).await.unwrap();
    assert_eq!(two_factor::status(&id, member).await.unwrap(), None);
    assert_eq!(count(pool, "SELECT count(*) FROM backup_codes").await, 0);
    let mut plain = browser(pool, None).await;
    assert!(
        password::sign_in(&id, &mut plain, "trust@example.com", GOOD.into())
            .await
            .is_ok()
    );
    db.drop().await;
}

#[cfg(feature = "passkeys")]
#[tokio::test]
async fn a_passkey_counts_as_both_steps() {
    use crate::soft_passkey::SoftPasskey;
    use anonymous_first::passkeys::{self, Passkeys};
    const ORIGIN: &str = "http://localhost:3000";
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 100);
    let (member, _, _) = member_with_two_step(&id, "key@example.com").await;
    let rp = Passkeys::new(ORIGIN, "Notes").unwrap();
    let mut key = SoftPasskey::new(ORIGIN);
    let mut here = browser(pool, Some(signed_in(pool, member, 0).await)).await;
    let started = passkeys::start_adding(&id, &rp, &here, "Laptop", None)
        .await
        .unwrap();
    let credential = key.create(&started.options);
    let ceremony = started.ceremony.to_string();
    let held = Some(started.browser_key.as_str());
    passkeys::finish_adding(&id, &rp, &mut here, &ceremony, credential, "/", held)
        .await
        .unwrap();

    let mut phone = browser(pool, None).await;
    let started = passkeys::start_sign_in(&id, &rp, &phone, None).await.unwrap();
    let answer = key.get(&started.options);
    let ceremony = started.ceremony.to_string();
    let held = Some(started.browser_key.as_str());
    let ended = passkeys::finish_sign_in(&id, &rp, &mut phone, &ceremony, answer, "/", held).await;
    assert_eq!(ended.unwrap().user, member, "no code asked after a passkey");
    assert_eq!(phone.user().map(|u| u.id()), Some(member));
    db.drop().await;
}

/// A way in that signs `member` in with one factor, bringing a provider
/// identity when the test says (a provider's first sign-in, as the ending
/// sees it); `first_proof`: it proves the address for the first time.
struct OneFactor {
    member: Uuid,
    first_proof: bool,
    identity: Option<ProviderIdentity>,
}

impl Way<NoProfile> for OneFactor {
    type Error = Said;

    async fn redeem(&mut self, _: &Caller<NoProfile>, conn: &mut sqlx::PgConnection) -> Result<Proof, Said> {
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
            .bind(self.member)
            .execute(conn)
            .await
            .map_err(|e| Said::from(anyhow::Error::from(e)))?;
        Ok(Proof {
            method: Method::OpenId,
            whom: Whom::Member {
                id: self.member,
                first_proof: self.first_proof,
                password: None,
            },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: "/kept".into(),
        })
    }

    fn provider_identity(&self) -> Option<ProviderIdentity> {
        self.identity.clone()
    }
}

#[tokio::test]
async fn what_the_first_step_would_add_comes_with_the_second_and_a_first_proof_drops_an_unproven_setup() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 100);
    let (member, secret, _) = member_with_two_step(&id, "linked@example.com").await;

    // A provider's first sign-in waits, with nothing linked yet...
    let identity = ProviderIdentity {
        provider: "local".into(),
        subject: "sub-1".into(),
        email: Some("linked@example.com".into()),
    };
    let way = OneFactor {
        member,
        first_proof: false,
        identity: Some(identity),
    };
    let mut caller = browser(pool, None).await;
    let key = match ending::end(&id, &mut caller, way).await {
        Err(Said::Refused(Refusal::SecondFactor(key))) => key,
        other => panic!("expected a second step, got {other:?}"),
    };
    let linked = "SELECT count(*) FROM oidc_identities WHERE subject = 'sub-1'";
    assert_eq!(count(pool, linked).await, 0, "one factor links nothing");
    // ...and the code links it, going where the first step was headed.
    let done = two_factor::finish(&id, &mut caller, Some(&key.to_string()), &code(&secret, 1), false)
        .await
        .unwrap();
    assert_eq!((done.ended.user, done.ended.next.as_str()), (member, "/kept"));
    let owner =
        format!("SELECT count(*) FROM oidc_identities WHERE subject = 'sub-1' AND user_id = '{member}'");
    assert_eq!(count(pool, &owner).await, 1);

    // A first proof of the address drops a setup made before it.
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1")
        .bind(member)
        .execute(pool)
        .await
        .unwrap();
    let proven = OneFactor {
        member,
        first_proof: true,
        identity: None,
    };
    let ended = ending::end(&id, &mut browser(pool, None).await, proven)
        .await
        .unwrap();
    assert_eq!(ended.user, member);
    assert_eq!(two_factor::status(&id, member).await.unwrap(), None);
    assert_eq!(count(pool, "SELECT count(*) FROM backup_codes").await, 0);
    db.drop().await;
}

#[tokio::test]
async fn signing_out_everywhere_and_undoing_an_address_change_undo_what_came_with_them() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let id = identity(pool, 100);
    let (member, secret, backup) = member_with_two_step(&id, "owner@example.com").await;

    // A trusted browser, then "sign out my other devices" elsewhere: asked again.
    let (mut laptop, key) = first_step(&id, "owner@example.com").await;
    let trusted = two_factor::finish(&id, &mut laptop, Some(&key.to_string()), &code(&secret, 1), true)
        .await
        .unwrap()
        .trusted_key
        .unwrap();
    let (_, waiting) = first_step(&id, "owner@example.com").await;
    let desk = browser(pool, Some(signed_in(pool, member, 0).await)).await;
    account::sign_out_others(&id, &desk).await.unwrap();
    assert_eq!(count(pool, "SELECT count(*) FROM trusted_browsers").await, 0);
    let late = two_factor::finish(
        &id,
        &mut browser(pool, None).await,
        Some(&waiting.to_string()),
        &code(&secret, 1),
        false,
    )
    .await;
    assert!(matches!(late, Err(TwoFactorError::Expired)), "{late:?}");
    let mut back = browser(pool, None).await;
    back.trusted_browser = Some(trusted);
    let asked = password::sign_in(&id, &mut back, "owner@example.com", GOOD.into()).await;
    assert!(matches!(asked, Err(SignInError::SecondFactor(_))), "{asked:?}");

    // The setup's secret is shown to a recent sign-in only.
    let stale = browser(pool, Some(signed_in(pool, member, 600).await)).await;
    let shown = two_factor::setup_of(&id, &stale, "Site").await;
    assert!(matches!(shown, Err(TwoFactorError::NotRecent(_))), "{shown:?}");

    // Whoever holds a session turns it off, begins a setup, changes the
    // address and only then turns the setup on: the undo drops it all the same.
    let mut thief = browser(pool, Some(signed_in(pool, member, 0).await)).await;
    two_factor::disable(&id, &mut thief, &backup[0]).await.unwrap();
    let theirs = two_factor::begin(&id, &thief, "Site").await.unwrap();
    sqlx::query("UPDATE two_factor SET created_at = now() - interval '1 minute'")
        .execute(pool)
        .await
        .unwrap();
    address::request_change(&id, &thief, "thief@example.com", "/")
        .await
        .unwrap();
    let link = common::mailed(pool, "change_email", "thief@example.com").await;
    address::confirm_change(&id, &mut thief, &link).await.unwrap();
    two_factor::enable(&id, &mut thief, &code(&theirs.secret, 0))
        .await
        .unwrap();
    let undo = common::mailed(pool, "email_changed", "owner@example.com").await;
    address::undo_change(&id, &undo).await.unwrap();
    assert_eq!(
        two_factor::status(&id, member).await.unwrap(),
        None,
        "the thief's two-step went"
    );
    db.drop().await;
}
