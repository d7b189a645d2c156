//! Data files in the local directory store: uploads, signed download URLs, the download route (Range,
//! HEAD, attachment), refusals, revocation, the record of URLs and downloads, and bad input.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::harness::{spawn_app_with, Actor, TestApp};

pub struct FilesApp {
    pub app: TestApp,
    pub dir: tempfile::TempDir,
}

pub async fn files_app(extra: &[(&str, &str)]) -> FilesApp {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap().to_owned();
    let mut settings: Vec<(&str, &str)> = vec![("DATATRACKER_FILES_DIR", root.as_str())];
    settings.extend_from_slice(extra);
    FilesApp { app: spawn_app_with(&settings).await, dir }
}

/// Uploads `body` as `name` to `dataset`, optionally announcing a SHA-256; returns status and JSON body.
pub async fn upload(
    app: &TestApp,
    who: &Actor,
    dataset: &str,
    name: &str,
    body: Vec<u8>,
    sha: Option<&str>,
) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}/datasets/{dataset}/files", app.base))
        .query(&[("name", name), ("mediaType", "text/csv")])
        .header("x-api-user", &who.id)
        .header("x-api-key", &who.key)
        .body(body);
    if let Some(s) = sha {
        req = req.header("x-content-sha256", s);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub const FILES: &str = "query($id: ID!) { dataset(id: $id) { files { id name key value size sha256 available unavailableReason downloadUrl { url expiresAt } } } }";

/// The dataset's files as `who` sees them (anonymous when `None`).
pub async fn files_of(app: &TestApp, who: Option<&Actor>, dataset: &str) -> Value {
    let r = match who {
        Some(a) => app.gql_as(a, FILES, json!({ "id": dataset })).await,
        None => app.gql(FILES, json!({ "id": dataset })).await,
    };
    r.data()["dataset"]["files"].clone()
}

async fn url_for(app: &TestApp, who: Option<&Actor>, dataset: &str, expires_in: i64) -> String {
    let q = "query($id: ID!, $e: Int) { dataset(id: $id) { files { downloadUrl(expiresIn: $e) { url } } } }";
    let r = match who {
        Some(a) => app.gql_as(a, q, json!({ "id": dataset, "e": expires_in })).await,
        None => app.gql(q, json!({ "id": dataset, "e": expires_in })).await,
    };
    r.data()["dataset"]["files"][0]["downloadUrl"]["url"].as_str().unwrap().to_owned()
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

async fn setup(f: &FilesApp) -> (Actor, String, Vec<u8>) {
    let editor = f.app.actor("Editor", &[Permission::Orders]).await;
    let order = f.app.create_order(&editor, "O").await;
    let ds = f.app.create_dataset(&editor, &order, "D").await;
    let content: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let (status, body) = upload(&f.app, &editor, &ds, "data.csv", content.clone(), Some(&sha_hex(&content))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["size"], content.len());
    assert_eq!(body["sha256"], sha_hex(&content));
    (editor, ds, content)
}

#[tokio::test]
async fn an_uploaded_file_downloads_through_a_signed_url_with_range_and_head() {
    let f = files_app(&[]).await;
    let app = &f.app;
    let (_editor, ds, content) = setup(&f).await;
    let files = files_of(app, None, &ds).await;
    assert_eq!(files[0]["name"], "data.csv");
    assert_eq!(files[0]["size"], content.len());
    let url = files[0]["downloadUrl"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{}/files/download/", app.base)), "{url}");

    let resp = app.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let cd = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(cd.starts_with("attachment;") && cd.contains("data.csv"), "{cd}");
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    assert_eq!(resp.headers()["content-type"], "text/csv");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), content.as_slice());

    let resp = app.http.get(&url).header("range", "bytes=1000-1999").send().await.unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.headers()["content-range"], format!("bytes 1000-1999/{}", content.len()));
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &content[1000..2000]);
    let resp = app.http.get(&url).header("range", "bytes=-10").send().await.unwrap();
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &content[content.len() - 10..]);
    let resp = app.http.get(&url).header("range", format!("bytes={}-", content.len() + 5)).send().await.unwrap();
    assert_eq!(resp.status(), 416);

    let resp = app.http.head(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-length"], content.len().to_string().as_str());
    assert!(resp.bytes().await.unwrap().is_empty());
}

fn replace_query(url: &str, name: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == name { value.to_owned() } else { v.to_string() }))
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

