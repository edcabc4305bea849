//! Dogs per account: at most 50 added (also when adds race), never fewer
//! after a claim, and "My dogs" a bounded page at a time through plain links.

use crate::common::flows::{add_dog, spawn, user_id};
use crate::common::mail::{SmtpSink, token_in};
use crate::common::{Browser, TestApp, spawn_app};
use paws_inside::dogs::MAX_DOGS;
use std::collections::HashSet;
use uuid::Uuid;

/// Gives `owner` `n` more dogs straight in the database, all added in the
/// same instant (so pages must order them by id too).
async fn more_dogs(app: &TestApp, owner: Uuid, n: i64) {
    sqlx::query(
        "INSERT INTO dogs (user_id, name, size)
         SELECT $1, 'Dog ' || i, 'small' FROM generate_series(1, $2) i",
    )
    .bind(owner)
    .bind(n)
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn dogs_of(app: &TestApp, owner: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM dogs WHERE user_id = $1")
        .bind(owner)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

const FULL: &str = "You can keep up to 50 dogs";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fifty_first_dog_is_refused_with_a_reason_and_nothing_is_written() {
    let app = spawn_app().await;
    let b = Browser::new();
    let first = add_dog(&app, &b, "Rex").await;
    let owner = user_id(&app, &b).await;
    more_dogs(&app, owner, MAX_DOGS - 1).await;
    let res = app
        .call(&b, "dogs/create", &[("name", "One too many"), ("size", "small")])
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains(FULL));
    assert_eq!(dogs_of(&app, owner).await, MAX_DOGS, "nothing written");
    // Without JavaScript the form page says so.
    let res = b
        .post(format!("{}/api/dogs/create", app.address))
        .header("accept", "text/html")
        .header("referer", format!("{}/dogs/new", app.address))
        .form(&[("name", "One too many"), ("size", "small")])
        .send()
        .await
        .unwrap();
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, "/dogs/new", "a clean address");
    let (_, page) = b.open(&app, &back).await;
    assert!(page.contains(FULL), "{back}");
    // Making room lets the next one in.
    let res = app.call(&b, "dogs/delete", &[("id", &first.to_string())]).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    add_dog(&app, &b, "Room again").await;
    assert_eq!(dogs_of(&app, owner).await, MAX_DOGS);
}

