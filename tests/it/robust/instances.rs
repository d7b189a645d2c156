//! Two instances of the service against one database behave as one.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app, TestApp};

async fn bearer_login(app: &TestApp, id: &str, key: &str) -> String {
    let resp = app
        .http
        .post(format!("{}/login/apikey", app.base))
        .json(&json!({ "authId": id, "apiKey": key }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn me_with(app: &TestApp, token: &str) -> (u16, Value) {
    let r = app.gql_with("{ me { id } }", json!({}), &[("authorization", &format!("Bearer {token}"))]).await;
    (r.status, r.body)
}

#[tokio::test]
async fn a_session_started_on_one_instance_works_and_ends_on_both() {
    let a = spawn_app().await;
    let b = a.second_instance(&[]).await;
    let u = a.actor("Una", &[]).await;
    let token = bearer_login(&a, &u.id, &u.key).await;
    let (status, body) = me_with(&b, &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["me"]["id"], u.id, "the other instance accepts the session");
    let resp = a.http.post(format!("{}/logout", a.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, body) = me_with(&b, &token).await;
    assert!(body["data"]["me"].is_null() || body.get("errors").is_some(), "revoked on A, refused on B: {body}");
}

#[tokio::test]
async fn a_regenerated_key_stops_working_on_the_other_instance() {
    let a = spawn_app().await;
    let b = a.second_instance(&[]).await;
    let u = a.actor("Una", &[]).await;
    assert_eq!(b.gql_as(&u, "{ me { id } }", json!({})).await.data()["me"]["id"], u.id);
    let r = a.gql_as(&u, "mutation { generateApiKey { apiKey } }", json!({})).await;
    let new_key = r.data()["generateApiKey"]["apiKey"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let old = b.gql_as(&u, "{ me { id } }", json!({})).await;
    assert_eq!(old.error_code(), Some("UNAUTHENTICATED"), "the old key is refused on B: {}", old.body);
    let new = crate::harness::Actor { id: u.id.clone(), key: new_key };
    assert_eq!(b.gql_as(&new, "{ me { id } }", json!({})).await.data()["me"]["id"], u.id);
}

#[tokio::test]
async fn concurrent_writes_through_both_instances_all_land() {
    let a = spawn_app().await;
    let b = a.second_instance(&[]).await;
    let o = a.actor("Olga", &[Permission::Orders]).await;
    let order = a.create_order(&o, "shared").await;
    let q = "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t}) { id } }";
    let tasks = (0..20).map(|i| {
        let (app, o, order) = (if i % 2 == 0 { &a } else { &b }, &o, &order);
        async move { app.gql_as(o, q, json!({ "o": order, "t": format!("d{i}") })).await }
    });
    for r in futures::future::join_all(tasks).await {
        assert!(r.body.get("errors").is_none(), "{}", r.body);
    }
    for app in [&a, &b] {
        let r = app.gql_as(&o, "query($o: ID!) { order(id: $o) { datasets { id } } }", json!({ "o": order })).await;
        assert_eq!(r.data()["order"]["datasets"].as_array().unwrap().len(), 20);
    }
    // Duplicates stay conflicts across instances: the unique email index holds for both.
    let admin = a.actor("Admin", &[Permission::UserManagement]).await;
    let create = "mutation { createUser(input: {name: \"Dup\", email: \"dup@example.org\"}) { id } }";
    let (r1, r2) = tokio::join!(a.gql_as(&admin, create, json!({})), b.gql_as(&admin, create, json!({})));
    let codes: Vec<Option<&str>> = vec![r1.error_code(), r2.error_code()];
    assert!(codes.contains(&None) && codes.contains(&Some("CONFLICT")), "one wins, one CONFLICT: {codes:?}");
}

const STATUS: &str = "{ statsStatus { instanceId checksum rows instances { id current checksum rows generation } } }";

/// Polls `app`'s `statsStatus` until `done` holds or `within` passes; returns the last status.
async fn status_until(
    app: &TestApp,
    dm: &crate::harness::Actor,
    within: std::time::Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = std::time::Instant::now();
    loop {
        let status = app.gql_as(dm, STATUS, json!({})).await.data()["statsStatus"].clone();
        if done(&status) || started.elapsed() > within {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_statistics_reload_asked_of_one_instance_reloads_every_instance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frame.csv");
    datatracker::stats::generate::write_sample(&path, 300, 2, 3).unwrap();
    let path_str = path.to_str().unwrap().to_owned();
    let a = crate::harness::spawn_app_with(&[("DATATRACKER_DATA_PATH", &path_str)]).await;
    let b = a.second_instance(&[("DATATRACKER_DATA_PATH", &path_str)]).await;
    let dm = a.actor("DM", &[Permission::DataManagement]).await;

    // Both instances report themselves, with the same frame.
    let first = status_until(&a, &dm, std::time::Duration::from_secs(10), |s| {
        s["instances"].as_array().is_some_and(|l| l.len() == 2)
    })
    .await;
    let listed = first["instances"].as_array().unwrap();
    assert_eq!(listed.len(), 2, "two instances listed: {first}");
    assert_eq!(listed.iter().filter(|i| i["current"] == true).count(), 1, "{first}");
    assert!(listed.iter().any(|i| i["id"] == first["instanceId"] && i["current"] == true));
    let old = first["checksum"].as_str().unwrap().to_owned();
    assert!(listed.iter().all(|i| i["checksum"] == old.as_str()), "{first}");

    // A new file, reloaded through A only: B follows within a few seconds.
    datatracker::stats::generate::write_sample(&path, 320, 2, 4).unwrap();
    let r = a.gql_as(&dm, "mutation { reloadStatsFrame { checksum rows } }", json!({})).await;
    let new = r.data()["reloadStatsFrame"]["checksum"].as_str().unwrap().to_owned();
    assert_ne!(new, old, "A serves the new file");
    let on_b = status_until(&b, &dm, std::time::Duration::from_secs(5), |s| s["checksum"] == new.as_str()).await;
    assert_eq!(on_b["checksum"], new.as_str(), "B reloaded within 5 s: {on_b}");
    let all = status_until(&b, &dm, std::time::Duration::from_secs(5), |s| {
        s["instances"].as_array().is_some_and(|l| l.iter().all(|i| i["checksum"] == new.as_str()))
    })
    .await;
    let listed = all["instances"].as_array().unwrap();
    assert!(listed.iter().all(|i| i["checksum"] == new.as_str() && i["generation"] == 1), "{all}");
}
