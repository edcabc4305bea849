//! "Sign in with …" against a real OpenID Connect provider (`oidc-provider`)
//! and a real Postgres, with an app of the test's own (a `notes` table a
//! user owns): a guest's notes come along (promoted in place, then another
//! browser's guest merged into the known identity's account); the answer
//! works only in the browser that left, and only once; a verified address
//! that has an account joins it only once the person confirms.

use crate::common::{self, NOTES, Person, browser, count, person, signed_in};
use crate::oidc_provider::{Provider, follow};
use anonymous_first::hooks::NoHooks;
use anonymous_first::identity::Config;
use anonymous_first::oidc::{self, Callback, Finished, Intent, OidcError, ProviderConfig, Providers};
use anonymous_first::{Caller, Identity, NoProfile, User};
use std::sync::Arc;

const HOME: &str = "http://127.0.0.1:9";

/// Leaves `caller` for the provider, signs in there as `login`, and comes
/// back: the callback's query and the browser key it left with.
async fn round_trip(
    id: &Identity,
    providers: &Providers,
    p: &Provider,
    caller: &Caller<NoProfile>,
    login: &str,
) -> (Callback, String) {
    let started = oidc::start(id, providers, caller, "test", "/notes", Intent::SignIn)
        .await
        .unwrap();
    let at_provider = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let back = follow(p, &at_provider, started.url, HOME, Some(login)).await;
    let query = back.split_once('?').unwrap().1;
    let mut answer = Callback::default();
    for (key, value) in query.split('&').filter_map(|kv| kv.split_once('=')) {
        let value = value.replace("%3A", ":").replace("%2F", "/");
        match key {
            "state" => answer.state = value,
            "code" => answer.code = Some(value),
            "iss" => answer.iss = Some(value),
            _ => {}
        }
    }
    (answer, started.browser_key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_signs_in_with_a_provider_and_another_browser_merges_into_it() {
    let db = common::Db::new(NOTES).await;
    let pool = &db.pool;
    let p = Provider::start();
    let (client_id, client_secret) = p.register(&format!("{HOME}/cb/test")).await;
    let config = ProviderConfig {
        id: "test".into(),
        label: "Test ID".into(),
        issuer: p.issuer.clone(),
        client_id,
        client_secret,
        trust_email: true,
    };
    let providers = Providers::new(vec![config], HOME, "/cb/{id}").unwrap();
    let id = common::identity(pool, Arc::new(NoHooks), Config::default());
    let (guest, session) = common::guest(pool, 2).await;
    let mut laptop = browser(pool, Some(session)).await;

    // The answer in another browser finds nothing, and leaves the attempt.
    let (answer, key) = round_trip(&id, &providers, &p, &laptop, "ada@example.com").await;
    let elsewhere = oidc::finish(
        &id,
        &providers,
        &mut laptop,
        "test",
        &answer,
        Some(&"0".repeat(64)),
    )
    .await;
    assert!(matches!(elsewhere, Err(OidcError::Stale)), "{elsewhere:?}");
    let done = oidc::finish(&id, &providers, &mut laptop, "test", &answer, Some(&key)).await;
    assert!(
        matches!(&done, Ok(Finished::SignedIn { next }) if next == "/notes"),
        "{done:?}"
    );
    assert!(
        matches!(laptop.session.user(), Some(User::Member { id, email: Some(e), .. }) if *id == guest && e == "ada@example.com"),
        "promoted in place, with the verified address"
    );
    let again = oidc::finish(&id, &providers, &mut laptop, "test", &answer, Some(&key)).await;
    assert!(matches!(again, Err(OidcError::Stale)), "an answer works once");
    assert_eq!(count(pool, "SELECT count(*) FROM oidc_identities").await, 1);

    // A phone's guest signs in as the same identity: merged into the account.
    let phone_guest = person(
        pool,
        Person {
            notes: 1,
            ..Person::default()
        },
    )
    .await;
    let mut phone = browser(pool, Some(signed_in(pool, phone_guest, 0).await)).await;
    let (answer, key) = round_trip(&id, &providers, &p, &phone, "ada@example.com").await;
    oidc::finish(&id, &providers, &mut phone, "test", &answer, Some(&key))
        .await
        .unwrap();
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM notes WHERE user_id = '{guest}'")
        )
        .await,
        3
    );
    assert_eq!(count(pool, "SELECT count(*) FROM users").await, 1);

    // A new identity whose verified address has an account waits for the
    // person's choice; choosing to link signs in to that account.
    let bo = person(
        pool,
        Person {
            email: Some("bo@example.com"),
            ..Person::default()
        },
    )
    .await;
    let tablet_guest = person(
        pool,
        Person {
            notes: 1,
            ..Person::default()
        },
    )
    .await;
    let mut tablet = browser(pool, Some(signed_in(pool, tablet_guest, 0).await)).await;
    let (answer, key) = round_trip(&id, &providers, &p, &tablet, "bo@example.com").await;
    let asked = oidc::finish(&id, &providers, &mut tablet, "test", &answer, Some(&key)).await;
    assert!(matches!(asked, Ok(Finished::Confirm)), "{asked:?}");
    assert_eq!(
        count(pool, "SELECT count(*) FROM oidc_identities").await,
        1,
        "nothing linked yet"
    );
    let shown = oidc::pending(&id, &providers, Some(&key)).await.unwrap();
    assert_eq!(shown, Some(("Test ID".to_owned(), "b…@example.com".to_owned())));
    oidc::confirm(&id, &mut tablet, Some(&key), true).await.unwrap();
    assert!(matches!(tablet.session.user(), Some(User::Member { id, .. }) if *id == bo));
    assert_eq!(
        count(
            pool,
            &format!("SELECT count(*) FROM notes WHERE user_id = '{bo}'")
        )
        .await,
        1
    );

    // An address is a way in: the provider can be unlinked, once.
    let linked = oidc::list(&id, &providers, guest).await.unwrap();
    assert_eq!((linked.len(), linked[0].label.as_str()), (1, "Test ID"));
    oidc::unlink(&id, &phone, "test").await.unwrap();
    let twice = oidc::unlink(&id, &phone, "test").await;
    assert!(matches!(twice, Err(OidcError::NotLinked)), "{twice:?}");
    db.drop().await;
}
