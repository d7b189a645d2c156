//! The database killed (`kill -9`) in the middle of a burst of writes, then restarted: every acknowledged
//! write is there, nothing is half-written, `/ready` answers 503 meanwhile and the service recovers alone.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bson::{doc, Document};
use datatracker::domain::permissions::Permission;
use futures::TryStreamExt;
use serde_json::json;

use crate::harness::localdb::ControlledServer;
use crate::harness::{fresh_db_name, spawn_app_on_db, TestApp};

const WRITERS: usize = 8;

async fn ready_status(app: &TestApp) -> u16 {
    match app.http.get(format!("{}/ready", app.base)).timeout(Duration::from_secs(5)).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_a_killed_database_and_the_service_recovers() {
    let mut server = ControlledServer::start();
    let uri = server.uri();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = spawn_app_on_db(listener, &[("DATATRACKER_MONGODB_URI", &uri)], fresh_db_name()).await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "burst").await;
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let failed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let app = Arc::new(app);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (app, o, order, acknowledged, failed, stop) =
            (app.clone(), o.clone(), order.clone(), acknowledged.clone(), failed.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let q = "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t}) { id } }";
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let r = app
                    .http
                    .post(format!("{}/graphql", app.base))
                    .header("x-api-user", &o.id)
                    .header("x-api-key", &o.key)
                    .json(&json!({ "query": q, "variables": { "o": order, "t": format!("w{w}-{i}") } }))
                    .timeout(Duration::from_secs(20))
                    .send()
                    .await;
                let body: Option<serde_json::Value> = match r {
                    Ok(resp) => resp.json().await.ok(),
                    Err(_) => None,
                };
                match body.as_ref().and_then(|b| b["data"]["createDataset"]["id"].as_str()) {
                    Some(id) => acknowledged.lock().unwrap().push(id.to_owned()),
                    None => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }
    // Let the burst run, then kill the database in the middle of it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before_kill = acknowledged.lock().unwrap().len();
    assert!(before_kill > 0, "the burst wrote nothing before the kill");
    server.kill9();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(ready_status(&app).await, 503, "/ready must say 503 while the database is down");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.restart();
    // The service recovers by itself: /ready goes back to 200 and writes are acknowledged again.
    let deadline = Instant::now() + Duration::from_secs(60);
    while ready_status(&app).await != 200 {
        assert!(Instant::now() < deadline, "the service did not recover within 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after_restart = acknowledged.lock().unwrap().len();
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged.lock().unwrap().len() < after_restart + WRITERS {
        assert!(Instant::now() < deadline, "no writes acknowledged after the restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged: Vec<String> = acknowledged.lock().unwrap().clone();
    eprintln!(
        "kill -9 burst: {} acknowledged ({} before the kill), {} failed while the database was down",
        acknowledged.len(),
        before_kill,
        failed.load(Ordering::Relaxed)
    );
    // Every acknowledged write is there ...
    let db = app.store.db();
    let stored: Vec<Document> =
        db.collection::<Document>("datasets").find(doc! {}).await.unwrap().try_collect().await.unwrap();
    let stored_ids: HashSet<String> = stored
        .iter()
        .filter_map(|d| match d.get("_id") {
            Some(bson::Bson::Binary(b)) => b.to_uuid().ok().map(|u| u.to_string()),
            _ => None,
        })
        .collect();
    for id in &acknowledged {
        assert!(stored_ids.contains(id), "acknowledged dataset {id} is missing after the restart");
    }
    // ... and nothing is half-written: every stored dataset has exactly its one creation log entry.
    for id in &stored_ids {
        let n = app.log_count(id).await;
        assert_eq!(n, 1, "dataset {id} has {n} log entries");
    }
    let logged: u64 = db.collection::<Document>("logs").count_documents(doc! { "dataType": "dataset" }).await.unwrap();
    assert_eq!(logged as usize, stored_ids.len(), "a log entry without its dataset");
}
