//! The whole run against a small in-process stand-in of the API (lists, feed, introspection from this
//! build's schema): first run, changes, changes made during the pull, a failure part way and the resume.
//! The real server is exercised by tests/it/extract.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::routing::post;
use serde_json::{json, Value};

use super::*;

#[derive(Default)]
struct Api {
    entities: BTreeMap<&'static str, BTreeMap<String, Value>>,
    log: Vec<(u64, &'static str, String, &'static str, Option<Value>)>,
    /// Answer 500 to list pages from this many pages served on.
    fail_from_page: Option<usize>,
    /// Change a dataset on every list page served.
    write_during_pages: bool,
    pages: usize,
}

const TYPES: [(&str, &str); 4] =
    [("orders", "ORDER"), ("datasets", "DATASET"), ("collections", "COLLECTION"), ("users", "USER")];

impl Api {
    fn write(&mut self, list: &'static str, id: &str, entity: Option<Value>) {
        let seq = self.log.len() as u64 + 1;
        let map = self.entities.entry(list).or_default();
        let action = match (&entity, map.contains_key(id)) {
            (None, _) => "DELETE",
            (Some(_), true) => "EDIT",
            (Some(_), false) => "ADD",
        };
        match &entity {
            Some(e) => map.insert(id.to_string(), e.clone()),
            None => map.remove(id),
        };
        let dt = TYPES.iter().find(|(l, _)| *l == list).map(|(_, d)| *d).unwrap_or("DATASET");
        self.log.push((seq, dt, id.to_string(), action, entity));
    }

    fn answer(&mut self, query: &str, vars: &Value, schema: &Value) -> (u16, Value) {
        if query.contains("__schema") {
            return (200, json!({ "data": schema }));
        }
        if query.contains("ExtractMe") {
            return (200, json!({ "data": { "me": { "id": "u" } } }));
        }
        if query.contains("ExtractFeedInfo") {
            let newest = self.log.last().map(|l| l.0.to_string());
            return (200, json!({ "data": { "changeFeedInfo": { "newestCursor": newest } } }));
        }
        let first = vars["first"].as_u64().unwrap_or(100) as usize;
        if query.contains("ExtractPage") {
            if self.fail_from_page.is_some_and(|n| self.pages >= n) {
                return (500, json!({}));
            }
            self.pages += 1;
            if self.write_during_pages {
                let id = format!("d{:03}", 500 + self.pages);
                self.write("datasets", &id, Some(json!({ "id": id, "title": "during" })));
                self.write("datasets", "d000", Some(json!({ "id": "d000", "title": format!("edit {}", self.pages) })));
            }
            let list = query.split("{ ").nth(1).and_then(|s| s.split('(').next()).unwrap_or("").trim();
            let after = vars["after"].as_str().unwrap_or("");
            let all = self.entities.get(list).cloned().unwrap_or_default();
            let mut items = all.range::<str, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded));
            let nodes: Vec<Value> = items.by_ref().take(first).map(|(_, v)| v.clone()).collect();
            let more = items.next().is_some();
            let end = nodes.last().map(|n| n["id"].clone()).unwrap_or(Value::Null);
            return (
                200,
                json!({ "data": { list: { "nodes": nodes, "pageInfo": { "endCursor": end, "hasNextPage": more } } } }),
            );
        }
        if query.contains("ExtractChanges") {
            let after: u64 = vars["after"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
            let rest: Vec<_> = self.log.iter().filter(|l| l.0 > after).collect();
            let nodes: Vec<Value> = rest
                .iter()
                .take(first)
                .map(|(seq, dt, id, action, entity)| {
                    let field = match *dt {
                        "ORDER" => "order",
                        "COLLECTION" => "collection",
                        "USER" => "user",
                        _ => "dataset",
                    };
                    json!({ "cursor": seq.to_string(), "sequence": seq.to_string(), "action": action, "dataType": dt,
                            "entityId": id, "timestamp": "2026-12-02T10:00:00Z", "actorId": "u", field: entity })
                })
                .collect();
            let end = rest.iter().take(first).next_back().map(|l| l.0).unwrap_or(after).to_string();
            return (
                200,
                json!({ "data": { "changes": { "nodes": nodes, "endCursor": end, "hasNextPage": rest.len() > first } } }),
            );
        }
        let collections = self.entities.get("collections").cloned().unwrap_or_default();
        if query.contains("ExtractHolders") {
            let mut data = serde_json::Map::new();
            for (alias, id) in vars.as_object().into_iter().flatten() {
                let holding: Vec<Value> = collections
                    .values()
                    .filter(|c| c["datasetIds"].as_array().is_some_and(|ids| ids.contains(id)))
                    .map(|c| json!({ "id": c["id"] }))
                    .collect();
                data.insert(alias.clone(), json!({ "collections": holding }));
            }
            return (200, json!({ "data": data }));
        }
        if query.contains("ExtractCollection") {
            let found = vars["id"].as_str().and_then(|id| collections.get(id)).cloned().unwrap_or(Value::Null);
            return (200, json!({ "data": { "collection": found } }));
        }
        (200, json!({ "errors": [{ "message": format!("unexpected {query}") }] }))
    }
}