/// Three adds at 49 dogs, made to overlap: the test holds the owner's row,
/// waits until all three are blocked on it, then lets them go together. Each
/// statement began before any of the others wrote; only one may pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_racing_at_the_limit_let_exactly_one_through() {
    let app = spawn_app().await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let owner = user_id(&app, &b).await;
    more_dogs(&app, owner, MAX_DOGS - 2).await;
    let hold = app
        .hold(
            "SELECT 1 FROM users WHERE id = $1::uuid FOR UPDATE",
            &[&owner.to_string()],
        )
        .await;
    let adds: Vec<_> = ["Racer 0", "Racer 1", "Racer 2"]
        .into_iter()
        .map(|name| adding(&app, &b, name))
        .collect();
    hold.until_waiting(3, "").await;
    hold.release().await;
    let mut answers = Vec::new();
    for add in adds {
        answers.push(add.await.unwrap());
    }
    let passed = answers.iter().filter(|(s, _)| *s == 200).count();
    let full = answers
        .iter()
        .filter(|(s, body)| *s == 400 && body.contains(FULL))
        .count();
    assert_eq!((passed, full), (1, 2), "{answers:?}");
    assert_eq!(dogs_of(&app, owner).await, MAX_DOGS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_brings_every_dog_past_the_limit_and_only_adding_stops() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    // An account with 45 dogs.
    let laptop = Browser::new();
    app.call(&laptop, "auth/magic-link", &[("email", "many@example.com")])
        .await;
    let token = token_in(&sink.wait_for("many@example.com", 1).await);
    let res = crate::common::flows::post_form(&app, &laptop, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    let account = user_id(&app, &laptop).await;
    more_dogs(&app, account, 45).await;
    // A guest with 10 dogs signs in to it from its own browser.
    let phone = Browser::new();
    add_dog(&app, &phone, "Guest dog").await;
    more_dogs(&app, user_id(&app, &phone).await, 9).await;
    app.call(&phone, "auth/magic-link", &[("email", "many@example.com")])
        .await;
    let token = token_in(&sink.wait_for("many@example.com", 2).await);
    let res = crate::common::flows::post_form(&app, &phone, "/auth/confirm", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(user_id(&app, &phone).await, account);
    assert_eq!(dogs_of(&app, account).await, 55, "every dog came along");
    let res = app
        .call(&phone, "dogs/create", &[("name", "Fifty-six"), ("size", "small")])
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(dogs_of(&app, account).await, 55);
    assert_eq!(every_page(&app, &phone).await.len(), 55, "all listed");
}

/// The dog ids on a rendered "My dogs" page, and its "More dogs" link.
fn page_of(html: &str) -> (Vec<Uuid>, Option<String>) {
    let grid = &html[html.find("dog-grid").unwrap_or(0)..];
    let ids = grid
        .split("href=\"/dogs/")
        .skip(1)
        .filter_map(|card| card.get(..36)?.parse().ok())
        .collect();
    let more = html.find("data-more").and_then(|at| {
        let tag = &html[html[..at].rfind("<a")?..at];
        let start = tag.find("href=\"")? + 6;
        Some(tag[start..start + tag[start..].find('"')?].replace("&amp;", "&"))
    });
    (ids, more)
}

/// Follows "More dogs" from `/dogs` to the end, as a browser without
/// JavaScript would; every page is at most 20 dogs.
async fn every_page(app: &TestApp, b: &Browser) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut next = Some("/dogs".to_owned());
    while let Some(href) = next {
        let (status, html) = b.open(app, &href).await;
        assert_eq!(status, 200, "{href}");
        let (ids, more) = page_of(&html);
        assert!(ids.len() <= 20, "{href}: {} dogs", ids.len());
        assert!(
            !ids.is_empty() || seen.is_empty(),
            "{href}: a link to an empty page"
        );
        seen.extend(ids);
        next = more;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_dogs_come_twenty_at_a_time_through_plain_links_each_once() {
    let app = spawn_app().await;
    let b = Browser::new();
    add_dog(&app, &b, "First").await;
    let owner = user_id(&app, &b).await;
    more_dogs(&app, owner, 44).await;
    let (status, html) = b.open(&app, "/dogs").await;
    assert_eq!(status, 200);
    let (first, more) = page_of(&html);
    assert_eq!(first.len(), 20);
    assert!(
        more.as_deref().is_some_and(|m| m.starts_with("/dogs?after=")),
        "{more:?}"
    );
    assert!(html.contains("First"), "oldest first");
    let seen = every_page(&app, &b).await;
    let all: HashSet<Uuid> = sqlx::query_scalar("SELECT id FROM dogs")
        .fetch_all(&app.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(seen.len(), 45, "no dog twice");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), all, "none missing");
    // A cursor that is not one shows the first page, never an error.
    for junk in [
        "junk",
        "99999999999999999999.x",
        "-1.00000000-0000-0000-0000-000000000000",
    ] {
        let (status, html) = b.open(&app, &format!("/dogs?after={junk}")).await;
        assert_eq!(status, 200, "{junk}");
        assert_eq!(page_of(&html).0, first, "{junk}");
    }
    // Someone else's browser sees none of them.
    let (_, other) = Browser::new().open(&app, "/dogs").await;
    assert!(page_of(&other).0.is_empty());
}

/// A dog on its way from `b`: the task answers (status, body).
fn adding(app: &TestApp, b: &Browser, name: &'static str) -> tokio::task::JoinHandle<(u16, String)> {
    let (client, url) = (b.client.clone(), format!("{}/api/dogs/create", app.address));
    tokio::spawn(async move {
        let res = client
            .post(url)
            .header("accept", "application/json")
            .form(&[("name", name), ("size", "small")])
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    })
}

/// A guest's dog on its way while that guest is merged into an account
/// (forced: the merge is held after locking the guest, the dog waits for
/// the guest, then the merge finishes): the dog follows its guest into the
/// account, and nobody sees an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dog_on_its_way_follows_its_guest_into_the_account_it_joined() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let account: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, is_anonymous, email_verified_at) VALUES ('y@example.com', false, now()) RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let b = Browser::new();
    let first = add_dog(&app, &b, "First").await;
    let guest = user_id(&app, &b).await;
    let res = app
        .call(&b, "auth/magic-link", &[("email", "y@example.com")])
        .await;
    assert!(res.status().is_success());
    let token = token_in(&sink.wait_for("y@example.com", 1).await);
    // Hold this browser's session row: the ending locks the guest, then waits here.
    let hold = app
        .hold(
            "SELECT 1 FROM sessions WHERE user_id = $1::uuid FOR UPDATE",
            &[&guest.to_string()],
        )
        .await;
    let (client, url) = (b.client.clone(), format!("{}/auth/confirm", app.address));
    let confirm = tokio::spawn(async move {
        let res = client.post(url).form(&[("token", token)]).send().await.unwrap();
        (
            res.status().as_u16(),
            res.headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned()),
        )
    });
    hold.until_waiting(1, "").await;
    let second = adding(&app, &b, "On its way");
    hold.until_waiting(2, "").await;
    hold.release().await;

    assert_eq!(confirm.await.unwrap(), (303, Some("/".to_owned())));
    let (status, body) = second.await.unwrap();
    assert_eq!(status, 200, "{body}");
    let second: Uuid = serde_json::from_str(&body).unwrap();
    assert_eq!(crate::common::flows::owner_of(&app, first).await, account);
    assert_eq!(
        crate::common::flows::owner_of(&app, second).await,
        account,
        "no dog lost"
    );
}

