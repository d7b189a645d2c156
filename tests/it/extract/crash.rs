//! Kill and resume: the extractor killed with SIGKILL at random moments and aborted at the worst ones
//! (after a part or data file's rename and before the checkpoint, during the checkpoint, during a Parquet
//! write, after a history file) while a writer keeps changing data; rerun until it completes. The output
//! equals a fresh full export of the final state, every change is in the history exactly once, and every
//! file parses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use datatracker::domain::permissions::Permission;
use rand::Rng;
use serde_json::json;

use super::*;
use crate::harness::spawn_app;

const ARGS: [&str; 4] = ["--page-size", "4", "--parallel", "2"];

async fn run_with(app: &TestApp, admin: &Actor, out: &Path, crash_at: Option<&str>) -> Output {
    let mut cmd = command(app, Some(admin), out, &ARGS);
    if let Some(p) = crash_at {
        cmd.env("DATATRACKER_EXTRACT_CRASH_AT", p);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_anywhere_then_rerun_equals_an_uninterrupted_export() {
    let app = Arc::new(spawn_app().await);
    let admin = app.actor("Admin", &[Permission::DataManagement, Permission::UserManagement]).await;
    let order = app.create_order(&admin, "Order").await;
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(app.create_dataset(&admin, &order, &format!("D{i}")).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, admin, stop, order) = (app.clone(), admin.clone(), stop.clone(), order.clone());
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let pick = ids[(n as usize * 7) % ids.len()].clone();
                match n % 4 {
                    0 => ids.push(app.create_dataset(&admin, &order, &format!("New {n}")).await),
                    1 if ids.len() > 20 => {
                        ids.retain(|i| *i != pick);
                        app.gql_as(&admin, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": pick }))
                            .await
                            .data();
                    }
                    2 => {
                        app.gql_as(
                            &admin,
                            "mutation($id: ID!, $t: String!) { updateOrder(id: $id, input: {title: $t}) { id } }",
                            json!({ "id": order, "t": format!("Order {n}") }),
                        )
                        .await
                        .data();
                    }
                    _ => {
                        app.gql_as(
                            &admin,
                            "mutation($id: ID!, $t: String!) { updateDataset(id: $id, input: {title: $t}) { id } }",
                            json!({ "id": pick, "t": format!("T{n}") }),
                        )
                        .await
                        .data();
                    }
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            n
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");

    // The worst moments, each hit by an abort like kill -9.
    let mut crashed = BTreeSet::new();
    for point in [
        "during-checkpoint",
        "after-part:datasets",
        "after-rename:datasets",
        "during-parquet:datasets",
        "after-history:datasets",
        "after-rename:orders",
        "during-checkpoint",
    ] {
        let o = run_with(&app, &admin, &out, Some(point)).await;
        if o.status.signal().is_some() {
            crashed.insert(point);
        } else {
            assert!(o.status.success(), "{point}: {:?} {}", o.status, String::from_utf8_lossy(&o.stderr));
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    for point in [
        "during-checkpoint",
        "after-part:datasets",
        "after-rename:datasets",
        "during-parquet:datasets",
        "after-history:datasets",
    ] {
        assert!(crashed.contains(point), "never crashed at {point}: {crashed:?}");
    }

    // SIGKILL at random moments.
    for _ in 0..8 {
        let delay = rand::thread_rng().gen_range(0..400);
        let mut child = spawn(command(&app, Some(&admin), &out, &ARGS));
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let _ = child.kill();
        tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    }

    stop.store(true, Ordering::SeqCst);
    let writes = writer.await.unwrap();
    assert!(writes > 20, "the writer made {writes} changes");
    let mut done = false;
    for _ in 0..5 {
        let o = run_with(&app, &admin, &out, None).await;
        if o.status.success() {
            done = true;
            break;
        }
        eprintln!("rerun: {:?} {}", o.status, String::from_utf8_lossy(&o.stderr));
    }
    assert!(done, "the rerun never completed");

    let fresh = dir.path().join("fresh");
    let o = run_with(&app, &admin, &fresh, None).await;
    assert!(o.status.success());
    for t in ["orders", "datasets", "collections", "users"] {
        assert_eq!(jsonl(&out, t), jsonl(&fresh, t), "{t} differs from a fresh export");
        let parquet = parquet_text(&out.join(format!("{t}.parquet")));
        assert_eq!(parquet.0, jsonl(&out, t).len(), "{t}.parquet");
        assert_eq!(parquet, parquet_text(&fresh.join(format!("{t}.parquet"))), "{t}.parquet differs from a fresh one");
    }
    for f in all_files(&out) {
        let name = f.to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "leftover {name}");
        if name.ends_with(".parquet") {
            parquet_text(&f);
        }
    }

    // Every change after the first position exactly once, in order.
    let mut seqs: Vec<u64> = Vec::new();
    for t in ["orders", "datasets", "collections", "users"] {
        seqs.extend(history(&out, t).iter().map(|e| e["sequence"].as_str().unwrap().parse::<u64>().unwrap()));
    }
    let unique: BTreeSet<u64> = seqs.iter().copied().collect();
    assert_eq!(unique.len(), seqs.len(), "a change is in the history twice");
    let first = *unique.iter().next().expect("some history");
    let mut feed = BTreeSet::new();
    let mut after = (first - 1).to_string();
    loop {
        let r = app
            .gql_as(
                &admin,
                "query($a: String) { changes(after: $a, first: 1000) { nodes { sequence } endCursor hasNextPage } }",
                json!({ "a": after }),
            )
            .await;
        let page = &r.data()["changes"];
        for n in page["nodes"].as_array().unwrap() {
            feed.insert(n["sequence"].as_str().unwrap().parse::<u64>().unwrap());
        }
        after = page["endCursor"].as_str().unwrap().to_string();
        if !page["hasNextPage"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(unique, feed, "the history is not the feed after its first entry");
}
