//! The sequence is gap-free and in commit order: a reader never sees entry n and later finds an entry below n.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bson::doc;
use datatracker::domain::permissions::Permission;
use datatracker::store::migrations;
use datatracker::store::Store;
use serde_json::json;

use crate::harness::{fresh_db_name, mongodb_uri, spawn_app, Actor, TestApp};

const WRITERS: usize = 6;
const PER_WRITER: usize = 12;

/// One page of the feed after `after` as the reader sees it: (sequence, entity id) pairs and the end cursor.
async fn changes(app: &TestApp, reader: &Actor, after: &str) -> (Vec<(i64, String)>, String) {
    let q = "query($a: String) { changes(after: $a, first: 1000) { endCursor hasNextPage nodes { sequence entityId dataType } } }";
    let r = app.gql_as(reader, q, json!({ "a": after })).await;
    let page = &r.data()["changes"];
    let nodes = page["nodes"].as_array().unwrap();
    let seen = nodes
        .iter()
        .map(|n| {
            let id = format!("{}:{}", n["dataType"].as_str().unwrap(), n["entityId"].as_str().unwrap());
            (n["sequence"].as_str().unwrap().parse::<i64>().unwrap(), id)
        })
        .collect();
    (seen, page["endCursor"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn concurrent_writers_pausing_before_commit_never_open_a_gap_that_later_fills() {
    let app = spawn_app().await;
    let reader = app.actor("Reader", &[Permission::DataManagement]).await;
    let writer = app.actor("Writer", &[Permission::DataManagement]).await;
    // One order per writer: the writers conflict on nothing but the counter (datasets of one order would
    // serialise them on the order's lock anyway).
    let mut orders = Vec::new();
    for w in 0..WRITERS {
        orders.push(app.create_order(&writer, &format!("Order {w}")).await);
    }
    // Every commit that took numbers now waits up to 40 ms before committing.
    app.state.store().hooks().set_commit_pause(Some((Duration::from_millis(0), Duration::from_millis(40))));
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for (w, order) in orders.into_iter().enumerate() {
        let (base, http, writer) = (app.base.clone(), app.http.clone(), writer.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..PER_WRITER {
                let body = json!({
                    "query": "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t}) { id } }",
                    "variables": { "o": order, "t": format!("w{w} d{i}") },
                });
                let r: serde_json::Value = http
                    .post(format!("{base}/graphql"))
                    .header("x-api-user", &writer.id)
                    .header("x-api-key", &writer.key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert!(r.get("errors").is_none(), "write failed: {r}");
            }
        }));
    }
    let watcher = {
        let done = done.clone();
        tokio::spawn(async move {
            for w in writers {
                w.await.unwrap();
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let mut cursor = "0".to_owned();
    let mut last = 0_i64;
    let mut seen = Vec::new();
    let mut reads = 0;
    loop {
        let finished = done.load(Ordering::SeqCst);
        let (page, end) = changes(&app, &reader, &cursor).await;
        reads += 1;
        for (seq, id) in page {
            // Gap-free and in order: every entry is the one right after the previous one. An entry above
            // last + 1 would mean a lower one becomes visible later.
            assert_eq!(seq, last + 1, "gap or reordering after {last}: saw {seq}");
            last = seq;
            seen.push(id);
        }
        cursor = end;
        if finished {
            break;
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    watcher.await.unwrap();
    app.state.store().hooks().set_commit_pause(None);
    let stored = app.store.db().collection::<bson::Document>("logs").count_documents(doc! {}).await.unwrap();
    assert_eq!(seen.len() as u64, stored, "every committed entry seen exactly once ({reads} reads)");
    assert!(seen.len() >= WRITERS * PER_WRITER);
    let datasets: HashSet<String> = seen.iter().filter(|id| id.starts_with("DATASET:")).cloned().collect();
    assert_eq!(datasets.len(), WRITERS * PER_WRITER, "each dataset's ADD seen once");
    assert_eq!(seen.iter().filter(|id| id.starts_with("DATASET:")).count(), WRITERS * PER_WRITER);
}

#[tokio::test]
async fn the_migration_numbers_existing_entries_in_time_order_and_the_counter_continues() {
    let store = Store::connect(&mongodb_uri(), &fresh_db_name()).await.unwrap();
    let before: Vec<_> = migrations::embedded().into_iter().filter(|m| m.version < 8).collect();
    migrations::migrate(&store, &before, Duration::from_secs(5)).await.unwrap();
    let logs = store.db().collection::<bson::Document>("logs");
    // Three entries written before the feed existed, inserted out of time order.
    let t = bson::DateTime::now().timestamp_millis();
    let mut ids = Vec::new();
    for (i, offset) in [(0, 3000), (1, 1000), (2, 2000)] {
        let id = bson::Uuid::from(uuid::Uuid::now_v7());
        ids.push((offset, id));
        logs.insert_one(doc! {
            "_id": id, "action": "ADD", "comment": format!("old {i}"), "dataType": "user", "entityId": id,
            "data": id, "timestamp": bson::DateTime::from_millis(t + offset), "user": "system",
        })
        .await
        .unwrap();
    }
    migrations::migrate(&store, &migrations::embedded(), Duration::from_secs(5)).await.unwrap();
    ids.sort_by_key(|(offset, _)| *offset);
    for (n, (_, id)) in ids.iter().enumerate() {
        let d = logs.find_one(doc! { "_id": *id }).await.unwrap().unwrap();
        assert_eq!(d.get_i64("seq").unwrap(), n as i64 + 1, "numbered in timestamp order");
    }
    assert_eq!(datatracker::store::sequence::current(store.db()).await.unwrap(), 3);
    // The next write continues after the backfilled entries.
    let tracker = datatracker::domain::Tracker::new(store.clone());
    let input = datatracker::domain::users::UserInput {
        name: Some("New".into()),
        email: Some("new@example.org".into()),
        ..Default::default()
    };
    tracker.create_user(&datatracker::domain::Principal::System, input).await.unwrap();
    let top = logs.find_one(doc! {}).sort(doc! { "seq": -1 }).await.unwrap().unwrap();
    assert_eq!(top.get_i64("seq").unwrap(), 4);
    // A duplicate number is refused by the unique index.
    let dup = logs
        .insert_one(doc! { "_id": bson::Uuid::from(uuid::Uuid::now_v7()), "action": "ADD", "dataType": "user",
        "entityId": ids[0].1, "data": ids[0].1, "timestamp": bson::DateTime::now(), "user": "system", "seq": 4_i64 })
        .await;
    assert!(dup.is_err(), "seq is unique");
}