/// A guest's dog on its way while the reaper takes that (idle, empty) guest
/// (forced: the reaper is held after locking the guest): the dog is kept,
/// under a new guest for this browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dog_on_its_way_survives_the_reaper_taking_its_guest() {
    let app = spawn_app().await;
    let b = Browser::new();
    assert_eq!(app.call(&b, "auth/anonymous", &[]).await.status(), 200);
    let guest = user_id(&app, &b).await;
    sqlx::query("UPDATE users SET last_seen_at = now() - interval '60 days' WHERE id = $1")
        .bind(guest)
        .execute(&app.pool)
        .await
        .unwrap();
    // Hold the guest's session row: the reaper's delete (which takes the
    // session with it) locks the guest, then waits here.
    let hold = app
        .hold(
            "SELECT 1 FROM sessions WHERE user_id = $1::uuid FOR UPDATE",
            &[&guest.to_string()],
        )
        .await;
    let identity = paws_inside::db::reaper::identity(app.pool.clone(), app.photos.store.clone());
    let reaper =
        tokio::spawn(async move { paws_inside::db::reaper::guests(&identity, 30, 100, false).await });
    hold.until_waiting(1, "").await;
    let dog = adding(&app, &b, "Still here");
    hold.until_waiting(2, "").await;
    hold.release().await;

    assert_eq!(
        reaper.await.unwrap().unwrap(),
        1,
        "the idle empty guest was reaped"
    );
    let (status, body) = dog.await.unwrap();
    assert_eq!(status, 200, "{body}");
    let dog: Uuid = serde_json::from_str(&body).unwrap();
    let owner = crate::common::flows::owner_of(&app, dog).await;
    assert_ne!(owner, guest);
    assert_eq!(
        user_id(&app, &b).await,
        owner,
        "this browser holds the new guest and its dog"
    );
}
