//! Extract benchmark: the real app in process against a real database server (`MONGODB_URI`, or a fresh
//! local SecantusDB server), `datatracker extract` as a child process. Measures a full extract of
//! 100,000 datasets (with their orders, collections and users) to JSON lines and Parquet (entities/s, peak
//! memory of the extractor from `VmHWM` and `getrusage`), then an incremental run after 1,000 changes.
//!
//! Run: `cargo bench --bench extract` (release build). `BENCH_DATASETS` changes the size (default 100000).
//! Targets (issue 10): ≥ 10,000 entities/s, ≤ 200 MB peak, incremental ≤ 1 s.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unsafe_code)]

#[path = "../tests/support/localdb.rs"]
mod localdb;

use std::process::Command;
use std::time::{Duration, Instant};

use datatracker::auth::apikey;
use datatracker::config::{Settings, Source};
use datatracker::domain::model::{AccessLevel, AccessRules, CrossReference, Dataset};
use datatracker::domain::permissions::Permission;
use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::{json, Value};

async fn gql(http: &reqwest::Client, url: &str, user: &str, key: &str, query: &str, variables: Value) -> Value {
    let body: Value = http
        .post(url)
        .header("x-api-user", user)
        .header("x-api-key", key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn peak_of_children_kb() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}

/// Runs the extractor; returns (seconds, peak VmHWM in kB seen while polling, stdout).
fn extract(base: &str, user: &str, key_file: &std::path::Path, out: &std::path::Path) -> (f64, i64, String) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_datatracker"))
        .args(["extract", "--url", base, "--api-user", user, "--out"])
        .arg(out)
        .arg("--api-key-file")
        .arg(key_file)
        .args(["--json", "--parallel", "4"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut hwm = 0i64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(l) = s.lines().find(|l| l.starts_with("VmHWM:")) {
                hwm = hwm.max(l.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0));
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "extract failed: {:?}", output.status);
    (start.elapsed().as_secs_f64(), hwm, String::from_utf8_lossy(&output.stdout).into_owned())
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_DATASETS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let uri = std::env::var("MONGODB_URI").ok().filter(|u| !u.is_empty()).unwrap_or_else(localdb::start_local_server);
    let db = format!("dt_bench_{}", uuid::Uuid::new_v4().simple());
    let tmp = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}/");
    let settings = Settings::from_source(&Source::from_pairs([
        ("DATATRACKER_MONGODB_URI", uri.as_str()),
        ("DATATRACKER_DATABASE", db.as_str()),
        ("DATATRACKER_SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789"),
        ("DATATRACKER_STATS_SECRET", "bench-stats-secret-0123456789abcdef0123456789"),
        ("DATATRACKER_BASE_URL", base.as_str()),
        ("DATATRACKER_FILES_DIR", tmp.path().to_str().unwrap()),
    ]))
    .unwrap();
    let app = datatracker::build_app(settings).await.unwrap();
    app.migrate().await.unwrap();
    let tracker = app.state.tracker().clone();
    let store = app.state.store().clone();
    tokio::spawn(app.serve(listener, std::future::pending()));

    let perms = vec![Permission::DataManagement, Permission::UserManagement];
    let input = |i: usize| UserInput {
        name: Some(format!("User {i}")),
        email: Some(format!("u{i}@example.org")),
        permissions: Some(if i == 0 { perms.clone() } else { vec![] }),
        ..Default::default()
    };
    let admin = tracker.create_user(&Principal::System, input(0)).await.unwrap();
    for i in 1..200 {
        tracker.create_user(&Principal::System, input(i)).await.unwrap();
    }
    let key = apikey::generate_key();
    let (_, key) = tracker
        .generate_api_key(&Principal::System, Some(&admin.id.to_string()), key.clone(), apikey::hash_key(&key))
        .await
        .unwrap();
    let user = admin.id.to_string();
    let key_file = tmp.path().join("key");
    std::fs::write(&key_file, &key).unwrap();
    let http = reqwest::Client::new();
    let url = format!("{base}graphql");

    let seed = Instant::now();
    let mut orders = Vec::new();
    for i in 0..100 {
        let d = gql(
            &http,
            &url,
            &user,
            &key,
            "mutation($t: String!) { createOrder(input: {title: $t}) { id } }",
            json!({"t": format!("order {i}")}),
        )
        .await;
        orders.push(bson::Uuid::parse_str(d["createOrder"]["id"].as_str().unwrap()).unwrap());
    }
    let now = bson::DateTime::now();
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(5000) {
        let docs: Vec<Dataset> = chunk
            .iter()
            .map(|i| {
                let id = bson::Uuid::from(uuid::Uuid::now_v7());
                ids.push(id);
                Dataset {
                    id,
                    order: orders[i % orders.len()],
                    title: format!("dataset {i}"),
                    description: "A dataset made for the extract benchmark.".into(),
                    tags_standard: vec![],
                    tags_user: vec!["bench".into(), format!("t{}", i % 17)],
                    cross_references: vec![CrossReference {
                        kind: "DOI".into(),
                        value: format!("10.1/{i}"),
                        url: None,
                    }],
                    access: AccessLevel::Public,
                    access_rules: AccessRules::default(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                }
            })
            .collect();
        store.db().collection::<Dataset>("datasets").insert_many(docs).await.unwrap();
    }
    for i in 0..50 {
        let members: Vec<String> = ids.iter().skip(i * 20).take(20).map(|u| u.to_string()).collect();
        gql(
            &http,
            &url,
            &user,
            &key,
            "mutation($t: String!, $d: [ID!]) { createCollection(input: {title: $t, datasets: $d}) { id } }",
            json!({"t": format!("c{i}"), "d": members}),
        )
        .await;
    }
    let entities = n + 100 + 50 + 200;
    eprintln!("seeded {entities} entities in {:.1} s", seed.elapsed().as_secs_f64());

    let out = tmp.path().join("out");
    let (secs, hwm, summary) = extract(&base, &user, &key_file, &out);
    let rusage_mb = peak_of_children_kb() as f64 / 1024.0;
    let rate = entities as f64 / secs;
    let peak = (hwm as f64 / 1024.0).max(rusage_mb);
    println!(
        "full extract: {entities} entities in {secs:.2} s = {rate:.0}/s (target ≥ 10000) {}",
        if rate >= 10_000.0 { "OK" } else { "MISSED" }
    );
    println!(
        "peak memory: {peak:.0} MB (VmHWM {:.0} MB, rusage {rusage_mb:.0} MB; target ≤ 200) {}",
        hwm as f64 / 1024.0,
        if peak <= 200.0 { "OK" } else { "MISSED" }
    );
    eprintln!("{summary}");

    for (i, id) in ids.iter().step_by((n / 1000).max(1)).take(1000).enumerate() {
        gql(
            &http,
            &url,
            &user,
            &key,
            "mutation($id: ID!, $t: String!) { updateDataset(id: $id, input: {title: $t}) { id } }",
            json!({"id": id.to_string(), "t": format!("changed {i}")}),
        )
        .await;
    }
    let (secs, _, summary) = extract(&base, &user, &key_file, &out);
    println!(
        "incremental after 1000 changes: {secs:.3} s (target ≤ 1 s) {}",
        if secs <= 1.0 { "OK" } else { "MISSED" }
    );
    eprintln!("{summary}");
}
