//! Structured dog policies: bad times refused in words (nothing kept, nobody
//! made), a proposal is its owner's alone, agreement applies only at the
//! third trusted person on a third network, two admins applying at once
//! apply once, and the osmChange file reads back in osmium with our tags.

use crate::common::counters::PROXIED;
use crate::common::flows::{member, sign_in, signed_in_member};
use crate::common::{Browser, TestApp, fresh_database, settings, spawn_app, spawn_with};
use serde_json::Value;
use server::ops::{Task, run};

const VENUE: &str = "pawsome-bakery-berlin";

fn policy<'a>(slug: &'a str, conditional: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", slug),
        ("dogs_where", "not_allowed"),
        ("size_limit", "any"),
        ("leash", "unknown"),
        ("conditional", conditional),
    ]
}

async fn propose(app: &TestApp, b: &Browser, slug: &str, conditional: &str) -> (u16, Value) {
    let res = app
        .call(b, "venues/policy/propose", &policy(slug, conditional))
        .await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn admin(app: &TestApp) -> Browser {
    let boss = signed_in_member(app, "admin@example.com").await;
    run(&app.pool, Task::Grant("admin@example.com".into()))
        .await
        .unwrap();
    boss
}

async fn open_proposals(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM policy_proposals WHERE status = 'open'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_we_cannot_read_is_refused_in_words_and_nothing_is_kept() {
    let app = spawn_app().await;
    let users = app.count("users").await;
    for (bad, words) in [
        ("no @ wet", "\"wet\" is not a time we can read"),
        ("no @ (Mo-Fr 25:00-26:00)", "is not a time we can read"),
        ("sometimes @ (Jun-Aug)", "\"sometimes\" is not a value we know"),
        ("no (Mo-Fr 11:30-14:00)", "needs a value, an @ and a time"),
        ("no @ (Jun-Aug", "A parenthesis is not closed"),
    ] {
        let (status, body) = propose(&app, &Browser::new(), VENUE, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        let text = body.as_str().map_or_else(|| body.to_string(), str::to_owned);
        assert!(text.contains(words), "{bad}: {text}");
    }
    let res = app
        .call(
            &Browser::new(),
            "venues/policy/propose",
            &[
                ("slug", VENUE),
                ("dogs_where", "inside"),
                ("size_limit", "any"),
                ("leash", "unknown"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Choose where dogs may go"));
    assert_eq!(
        app.count("users").await,
        users,
        "no guest made for a refused proposal"
    );
    assert_eq!(app.count("policy_proposals").await, 0);
    let (status, _) = propose(&app, &Browser::new(), "no-such-place", "").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_is_its_owners_alone() {
    let app = spawn_app().await;
    let (alice, bob) = (Browser::new(), Browser::new());
    let (status, made) = propose(&app, &alice, VENUE, "no @ (Mo-Fr 11:30-14:00)").await;
    assert_eq!((status, made["applied"].as_bool()), (200, Some(false)), "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    // Bob (a guest of his own) neither sees nor withdraws it.
    propose(&app, &bob, VENUE, "").await;
    let mine = app.call(&bob, "venues/policy/mine", &[("slug", VENUE)]).await;
    let mine: Value = mine.json().await.unwrap();
    assert_ne!(mine["id"].as_str(), Some(id.as_str()));
    let res = app
        .call(&bob, "venues/policy/withdraw", &[("id", id.as_str())])
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .call(&Browser::new(), "venues/policy/withdraw", &[("id", id.as_str())])
        .await;
    assert_eq!(res.status(), 404, "nor does a stranger without a session");
    // One open proposal per person and venue: a second replaces the first.
    let (_, again) = propose(&app, &alice, VENUE, "leashed @ (Jun-Aug)").await;
    assert_eq!(again["id"].as_str(), Some(id.as_str()));
    assert_eq!(open_proposals(&app).await, 2);
    let mine: Value = app
        .call(&alice, "venues/policy/mine", &[("slug", VENUE)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["words"].as_array().unwrap().last().unwrap(),
        "On a leash Jun–Aug"
    );
    let res = app
        .call(&alice, "venues/policy/withdraw", &[("id", id.as_str())])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(open_proposals(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_applies_at_the_third_trusted_person_on_a_third_network() {
    let app = spawn_with(settings(&fresh_database().await, &PROXIED)).await;
    let times = "no @ (Mo-Fr 11:30-14:00)";
    // Two guests on two networks, and a third guest on the first network.
    for ip in ["10.0.0.1", "10.0.0.2", "10.0.0.1"] {
        let (status, p) = propose(&app, &Browser::from_ip(ip), VENUE, times).await;
        assert_eq!((status, p["applied"].as_bool()), (200, Some(false)), "{p}");
    }
    // A week later they count fully; a brand-new guest on a third network does not.
    sqlx::query("UPDATE users SET created_at = now() - interval '8 days'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, p) = propose(&app, &Browser::from_ip("10.0.0.3"), VENUE, times).await;
    assert_eq!(
        p["applied"].as_bool(),
        Some(false),
        "two networks and a new guest: {p}"
    );
    let place: String = sqlx::query_scalar("SELECT dogs_inside FROM venues WHERE slug = $1")
        .bind(VENUE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(place, "not_allowed");
    // A member on a third network makes three.
    member(&app, "third@example.com").await;
    let m = Browser::from_ip("10.0.0.4");
    assert_eq!(sign_in(&app, &m, "third@example.com").await.status(), 200);
    let (_, p) = propose(&app, &m, VENUE, times).await;
    assert_eq!(p["applied"].as_bool(), Some(true), "{p}");
    let (place, conditional): (String, Option<String>) =
        sqlx::query_as("SELECT dogs_inside, dog_conditional FROM venues WHERE slug = $1")
            .bind(VENUE)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (place.as_str(), conditional.as_deref()),
        ("not_allowed", Some(times))
    );
    assert_eq!(
        open_proposals(&app).await,
        0,
        "all five agreeing proposals are closed"
    );
    let (_, page) = app.page(&format!("/venues/{VENUE}")).await;
    assert!(
        page.contains("Not allowed Mon–Fri 11:30–14:00"),
        "the page says it in words"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_admins_applying_at_once_apply_once() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let (_, p) = propose(&app, &Browser::new(), VENUE, "leashed @ (Jun-Aug)").await;
    let id = p["id"].as_str().unwrap().to_owned();
    // Both applies queue behind a lock on the proposal, then go at once.
    let held = app
        .hold(
            "SELECT 1 FROM policy_proposals WHERE id = $1::uuid FOR UPDATE",
            &[&id],
        )
        .await;
    let apply = || {
        let (client, url, id) = (
            boss.client.clone(),
            format!("{}/api/admin/policy/apply", app.address),
            id.clone(),
        );
        tokio::spawn(async move {
            let res = client
                .post(url)
                .header("accept", "application/json")
                .form(&[("id", id)])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        })
    };
    let (a, b) = (apply(), apply());
    held.until_waiting(2, "policy_proposals").await;
    held.release().await;
    let mut statuses = [a.await.unwrap(), b.await.unwrap()];
    statuses.sort();
    assert_eq!(statuses[1], 409, "the second finds it decided: {statuses:?}");
    assert!(statuses[0] < 400, "{statuses:?}");
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM admin_audit WHERE action = 'policy_applied'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(audits, 1, "applied once");
    let (_, page) = app.page(&format!("/venues/{VENUE}")).await;
    assert!(page.contains("On a leash Jun–Aug"), "public pages changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_osm_change_file_reads_back_in_osmium_with_our_tags() {
    let app = spawn_app().await;
    let bytes = std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osm/dogs.osm.pbf"),
    )
    .unwrap();
    let elements = server::osm::read(&bytes).unwrap();
    paws_inside::venues::osm::write::import(&app.pool, &elements, None, |_, _| {})
        .await
        .unwrap();
    let boss = admin(&app).await;
    let slug = "kahvila-koira-helsinki";
    let (_, p) = propose(&app, &Browser::new(), slug, "no @ (Mo-Fr 11:30-14:00)").await;
    let res = app
        .call(&boss, "admin/policy/apply", &[("id", p["id"].as_str().unwrap())])
        .await;
    assert!(res.status().as_u16() < 400, "{}", res.text().await.unwrap());

    let get = |b: &Browser| {
        b.client
            .get(format!("{}/admin/osm-change.osc", app.address))
            .send()
    };
    assert_eq!(get(&Browser::new()).await.unwrap().status(), 404, "admins only");
    let res = get(&boss).await.unwrap();
    assert_eq!(res.status(), 200);
    let osc = res.text().await.unwrap();
    let dir = std::env::temp_dir().join(format!("paws-osc-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("change.osc");
    std::fs::write(&file, &osc).unwrap();
    let out = std::process::Command::new("osmium")
        .args(["cat", "-f", "opl", "-o", "-"])
        .arg(&file)
        .output()
        .expect("osmium is installed (./test installs osmium-tool)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let opl = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = opl.lines().collect();
    assert_eq!(lines.len(), 1, "one node changed: {opl}");
    let line = lines[0];
    assert!(
        line.starts_with("n1001 v1 "),
        "the element and the version read: {line}"
    );
    // Every tag the element had, with ours in place (OPL escapes spaces as %20%).
    for tag in [
        "amenity=cafe",
        "name=Kahvila%20%Koira",
        "addr:street=Fredrikinkatu",
        "opening_hours=24/7",
        "dog=no",
        "dog:conditional=no%20%%40%%20%(Mo-Fr%20%11:30-14:00)",
    ] {
        assert!(line.contains(tag), "{tag} in {line}");
    }
    assert!(!line.contains("dog=yes"));
    assert!(
        line.contains("x24.9387") && line.contains("y60.1635"),
        "node stays where it is: {line}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // The readable list says the same.
    let q: Value = app.call(&boss, "admin/policy", &[]).await.json().await.unwrap();
    let d = &q["differences"][0];
    assert_eq!(
        (d["osm_says"].as_str(), d["we_say"].as_str()),
        (
            Some("dog=yes"),
            Some("dog=no; dog:conditional=no @ (Mo-Fr 11:30-14:00)")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guests_proposal_comes_along_when_it_signs_in() {
    let app = spawn_app().await;
    let account = member(&app, "owner@example.com").await;
    let b = Browser::new();
    let (_, p) = propose(&app, &b, VENUE, "leashed @ (Jun-Aug)").await;
    let id: uuid::Uuid = p["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(sign_in(&app, &b, "owner@example.com").await.status(), 200);
    let owner: uuid::Uuid = sqlx::query_scalar("SELECT user_id FROM policy_proposals WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(owner, account, "merged into the account");
    let mine: Value = app
        .call(&b, "venues/policy/mine", &[("slug", VENUE)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["id"].as_str(), Some(id.to_string().as_str()));
}