/// Concurrent list requests: in flight now, most at once.
#[derive(Default)]
struct Flight {
    now: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
}

async fn serve(api: Arc<Mutex<Api>>) -> String {
    serve_with(api, Arc::default()).await
}

async fn serve_with(api: Arc<Mutex<Api>>, flight: Arc<Flight>) -> String {
    let schema = {
        let s = crate::graphql::build_schema(&crate::config::GraphqlSettings {
            max_depth: 15,
            max_complexity: 100_000,
            max_complexity_anonymous: 100_000,
            introspection: true,
            graphiql: false,
        })
        .finish();
        serde_json::to_value(&s.execute(schema::INTROSPECTION).await.data).unwrap()
    };
    let app = axum::Router::new().route(
        "/graphql",
        post(move |axum::Json(body): axum::Json<Value>| {
            let (api, schema, flight) = (api.clone(), schema.clone(), flight.clone());
            async move {
                use std::sync::atomic::Ordering::SeqCst;
                if body["query"].as_str().is_some_and(|q| q.contains("ExtractPage")) {
                    let n = flight.now.fetch_add(1, SeqCst) + 1;
                    flight.most.fetch_max(n, SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(15)).await;
                    flight.now.fetch_sub(1, SeqCst);
                }
                let (status, v) =
                    api.lock().unwrap().answer(body["query"].as_str().unwrap_or(""), &body["variables"], &schema);
                (axum::http::StatusCode::from_u16(status).unwrap(), axum::Json(v))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn args(url: &str, dir: &std::path::Path) -> ExtractArgs {
    std::fs::write(dir.join("key"), "k").unwrap();
    ExtractArgs {
        url: url.into(),
        api_user: Some("u".into()),
        api_key_file: Some(dir.join("key")),
        out: dir.join("out"),
        format: vec!["jsonl".into(), "parquet".into()],
        types: vec!["orders".into(), "datasets".into(), "collections".into(), "users".into()],
        page_size: 3,
        parallel: 2,
        full: false,
        json: true,
        retries: 0,
    }
}

fn lines(dir: &std::path::Path, t: &str) -> Vec<Value> {
    std::fs::read_to_string(dir.join("out").join(format!("{t}.jsonl")))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn seeded() -> Arc<Mutex<Api>> {
    let mut api = Api::default();
    for i in 0..10 {
        let id = format!("d{i:03}");
        api.write("datasets", &id, Some(json!({ "id": id, "title": format!("D{i}"), "tagsUser": ["t"] })));
    }
    api.write("orders", "o1", Some(json!({ "id": "o1", "title": "O" })));
    api.write("users", "u", Some(json!({ "id": "u", "name": "U" })));
    Arc::new(Mutex::new(api))
}

#[tokio::test]
async fn first_run_changes_and_resume_after_a_failure() {
    let api = seeded();
    let url = serve(api.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let a = args(&url, dir.path());

    // Fails part way (the server keeps answering 500): incomplete, nothing claimed.
    api.lock().unwrap().fail_from_page = Some(2);
    let err = run(&a).await.unwrap_err();
    assert_eq!(err.exit_code(), EXIT_INCOMPLETE, "{err}");
    let cp = Checkpoint::load(&a.out).unwrap().unwrap();
    assert_eq!(cp.phase, Phase::Snapshot);
    assert!(!a.out.join("datasets.jsonl").exists());

    // Resumes; changes made while paging are applied once.
    {
        let mut api = api.lock().unwrap();
        api.fail_from_page = None;
        api.write_during_pages = true;
    }
    let s = run(&a).await.unwrap();
    assert_eq!(s.mode, "full");
    api.lock().unwrap().write_during_pages = false;
    let expected: Vec<Value> = api.lock().unwrap().entities["datasets"].values().cloned().collect();
    assert_eq!(lines(dir.path(), "datasets"), expected);

    // Later: only the changes.
    {
        let mut api = api.lock().unwrap();
        api.write("datasets", "d001", None);
        api.write("datasets", "d002", Some(json!({ "id": "d002", "title": "changed" })));
        api.write("datasets", "d999", Some(json!({ "id": "d999", "title": "new" })));
    }
    let s = run(&a).await.unwrap();
    assert_eq!(s.mode, "incremental");
    let ds = &s.types[&EntityType::Datasets];
    assert_eq!((ds.fetched, ds.upserted, ds.deleted), (3, 2, 1));
    let expected: Vec<Value> = api.lock().unwrap().entities["datasets"].values().cloned().collect();
    assert_eq!(lines(dir.path(), "datasets"), expected);
    assert!(s.types[&EntityType::Orders].rows.is_none(), "an unchanged type is not rewritten");

    // History: every change after the first position, once.
    let first_position: u64 = 12;
    let mut seqs = Vec::new();
    for e in std::fs::read_dir(dir.path().join("out/history/datasets")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "jsonl") {
            for l in std::fs::read_to_string(p).unwrap().lines() {
                let v: Value = serde_json::from_str(l).unwrap();
                seqs.push(v["sequence"].as_str().unwrap().parse::<u64>().unwrap());
            }
        }
    }
    seqs.sort();
    let expected: Vec<u64> = api.lock().unwrap().log.iter().map(|l| l.0).filter(|s| *s > first_position).collect();
    assert_eq!(seqs, expected);

    // Another URL is refused; --full starts over and gives the same output.
    let other = ExtractArgs { url: format!("{url}/other"), ..a.clone() };
    assert_eq!(run(&other).await.unwrap_err().exit_code(), EXIT_CONFIG);
    let full = ExtractArgs { full: true, ..a.clone() };
    let before = lines(dir.path(), "datasets");
    run(&full).await.unwrap();
    assert_eq!(lines(dir.path(), "datasets"), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_types_are_paged_at_the_same_time_and_no_more() {
    for (parallel, expected) in [(1, 1), (3, 3)] {
        let flight = Arc::new(Flight::default());
        let api = seeded();
        {
            let mut api = api.lock().unwrap();
            for i in 0..12 {
                let id = format!("c{i:02}");
                api.write("collections", &id, Some(json!({ "id": id, "title": "C" })));
                let id = format!("o{i:02}");
                api.write("orders", &id, Some(json!({ "id": id, "title": "O" })));
            }
        }
        let url = serve_with(api, flight.clone()).await;
        let dir = tempfile::tempdir().unwrap();
        let a = ExtractArgs { parallel, ..args(&url, dir.path()) };
        run(&a).await.unwrap();
        assert_eq!(flight.most.load(std::sync::atomic::Ordering::SeqCst), expected, "--parallel {parallel}");
    }
}