async fn refused(app: &TestApp, url: &str, why: &str) {
    let resp = app.http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 403, "{why}: {url}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{why}");
    assert!(!body["errors"][0]["message"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn tampered_expired_other_path_other_viewer_and_dotdot_urls_are_refused() {
    let f = files_app(&[]).await;
    let app = &f.app;
    let (editor, ds, content) = setup(&f).await;
    let reader = app.actor("Reader", &[]).await;
    let other = app.actor("Other", &[]).await;
    // A second file, to replay a signature on another path.
    let (status, _) = upload(app, &editor, &ds, "other.csv", b"other".to_vec(), None).await;
    assert_eq!(status, 201);
    let url = url_for(app, Some(&reader), &ds, 60).await;
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 200, "the valid URL works");

    let sig = url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "sig").unwrap().1.to_string();
    let mut flipped = sig.clone().into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    refused(app, &replace_query(&url, "sig", std::str::from_utf8(&flipped).unwrap()), "tampered signature").await;
    refused(app, &replace_query(&url, "expires", "99999999999"), "raised expiry").await;
    refused(app, &replace_query(&url, "viewer", &other.id), "other viewer in the URL").await;
    let other_path = url.replace("/data.csv?", "/other.csv?");
    assert_ne!(other_path, url);
    refused(app, &other_path, "other path").await;
    // (A bare `%2E%2E` segment is normalised away by the client; `%2F` keeps it in one segment, which the
    // server decodes to `x/../…`.)
    let dotdot = url.replace("/files/download/", "/files/download/x%2F%2E%2E%2F");
    refused(app, &dotdot, "dot-dot").await;
    // Presented by another logged-in user.
    let resp = app.http.get(&url).header("x-api-user", &other.id).header("x-api-key", &other.key).send().await.unwrap();
    assert_eq!(resp.status(), 403, "another user's credentials");

    let short = url_for(app, Some(&reader), &ds, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let resp = app.http.get(&short).send().await.unwrap();
    assert_eq!(resp.status(), 403, "expired");
    let body: Value = resp.json().await.unwrap();
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("expired"), "{body}");
    let _ = content;
}

#[tokio::test]
async fn a_url_stops_working_once_access_is_revoked() {
    let f = files_app(&[]).await;
    let app = &f.app;
    let (editor, ds, _) = setup(&f).await;
    let reader = app.actor("Reader", &[]).await;
    let url = url_for(app, Some(&reader), &ds, 300).await;
    let editor_url = url_for(app, Some(&editor), &ds, 300).await;
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 200);
    let r = app
        .gql_as(
            &editor,
            "mutation($id: ID!) { updateDataset(id: $id, input: {access: PRIVATE}) { access } }",
            json!({ "id": ds }),
        )
        .await;
    assert_eq!(r.data()["updateDataset"]["access"], "PRIVATE");
    refused(app, &url, "revoked").await;
    assert_eq!(app.http.get(&editor_url).send().await.unwrap().status(), 200, "the editor keeps access");
    // The hidden dataset lists no files and offers no URL to the reader.
    let r = app.gql_as(&reader, FILES, json!({ "id": ds })).await;
    assert!(r.data()["dataset"].is_null());
}

