//! Tracker benchmark: starts the real app in-process against a real database server (`MONGODB_URI`, or a
//! fresh local SecantusDB server) and prints latency percentiles and throughput of typical requests.
//!
//! Run: `cargo bench --bench tracker` (release build). Options by environment: `BENCH_SECONDS` (throughput
//! window per client count, default 5).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support/localdb.rs"]
mod localdb;

use std::time::{Duration, Instant};

use datatracker::auth::apikey;
use datatracker::config::{Settings, Source};
use datatracker::domain::permissions::Permission;
use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::{json, Value};

const DATASET_FIELDS: &str = "id title description tagsStandard tagsUser crossReferences { kind value url } version \
    createdAt updatedAt order { id title } editors { id name } related { id title } collections { id title } \
    generators { id name } authors { id name } organisation { id name }";

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    url: String,
    user: String,
    key: String,
    anonymous: bool,
    /// A session token sent as a bearer token instead of the key.
    bearer: Option<String>,
}

impl Client {
    async fn gql(&self, query: &str, variables: Value) -> Value {
        let mut req = self.http.post(&self.url).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        } else if !self.anonymous {
            req = req.header("x-api-user", &self.user).header("x-api-key", &self.key);
        }
        let resp = req.send().await.unwrap();
        let body: Value = resp.json().await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        body
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    (at(0.50), at(0.95))
}

async fn timed<F, Fut>(n: usize, mut f: F) -> (f64, f64)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i).await;
        samples.push(t.elapsed());
    }
    percentiles(samples)
}

