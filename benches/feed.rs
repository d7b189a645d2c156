//! Change feed benchmark: starts the real app in-process against a real database server (`MONGODB_URI`, or
//! a fresh local SecantusDB server) and prints
//! - the walk of 5,000 datasets (id, title, tags, cross references) with `first: 100` and `first: 1000`;
//! - `createDataset` throughput (every write takes its numbers from the feed's counter);
//! - subscription latency, commit to client, with 100 subscribers over graphql-transport-ws (p50/p99).
//!
//! Run: `cargo bench --bench feed` (release build). `BENCH_DATASETS` (default 5000) and `BENCH_SUBSCRIBERS`
//! (default 100) change the sizes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support/localdb.rs"]
mod localdb;

use std::time::{Duration, Instant};

use datatracker::auth::apikey;
use datatracker::config::{Settings, Source};
use datatracker::domain::permissions::Permission;
use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    url: String,
    user: String,
    key: String,
}

impl Client {
    async fn gql(&self, query: &str, variables: Value) -> Value {
        let req = self.http.post(&self.url).json(&json!({ "query": query, "variables": variables }));
        let req = req.header("x-api-user", &self.user).header("x-api-key", &self.key);
        let body: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        body
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn pct(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
}

async fn walk(client: &Client, first: usize) -> (usize, Duration) {
    let q = "query($f: Int, $a: String) { datasets(first: $f, after: $a) { pageInfo { endCursor hasNextPage }
        nodes { id title tagsStandard tagsUser crossReferences { kind value url } } } }";
    let started = Instant::now();
    let (mut after, mut n) = (Value::Null, 0);
    loop {
        let r = client.gql(q, json!({ "f": first, "a": after })).await;
        let page = &r["data"]["datasets"];
        n += page["nodes"].as_array().unwrap().len();
        if page["pageInfo"]["hasNextPage"] != true {
            return (n, started.elapsed());
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscriber(addr: std::net::SocketAddr, c: &Client, after: &str) -> Ws {
    let mut req = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "x-api-user": c.user, "x-api-key": c.key } });
    ws.send(Message::text(init.to_string())).await.unwrap();
    let _ack = ws.next().await;
    let q = "subscription($a: String) { changes(after: $a, types: [DATASET]) { sequence dataset { title } } }";
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": q, "variables": { "a": after } } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    ws
}

#[tokio::main]
async fn main() {
    let uri = std::env::var("MONGODB_URI").ok().filter(|u| !u.is_empty()).unwrap_or_else(localdb::start_local_server);
    let db = format!("dt_bench_{}", uuid::Uuid::new_v4().simple());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base_url = format!("http://{addr}/");
    let settings = Settings::from_source(&Source::from_pairs([
        ("DATATRACKER_MONGODB_URI", uri.as_str()),
        ("DATATRACKER_DATABASE", db.as_str()),
        ("DATATRACKER_SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789"),
        ("DATATRACKER_STATS_SECRET", "bench-stats-secret-0123456789abcdef0123456789"),
        ("DATATRACKER_BASE_URL", base_url.as_str()),
    ]))
    .unwrap();
    let app = datatracker::build_app(settings).await.unwrap();
    app.migrate().await.unwrap();
    let tracker = app.state.tracker().clone();
    tokio::spawn(app.serve(listener, std::future::pending()));
    let input = UserInput {
        name: Some("Bench".into()),
        email: Some("bench@example.org".into()),
        permissions: Some(vec![Permission::DataManagement]),
        ..Default::default()
    };
    let user = tracker.create_user(&Principal::System, input).await.unwrap();
    let key = apikey::generate_key();
    let (_, key) = tracker
        .generate_api_key(&Principal::System, Some(&user.id.to_string()), key.clone(), apikey::hash_key(&key))
        .await
        .unwrap();
    let client =
        Client { http: reqwest::Client::new(), url: format!("http://{addr}/graphql"), user: user.id.to_string(), key };
    let order = client.gql("mutation { createOrder(input: {title: \"bench\"}) { id } }", json!({})).await["data"]
        ["createOrder"]["id"]
        .clone();

    // createDataset throughput, 4 concurrent clients (each write takes its number from the counter), and
    // the same without the counter (log entries unnumbered, as before the change feed): alternated twice,
    // so that drift of the machine does not favour either.
    // BENCH_DATASETS in all (the walk below walks them), a quarter per round.
    let n = env_usize("BENCH_DATASETS", 5000) / 4;
    let create = "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t,
        tagsUser: [\"bench\"], crossReferences: [{kind: \"DOI\", value: \"10.1/x\"}]}) { id } }";
    let hooks = tracker.store().hooks().clone();
    let mut rates = [Vec::new(), Vec::new()];
    for round in 0..4 {
        let unnumbered = round % 2 == 1;
        hooks.set_unnumbered(unnumbered);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..4 {
            let (c, o) = (client.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                for i in (w..n).step_by(4) {
                    c.gql(create, json!({ "o": o, "t": format!("dataset {round} {i}") })).await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let rate = n as f64 / started.elapsed().as_secs_f64();
        let label = if unnumbered { "without the counter" } else { "with the counter" };
        println!("createDataset, 4 clients, {label}: {rate:.0}/s");
        rates[usize::from(unnumbered)].push(rate);
    }
    hooks.set_unnumbered(false);
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let (with, without) = (mean(&rates[0]), mean(&rates[1]));
    println!(
        "createDataset: {with:.0}/s with the counter, {without:.0}/s without: cost {:.1}%",
        100.0 * (1.0 - with / without)
    );

    for first in [100, 1000] {
        let _ = walk(&client, first).await; // warm
        let (count, took) = walk(&client, first).await;
        println!("walk datasets first:{first}: {count} in {:.1} ms", took.as_secs_f64() * 1000.0);
    }

    // Subscription latency: 100 subscribers; one write at a time; time from sending the mutation to each
    // subscriber's message (an upper bound of commit-to-client: it includes the mutation's own work).
    let subs = env_usize("BENCH_SUBSCRIBERS", 100);
    let info = client.gql("{ changeFeedInfo { newestCursor } }", json!({})).await;
    let head = info["data"]["changeFeedInfo"]["newestCursor"].as_str().unwrap().to_owned();
    let mut sockets = Vec::new();
    for _ in 0..subs {
        sockets.push(subscriber(addr, &client, &head).await);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for mut ws in sockets {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(m)) = ws.next().await {
                if matches!(m, Message::Text(_)) && tx.send(Instant::now()).is_err() {
                    break;
                }
            }
        });
    }
    let mut latencies = Vec::new();
    for i in 0..50 {
        let committed = Instant::now();
        client.gql(create, json!({ "o": order, "t": format!("live {i}") })).await;
        for _ in 0..subs {
            let at = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
            latencies.push(at.saturating_duration_since(committed));
        }
    }
    println!(
        "subscription latency, {subs} subscribers: p50 {:.1} ms, p99 {:.1} ms",
        pct(&mut latencies, 0.50),
        pct(&mut latencies, 0.99)
    );
}