#[tokio::test]
async fn urls_handed_out_and_downloads_are_recorded_and_listed_by_role() {
    let f = files_app(&[]).await;
    let app = &f.app;
    let (editor, ds, _) = setup(&f).await;
    let reader = app.actor("Reader", &[]).await;
    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    let url = url_for(app, Some(&reader), &ds, 60).await;
    app.http.get(&url).header("range", "bytes=0-9").send().await.unwrap();
    let q = "query($d: ID) { fileEvents(datasetId: $d, first: 100) { totalCount edges { node { kind viewer range datasetId expiresAt } } } }";
    for who in [&editor, &dm] {
        let r = app.gql_as(who, q, json!({ "d": ds })).await;
        let events = &r.data()["fileEvents"];
        assert_eq!(events["totalCount"], 2, "{}", events);
        assert_eq!(events["edges"][0]["node"]["kind"], "URL_ISSUED");
        assert_eq!(events["edges"][0]["node"]["viewer"], reader.id);
        assert!(events["edges"][0]["node"]["expiresAt"].is_string());
        assert_eq!(events["edges"][1]["node"]["kind"], "DOWNLOAD");
        assert_eq!(events["edges"][1]["node"]["range"], "bytes=0-9");
    }
    let r = app.gql_as(&dm, q, json!({ "d": null })).await;
    assert_eq!(r.data()["fileEvents"]["totalCount"], 2);
    let r = app.gql_as(&editor, q, json!({ "d": null })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app.gql_as(&reader, q, json!({ "d": ds })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app.gql(q, json!({ "d": ds })).await;
    assert_eq!(r.error_code(), Some("UNAUTHENTICATED"));
}

fn stored_files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn oversized_mismatched_and_traversing_uploads_are_refused_and_nothing_is_stored() {
    let f = files_app(&[("DATATRACKER_FILES_MAX_UPLOAD_BYTES", "1000")]).await;
    let app = &f.app;
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let order = app.create_order(&editor, "O").await;
    let ds = app.create_dataset(&editor, &order, "D").await;
    let before = app.log_count(&ds).await;

    let (status, body) = upload(app, &editor, &ds, "big.bin", vec![7u8; 2000], None).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // Without Content-Length (a streamed body), the limit is enforced while reading.
    let chunks = futures::stream::iter((0..4).map(|_| Ok::<_, std::io::Error>(vec![1u8; 400])));
    let resp = app
        .http
        .post(format!("{}/datasets/{ds}/files?name=stream.bin", app.base))
        .header("x-api-user", &editor.id)
        .header("x-api-key", &editor.key)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);

    let (status, body) = upload(app, &editor, &ds, "x.csv", b"hello".to_vec(), Some(&sha_hex(b"other"))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "sha256");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("checksum mismatch"));
    let (status, body) = upload(app, &editor, &ds, "x.csv", b"hello".to_vec(), Some("nothex")).await;
    assert_eq!(status, 400, "{body}");

    for name in ["../evil.csv", "a/b.csv", ".hidden", "..", "a\\b"] {
        let (status, body) = upload(app, &editor, &ds, name, b"x".to_vec(), None).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "name", "{name}");
    }
    let reg = "mutation($d: ID!, $k: String!) { registerDatasetFile(datasetId: $d, input: {key: $k, name: \"r.csv\"}) { id } }";
    for key in ["../etc/passwd", "/etc/passwd", "a/../../b", "a/{x}/{y}", "reports/{sch ool}/x", "missing/object.csv"] {
        let r = app.gql_as(&editor, reg, json!({ "d": ds, "k": key })).await;
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{key}: {}", r.body);
        assert_eq!(r.error_field(), Some("key"), "{key}");
    }
    // Unknown dataset; a non-editor.
    let (status, _) = upload(app, &editor, &uuid::Uuid::now_v7().to_string(), "x.csv", b"x".to_vec(), None).await;
    assert_eq!(status, 404);
    let stranger = app.actor("Stranger", &[Permission::Orders]).await;
    let (status, _) = upload(app, &stranger, &ds, "x.csv", b"x".to_vec(), None).await;
    assert_eq!(status, 403);

    assert!(files_of(app, None, &ds).await.as_array().unwrap().is_empty(), "no entry stored");
    assert_eq!(stored_files(f.dir.path()), Vec::<String>::new(), "no object stored");
    assert_eq!(app.log_count(&ds).await, before, "nothing logged");
}

#[tokio::test]
async fn deleting_a_file_or_its_dataset_removes_entries_and_uploaded_objects() {
    let f = files_app(&[]).await;
    let app = &f.app;
    let (editor, ds, _) = setup(&f).await;
    let (status, _) = upload(app, &editor, &ds, "second.csv", b"2".to_vec(), None).await;
    assert_eq!(status, 201);
    std::fs::create_dir_all(f.dir.path().join("external")).unwrap();
    std::fs::write(f.dir.path().join("external/kept.csv"), b"kept").unwrap();
    let r = app
        .gql_as(&editor, "mutation($d: ID!) { registerDatasetFile(datasetId: $d, input: {key: \"external/kept.csv\", name: \"kept.csv\"}) { id size } }", json!({ "d": ds }))
        .await;
    assert_eq!(r.data()["registerDatasetFile"]["size"], 4);
    let files = files_of(app, Some(&editor), &ds).await;
    assert_eq!(files.as_array().unwrap().len(), 3);
    assert_eq!(stored_files(f.dir.path()).len(), 3);

    let before = app.log_count(&ds).await;
    let first = files[0]["id"].as_str().unwrap();
    let r = app.gql_as(&editor, "mutation($id: ID!) { deleteDatasetFile(id: $id) }", json!({ "id": first })).await;
    assert_eq!(r.data()["deleteDatasetFile"], first);
    assert_eq!(app.log_count(&ds).await, before + 1, "the deletion is logged on the dataset");
    assert_eq!(stored_files(f.dir.path()).len(), 2);

    let r = app.gql_as(&editor, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": ds })).await;
    assert_eq!(r.data()["deleteDataset"], ds);
    assert_eq!(stored_files(f.dir.path()), vec!["external/kept.csv".to_owned()], "registered objects stay");
    let left =
        app.store.db().collection::<bson::Document>("dataset_files").count_documents(bson::doc! {}).await.unwrap();
    assert_eq!(left, 0);
}