#[tokio::main]
async fn main() {
    let uri = std::env::var("MONGODB_URI").ok().filter(|u| !u.is_empty()).unwrap_or_else(localdb::start_local_server);
    let db = format!("dt_bench_{}", uuid::Uuid::new_v4().simple());
    let files_dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base_url = format!("http://{addr}/");
    let settings = Settings::from_source(&Source::from_pairs([
        ("DATATRACKER_MONGODB_URI", uri.as_str()),
        ("DATATRACKER_DATABASE", db.as_str()),
        ("DATATRACKER_SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789"),
        ("DATATRACKER_STATS_SECRET", "bench-stats-secret-0123456789abcdef0123456789"),
        ("DATATRACKER_BASE_URL", base_url.as_str()),
        ("DATATRACKER_FILES_DIR", files_dir.path().to_str().unwrap()),
    ]))
    .unwrap();
    let app = datatracker::build_app(settings).await.unwrap();
    app.migrate().await.unwrap();
    let tracker = app.state.tracker().clone();
    let state = app.state.clone();
    tokio::spawn(app.serve(listener, std::future::pending()));

    let user = tracker
        .create_user(
            &Principal::System,
            UserInput {
                name: Some("Bench".into()),
                email: Some("bench@example.org".into()),
                permissions: Some(vec![Permission::DataManagement]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let key = apikey::generate_key();
    let (_, key) = tracker
        .generate_api_key(&Principal::System, Some(&user.id.to_string()), key.clone(), apikey::hash_key(&key))
        .await
        .unwrap();
    let client = Client {
        http: reqwest::Client::new(),
        url: format!("http://{addr}/graphql"),
        user: user.id.to_string(),
        key,
        anonymous: false,
        bearer: None,
    };

    // 20 orders × 10 datasets, and collections holding every third dataset.
    let mut datasets = Vec::new();
    for i in 0..20 {
        let o = client
            .gql(
                "mutation($t: String!) { createOrder(input: {title: $t}) { id } }",
                json!({ "t": format!("order {i}") }),
            )
            .await;
        let order = o["data"]["createOrder"]["id"].as_str().unwrap().to_owned();
        for j in 0..10 {
            let d = client
                .gql(
                    "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t, tagsUser: [\"bench\"]}) { id } }",
                    json!({ "o": order, "t": format!("dataset {i}-{j}") }),
                )
                .await;
            datasets.push(d["data"]["createDataset"]["id"].as_str().unwrap().to_owned());
        }
    }
    for chunk in datasets.chunks(30) {
        let ids: Vec<&String> = chunk.iter().step_by(3).collect();
        client
            .gql(
                "mutation($d: [ID!]) { createCollection(input: {title: \"c\", datasets: $d}) { id } }",
                json!({ "d": ids }),
            )
            .await;
    }
    let order = client.gql("{ orders(first: 1) { edges { node { id } } } }", json!({})).await["data"]["orders"]
        ["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let one = format!("query($id: ID!) {{ dataset(id: $id) {{ {DATASET_FIELDS} }} }}");
    let page = format!("{{ datasets(first: 100) {{ totalCount edges {{ node {{ {DATASET_FIELDS} }} }} }} }}");
    // Warm-up.
    for d in datasets.iter().take(20) {
        client.gql(&one, json!({ "id": d })).await;
    }
    println!(
        "tracker benchmark: {} datasets, database {}",
        datasets.len(),
        if std::env::var("MONGODB_URI").is_ok() { "MONGODB_URI" } else { "local SecantusDB" }
    );
    println!("{:<48} {:>10} {:>10}", "operation", "p50 ms", "p95 ms");
    let (p50, p95) = timed(300, |i| client.gql(&one, json!({ "id": datasets[i % datasets.len()] })).then_unit()).await;
    println!("{:<48} {:>10.2} {:>10.2}", "dataset(id), every computed field", p50, p95);
    let (p50, p95) = timed(100, |_| client.gql(&page, json!({})).then_unit()).await;
    println!("{:<48} {:>10.2} {:>10.2}", "datasets(first: 100), every computed field", p50, p95);
    // The same page read through the access filter (DATA_MANAGEMENT above skips it).
    let reader = bench_user(&tracker, "Reader", vec![]).await;
    let reader = Client { user: reader.0, key: reader.1, ..client.clone() };
    let (p50, p95) = timed(100, |_| reader.gql(&page, json!({})).then_unit()).await;
    println!("{:<48} {:>10.2} {:>10.2}", "datasets(first: 100), logged in, access filter", p50, p95);
    // Anonymous callers have a lower cost budget: a page of 100 with every computed field is refused.
    let anon = Client { anonymous: true, ..client.clone() };
    let anon_page = page.replace("first: 100", "first: 25");
    let (p50, p95) = timed(100, |_| anon.gql(&anon_page, json!({})).then_unit()).await;
    println!("{:<48} {:>10.2} {:>10.2}", "datasets(first: 25), anonymous, access filter", p50, p95);
    let (p50, p95) = timed(200, |i| {
        client
            .gql(
                "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t}) { id } }",
                json!({ "o": order, "t": format!("new {i}") }),
            )
            .then_unit()
    })
    .await;
    println!("{:<48} {:>10.2} {:>10.2}", "createDataset", p50, p95);

    files_bench(&state, &client, &datasets[0], addr).await;

    let secs: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let login: Value = reqwest::Client::new()
        .post(format!("http://{addr}/login/apikey"))
        .json(&json!({ "authId": client.user, "apiKey": client.key }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    for (who, anonymous, bearer) in
        [("API key", false, None), ("session", false, Some(token)), ("anonymous", true, None)]
    {
        let mut single = 0.0;
        for clients in [1usize, 2] {
            let deadline = Instant::now() + Duration::from_secs(secs);
            let mut tasks = Vec::new();
            for c in 0..clients {
                let client =
                    Client { http: reqwest::Client::new(), anonymous, bearer: bearer.clone(), ..client.clone() };
                let (one, ids) = (one.clone(), datasets.clone());
                tasks.push(tokio::spawn(async move {
                    let mut n = 0usize;
                    while Instant::now() < deadline {
                        client.gql(&one, json!({ "id": ids[(n * 7 + c) % ids.len()] })).await;
                        n += 1;
                    }
                    n
                }));
            }
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap();
            }
            let rps = total as f64 / secs as f64;
            if clients == 1 {
                single = rps;
                println!("dataset(id) throughput, {who}, 1 client:  {rps:>8.0} requests/s");
            } else {
                println!("dataset(id) throughput, {who}, 2 clients: {rps:>8.0} requests/s ({:.2}x)", rps / single);
            }
        }
    }
}

async fn bench_user(
    tracker: &datatracker::domain::Tracker,
    name: &str,
    permissions: Vec<Permission>,
) -> (String, String) {
    let input = UserInput {
        name: Some(name.into()),
        email: Some(format!("{}@example.org", uuid::Uuid::new_v4().simple())),
        permissions: Some(permissions),
        ..Default::default()
    };
    let user = tracker.create_user(&Principal::System, input).await.unwrap();
    let key = apikey::generate_key();
    let (_, key) = tracker
        .generate_api_key(&Principal::System, Some(&user.id.to_string()), key.clone(), apikey::hash_key(&key))
        .await
        .unwrap();
    (user.id.to_string(), key)
}

/// Data files: signing a URL (in-process and through GraphQL) and local-directory download throughput.
async fn files_bench(state: &datatracker::AppState, client: &Client, dataset: &str, addr: std::net::SocketAddr) {
    use futures::StreamExt;
    const MIB: usize = 1 << 20;
    let size_mib: usize = std::env::var("BENCH_FILE_MIB").ok().and_then(|s| s.parse().ok()).unwrap_or(512);
    let body = futures::stream::iter(0..size_mib).map(|i| Ok::<_, std::io::Error>(vec![(i % 251) as u8; MIB]));
    let resp = client
        .http
        .post(format!("http://{addr}/datasets/{dataset}/files?name=bench.bin"))
        .header("x-api-user", &client.user)
        .header("x-api-key", &client.key)
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let q = "query($id: ID!) { dataset(id: $id) { files { downloadUrl { url } } } }";
    let (p50, p95) = timed(300, |_| client.gql(q, json!({ "id": dataset })).then_unit()).await;
    println!("{:<48} {:>10.2} {:>10.2}", "dataset(id) { files { downloadUrl } } (GraphQL)", p50, p95);
    let files = state.files();
    let entry = files.entries_of(&[bson::Uuid::parse_str(dataset).unwrap()]).await.unwrap().remove(0);
    let view = datatracker::domain::files::FileView::entry(&Principal::Anonymous, entry);
    let ttl = Duration::from_secs(300);
    let (p50, p95) = timed(10_000, |_| async {
        files.sign(&view, ttl).await.unwrap();
    })
    .await;
    println!("{:<48} {:>10.4} {:>10.4}", "sign one download URL (in-process)", p50, p95);
    let url = client.gql(q, json!({ "id": dataset })).await["data"]["dataset"]["files"][0]["downloadUrl"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = reqwest::Client::new();
    let mut best: f64 = 0.0;
    for _ in 0..3 {
        let t = Instant::now();
        let mut stream = http.get(&url).send().await.unwrap().bytes_stream();
        let mut n = 0usize;
        while let Some(b) = stream.next().await {
            n += b.unwrap().len();
        }
        assert_eq!(n, size_mib * MIB);
        let mbps = n as f64 / 1e6 / t.elapsed().as_secs_f64();
        println!("local download of {size_mib} MiB over loopback: {mbps:>8.0} MB/s");
        best = best.max(mbps);
    }
    println!("local download throughput, best of 3:  {best:>8.0} MB/s");
}

trait ThenUnit {
    fn then_unit(self) -> impl std::future::Future<Output = ()>;
}

impl<F: std::future::Future<Output = Value>> ThenUnit for F {
    async fn then_unit(self) {
        self.await;
    }
}
