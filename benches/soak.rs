//! Soak benchmark: 50 concurrent clients mix reads, writes and statistics against one in-process instance
//! (real HTTP, real database) for a while, and print per-interval latency percentiles, errors and memory.
//! The claim it supports: zero errors, p99 latency and memory flat over the run.
//!
//! Run: `cargo bench --bench soak` (release build). Options by environment: `SOAK_SECONDS` (default 600),
//! `SOAK_INTERVAL_SECONDS` (default 60), `SOAK_CLIENTS` (default 50), `MONGODB_URI` (default: a fresh local
//! SecantusDB server), `SOAK_STEADY=1` (each client deletes its oldest dataset once it holds ten, so the
//! data stays the same size), `SOAK_LEAN=1` (no `related` or `totalCount` in the queries).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support/localdb.rs"]
mod localdb;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use datatracker::auth::apikey;
use datatracker::config::{Settings, Source};
use datatracker::domain::permissions::Permission;
use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::{json, Value};

/// What one client request was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    Stats,
}

#[derive(Default)]
struct Window {
    samples: Vec<(Kind, Duration)>,
    errors: usize,
    first_error: Option<String>,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn pct(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
}

struct Client {
    http: reqwest::Client,
    url: String,
    user: String,
    key: String,
}

impl Client {
    async fn gql(&self, query: &str, variables: Value) -> Result<Value, String> {
        let resp = self
            .http
            .post(&self.url)
            .header("x-api-user", &self.user)
            .header("x-api-key", &self.key)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let body: Value = resp.json().await.map_err(|e| e.to_string())?;
        if !status.is_success() || body.get("errors").is_some() {
            return Err(format!("{status} {body}"));
        }
        Ok(body)
    }
}

const READ: &str = "query($id: ID!) { dataset(id: $id) { id title tagsUser version related(first: 10) { id title } \
    collections { id title } generators { id name } } }";
const LIST: &str = "{ datasets(first: 20) { totalCount edges { node { id title } } } }";
/// `SOAK_LEAN=1`: the same mix without the two fields whose cost grows with the data on SecantusDB
/// (`related`, which looks up every dataset of the order, and `totalCount`, which reads every match), to
/// tell whether they are what makes a run slow down.
const READ_LEAN: &str =
    "query($id: ID!) { dataset(id: $id) { id title tagsUser version collections { id title } generators { id name } } }";
const LIST_LEAN: &str = "{ datasets(first: 20) { edges { node { id title } } } }";
const WRITE: &str =
    "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t, tagsUser: [\"soak\"]}) { id } }";
const EDIT: &str = "mutation($id: ID!, $t: String!) { updateDataset(id: $id, input: {title: $t}) { version } }";
const DELETE: &str = "mutation($id: ID!) { deleteDataset(id: $id) }";
const STATS: &str = "{ frequencyTable(input: {groupBy: [\"school\"]}) { columns rows { groups cells } } }";

#[tokio::main]
async fn main() {
    let seconds = env_u64("SOAK_SECONDS", 600);
    let lean = std::env::var("SOAK_LEAN").is_ok_and(|v| v == "1");
    let steady = std::env::var("SOAK_STEADY").is_ok_and(|v| v == "1");
    let (read_q, list_q) = if lean { (READ_LEAN, LIST_LEAN) } else { (READ, LIST) };
    let interval = env_u64("SOAK_INTERVAL_SECONDS", 60).max(1);
    let clients = env_u64("SOAK_CLIENTS", 50) as usize;
    let uri = std::env::var("MONGODB_URI").ok().filter(|u| !u.is_empty()).unwrap_or_else(localdb::start_local_server);
    let db = format!("dt_soak_{}", uuid::Uuid::new_v4().simple());
    let settings = Settings::from_source(&Source::from_pairs([
        ("DATATRACKER_MONGODB_URI", uri.as_str()),
        ("DATATRACKER_DATABASE", db.as_str()),
        ("DATATRACKER_SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789"),
        ("DATATRACKER_STATS_SECRET", "bench-stats-secret-0123456789abcdef0123456789"),
    ]))
    .unwrap();
    let app = datatracker::build_app(settings).await.unwrap();
    app.migrate().await.unwrap();
    app.state.stats().install_generated(2_000, 3, 7).unwrap();
    let tracker = app.state.tracker().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(app.serve(listener, std::future::pending()));

    let input = UserInput {
        name: Some("Soak".into()),
        email: Some("soak@example.org".into()),
        // Statistics are granted, never default (issue 12): the soak's user holds STATS_READ.
        permissions: Some(vec![Permission::DataManagement, Permission::StatsRead]),
        ..Default::default()
    };
    let user = tracker.create_user(&Principal::System, input).await.unwrap();
    let key = apikey::generate_key();
    let (_, key) = tracker
        .generate_api_key(&Principal::System, Some(&user.id.to_string()), key.clone(), apikey::hash_key(&key))
        .await
        .unwrap();
    let make_client = || Client {
        http: reqwest::Client::new(),
        url: format!("http://{addr}/graphql"),
        user: user.id.to_string(),
        key: key.clone(),
    };
    let setup = make_client();
    // One order per client (its writes), and 200 datasets to read.
    let mut orders = Vec::new();
    let mut datasets = Vec::new();
    for i in 0..clients {
        let o = setup
            .gql("mutation($t: String!) { createOrder(input: {title: $t}) { id } }", json!({ "t": format!("o{i}") }))
            .await
            .unwrap();
        orders.push(o["data"]["createOrder"]["id"].as_str().unwrap().to_owned());
    }
    for i in 0..200 {
        let d = setup.gql(WRITE, json!({ "o": orders[i % orders.len()], "t": format!("seed {i}") })).await.unwrap();
        datasets.push(d["data"]["createDataset"]["id"].as_str().unwrap().to_owned());
    }
    let datasets = Arc::new(datasets);
    let window: Arc<Mutex<Window>> = Arc::default();
    // Datasets in the database (the 200 seeded, then every create), to show how the data grew.
    let stored = Arc::new(AtomicUsize::new(datasets.len()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    println!(
        "soak: {clients} clients for {seconds} s (mix per client: 60% reads, 25% writes, 15% statistics){}, database {}",
        if steady { ", steady data (deletes balance creates)" } else { "" },
        if std::env::var("MONGODB_URI").is_ok() { "MONGODB_URI" } else { "local SecantusDB" }
    );
    println!(
        "{:>6} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "t (s)",
        "requests",
        "errors",
        "p50 ms",
        "p99 ms",
        "read p99",
        "write p99",
        "stats p99",
        "req/s",
        "RSS MiB",
        "datasets"
    );
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, window, datasets, order) = (make_client(), window.clone(), datasets.clone(), orders[c].clone());
        let stored = stored.clone();
        tasks.push(tokio::spawn(async move {
            let mut n: usize = 0;
            let mut mine: Vec<String> = Vec::new();
            while Instant::now() < deadline {
                n += 1;
                let slot = (n * 7 + c) % 20;
                let started = Instant::now();
                let (kind, result) = match slot {
                    0..=9 => {
                        (Kind::Read, client.gql(read_q, json!({ "id": datasets[(n * 13 + c) % datasets.len()] })).await)
                    }
                    10..=11 => (Kind::Read, client.gql(list_q, json!({})).await),
                    // `SOAK_STEADY=1`: a client holding 10 datasets of its own deletes its oldest instead of
                    // creating one, so the data stays the same size (a run that shows the service itself, not
                    // the growth of the data).
                    12..=14 if steady && mine.len() >= 10 => {
                        let id = mine.remove(0);
                        let r = client.gql(DELETE, json!({ "id": id })).await;
                        if r.is_ok() {
                            stored.fetch_sub(1, Ordering::Relaxed);
                        }
                        (Kind::Write, r)
                    }
                    12..=14 => {
                        let r = client.gql(WRITE, json!({ "o": order, "t": format!("c{c}-{n}") })).await;
                        if let Ok(body) = &r {
                            stored.fetch_add(1, Ordering::Relaxed);
                            mine.push(body["data"]["createDataset"]["id"].as_str().unwrap_or_default().to_owned());
                        }
                        (Kind::Write, r)
                    }
                    15..=16 => match mine.last() {
                        // Only this client edits its own datasets: no version conflicts are expected.
                        Some(id) => {
                            (Kind::Write, client.gql(EDIT, json!({ "id": id, "t": format!("edit {n}") })).await)
                        }
                        None => (Kind::Read, client.gql(list_q, json!({})).await),
                    },
                    _ => (Kind::Stats, client.gql(STATS, json!({})).await),
                };
                let took = started.elapsed();
                let mut w = window.lock().unwrap();
                w.samples.push((kind, took));
                if let Err(e) = result {
                    w.errors += 1;
                    w.first_error.get_or_insert(e);
                }
            }
        }));
    }
    let started = Instant::now();
    let mut total_errors = 0usize;
    let mut p99s = Vec::new();
    let mut rss = Vec::new();
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(left.min(Duration::from_secs(interval))).await;
        let w = std::mem::take(&mut *window.lock().unwrap());
        let mut all: Vec<Duration> = w.samples.iter().map(|s| s.1).collect();
        all.sort();
        let p99_of = |k: Kind| {
            let mut v: Vec<Duration> = w.samples.iter().filter(|s| s.0 == k).map(|s| s.1).collect();
            v.sort();
            pct(&v, 0.99)
        };
        let elapsed = started.elapsed().as_secs_f64();
        let mem = rss_mib();
        println!(
            "{:>6.0} {:>8} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.0} {:>9.1} {:>9}",
            elapsed,
            all.len(),
            w.errors,
            pct(&all, 0.50),
            pct(&all, 0.99),
            p99_of(Kind::Read),
            p99_of(Kind::Write),
            p99_of(Kind::Stats),
            all.len() as f64 / interval as f64,
            mem,
            stored.load(Ordering::Relaxed)
        );
        if let Some(e) = &w.first_error {
            println!("       first error in this interval: {}", e.chars().take(300).collect::<String>());
        }
        total_errors += w.errors;
        p99s.push(pct(&all, 0.99));
        rss.push(mem);
    }
    for t in tasks {
        t.await.unwrap();
    }
    let spread = |v: &[f64]| {
        let min = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = v.iter().cloned().fold(0.0, f64::max);
        (min, max)
    };
    let (p_min, p_max) = spread(&p99s);
    let (r_min, r_max) = spread(&rss);
    println!(
        "soak summary: {total_errors} errors; p99 per interval {p_min:.2}–{p_max:.2} ms; RSS {r_min:.1}–{r_max:.1} MiB"
    );
}
