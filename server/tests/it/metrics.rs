//! `/metrics` labels requests by the route they matched: a closed set, so
//! requests for paths nobody routes (random `/api/…` paths included) are
//! counted under one `other` label instead of each adding one for good.

use crate::common::{Browser, TestApp, fresh_database, settings, spawn_with};
use std::collections::HashSet;

/// The metrics text of `app`.
async fn scrape(app: &TestApp) -> String {
    let metrics = app.metrics_address.clone().expect("metrics listener");
    reqwest::get(format!("{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Every `route` label of the request counter.
fn route_labels(text: &str) -> HashSet<String> {
    text.lines()
        .filter(|l| l.starts_with("paws_http_requests_total{"))
        .filter_map(|l| l.split('"').nth(1))
        .map(str::to_owned)
        .collect()
}

/// Requests counted under `other`, whatever their status.
fn others(text: &str) -> u64 {
    text.lines()
        .filter(|l| l.starts_with("paws_http_requests_total{route=\"other\","))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_share_one_label_and_server_functions_keep_theirs() {
    let app = spawn_with(settings(
        &fresh_database().await,
        &[("METRICS_BIND", "127.0.0.1:0")],
    ))
    .await;
    // The metrics are the process's: other tests running beside this one count
    // too, so everything below is "at least" and "none of ours".
    let before = others(&scrape(&app).await);
    let marker = format!("m{}", uuid::Uuid::new_v4().simple());
    const PATHS: usize = 2_000;
    let mut sent = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (client, base, marker) = (app.client.clone(), app.address.clone(), marker.clone());
        sent.spawn(async move {
            for i in (worker..PATHS).step_by(8) {
                // Server-function-like paths, deeper ones, and pages nobody has.
                let path = match i % 3 {
                    0 => format!("/api/{marker}-{i}"),
                    1 => format!("/api/{marker}/{i}/x"),
                    _ => format!("/{marker}/{i}"),
                };
                let req = if i % 2 == 0 {
                    client.get(format!("{base}{path}"))
                } else {
                    client.post(format!("{base}{path}")).form(&[("a", "b")])
                };
                let status = req.send().await.unwrap().status();
                assert!(status.is_client_error(), "{path}: {status}");
            }
        });
    }
    while let Some(done) = sent.join_next().await {
        done.unwrap();
    }
    // A registered server function.
    assert_eq!(app.call(&Browser::new(), "auth/me", &[]).await.status(), 200);

    let text = scrape(&app).await;
    let labels = route_labels(&text);
    let ours: Vec<_> = labels.iter().filter(|l| l.contains(&marker)).collect();
    assert!(
        ours.is_empty(),
        "raw paths became labels: {:?}",
        &ours[..ours.len().min(5)]
    );
    assert!(
        labels.len() < 150,
        "labels are the router's routes, not paths: {} of them",
        labels.len()
    );
    assert!(
        others(&text) >= before + PATHS as u64,
        "every unknown path is still counted, under other"
    );
    assert!(
        text.contains("paws_http_requests_total{route=\"/api/auth/me\",status=\"200\"}"),
        "a server function keeps its own label"
    );
}
