//! Streaming: uploading and downloading a 1 GiB file through the real service binary keeps its memory
//! growth under 64 MB; `Range` requests return the right bytes.

#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use sha2::{Digest, Sha256};

const GIB: u64 = 1 << 30;
const CHUNK: usize = 1 << 20;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Samples the process's resident memory every 20 ms, keeping the peak.
fn sample_peak(pid: u32, stop: Arc<AtomicBool>, peak: Arc<AtomicU64>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            peak.fetch_max(rss_kib(pid), Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
        }
    })
}

/// Deterministic content: chunk `i` is one of seven patterns (computed once; the test is a debug build).
fn chunk(i: u64) -> bytes::Bytes {
    static PATTERNS: std::sync::OnceLock<Vec<bytes::Bytes>> = std::sync::OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        (0..7usize)
            .map(|k| bytes::Bytes::from((0..CHUNK).map(|j| ((k * 31 + j) % 251) as u8).collect::<Vec<u8>>()))
            .collect()
    });
    patterns[(i % 7) as usize].clone()
}

/// An editor (`ORDERS`) with an API key, created through the domain as the operator CLI does.
async fn create_actor(tracker: &datatracker::domain::Tracker) -> crate::harness::Actor {
    use datatracker::auth::apikey;
    use datatracker::domain::users::UserInput;
    use datatracker::domain::Principal;
    let input = UserInput {
        name: Some("Editor".into()),
        email: Some(format!("{}@example.org", uuid::Uuid::new_v4().simple())),
        permissions: Some(vec![datatracker::domain::permissions::Permission::Orders]),
        ..Default::default()
    };
    let user = tracker.create_user(&Principal::System, input).await.unwrap();
    let key = apikey::generate_key();
    let hash = apikey::hash_key(&key);
    let (_, key) = tracker.generate_api_key(&Principal::System, Some(&user.id.to_string()), key, hash).await.unwrap();
    crate::harness::Actor { id: user.id.to_string(), key }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1_gib_upload_and_download_stream_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::harness::fresh_db_name();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_datatracker"))
        .arg("serve")
        .env("DATATRACKER_MONGODB_URI", crate::harness::mongodb_uri())
        .env("DATATRACKER_DATABASE", &db)
        .env("DATATRACKER_SECRET_KEY", crate::harness::TEST_SECRET)
        .env("DATATRACKER_STATS_SECRET", crate::harness::TEST_STATS_SECRET)
        .env("DATATRACKER_BIND", format!("127.0.0.1:{port}"))
        .env("DATATRACKER_FILES_DIR", dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let pid = server.0.id();
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..300 {
        if http.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the service did not start");

    // Set-up through the domain on the same database: an editor with an API key, an order, a dataset.
    let app_settings = crate::harness::test_settings(&db, &[]);
    let store = datatracker::store::Store::connect(app_settings.mongodb_uri.expose(), &db).await.unwrap();
    let tracker = datatracker::domain::Tracker::new(store);
    // Wait until the service's migrations are applied.
    for _ in 0..300 {
        if http.get(format!("{base}/ready")).send().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let editor = create_actor(&tracker).await;
    let gql = |q: &'static str, vars: serde_json::Value| {
        let http = http.clone();
        let base = base.clone();
        let editor = editor.clone();
        async move {
            let r: serde_json::Value = http
                .post(format!("{base}/graphql"))
                .header("x-api-user", &editor.id)
                .header("x-api-key", &editor.key)
                .json(&serde_json::json!({ "query": q, "variables": vars }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(r.get("errors").is_none(), "{r}");
            r["data"].clone()
        }
    };
    let order = gql("mutation { createOrder(input: {title: \"O\"}) { id } }", serde_json::json!({})).await;
    let order = order["createOrder"]["id"].as_str().unwrap().to_owned();
    let ds = gql(
        "mutation($o: ID!) { createDataset(orderId: $o, input: {title: \"Big\"}) { id } }",
        serde_json::json!({ "o": order }),
    )
    .await;
    let ds = ds["createDataset"]["id"].as_str().unwrap().to_owned();

    let baseline = rss_kib(pid);
    let (stop, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(baseline)));
    let sampler = sample_peak(pid, stop.clone(), peak.clone());

    let mut hasher = Sha256::new();
    for i in 0..(GIB / CHUNK as u64) {
        hasher.update(chunk(i));
    }
    let sha = hex::encode(hasher.finalize());
    let body = futures::stream::iter(0..(GIB / CHUNK as u64)).map(|i| Ok::<_, std::io::Error>(chunk(i)));
    let resp = http
        .post(format!("{base}/datasets/{ds}/files?name=big.bin"))
        .header("x-api-user", &editor.id)
        .header("x-api-key", &editor.key)
        .header("x-content-sha256", &sha)
        .header("content-length", GIB.to_string())
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());

    let files = gql(
        "query($id: ID!) { dataset(id: $id) { files { size downloadUrl { url } } } }",
        serde_json::json!({ "id": ds }),
    )
    .await;
    assert_eq!(files["dataset"]["files"][0]["size"], GIB);
    let url = files["dataset"]["files"][0]["downloadUrl"]["url"].as_str().unwrap().to_owned();
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut stream = resp.bytes_stream();
    let mut down = Sha256::new();
    let mut total = 0u64;
    while let Some(b) = stream.next().await {
        let b = b.unwrap();
        total += b.len() as u64;
        down.update(&b);
    }
    stop.store(true, Ordering::SeqCst);
    sampler.join().unwrap();
    assert_eq!(total, GIB);
    assert_eq!(hex::encode(down.finalize()), sha, "downloaded bytes equal uploaded bytes");
    let growth_mb = (peak.load(Ordering::SeqCst).saturating_sub(baseline)) as f64 / 1024.0;
    eprintln!("1 GiB upload + download: service RSS baseline {} MB, growth {growth_mb:.1} MB", baseline / 1024);
    assert!(growth_mb < 64.0, "the service's memory grew by {growth_mb:.1} MB (limit 64 MB)");

    // Range requests far into the file return the right bytes.
    let start = 700 * CHUNK as u64 + 12_345;
    let resp = http.get(&url).header("range", format!("bytes={start}-{}", start + 99)).send().await.unwrap();
    assert_eq!(resp.status(), 206);
    let got = resp.bytes().await.unwrap();
    let expected = &chunk(700)[12_345..12_445];
    assert_eq!(got.as_ref(), expected);
}
