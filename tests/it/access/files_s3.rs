//! Data files in a real S3-compatible store (LocalStack, started by the tests; it verifies presigned
//! signatures and expiry): streamed multipart uploads; checked URLs (the default: the service's URL, bound
//! to its viewer and re-checked, redirecting to a presigned GET of a few seconds); presigned GET URLs
//! (`DATATRACKER_FILES_S3_DOWNLOADS=presigned`); refused tampered, expired, other-path, other-viewer and
//! revoked URLs.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::files_local::{files_of, upload};
use crate::harness::{spawn_app_with, TestApp};

#[path = "../../support/localstack.rs"]
mod localstack;

async fn s3_app(downloads: &str) -> (TestApp, String) {
    let endpoint = localstack::endpoint();
    let bucket = format!("dt-test-{}", uuid::Uuid::new_v4().simple());
    // LocalStack accepts an unsigned bucket creation.
    let resp = reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.unwrap();
    assert!(resp.status().is_success(), "cannot create bucket: {}", resp.status());
    let app = spawn_app_with(&[
        ("DATATRACKER_FILES_BACKEND", "s3"),
        ("DATATRACKER_FILES_S3_ENDPOINT", endpoint.as_str()),
        ("DATATRACKER_FILES_S3_BUCKET", bucket.as_str()),
        ("DATATRACKER_FILES_S3_REGION", "us-east-1"),
        ("DATATRACKER_FILES_S3_ACCESS_KEY_ID", "test"),
        ("DATATRACKER_FILES_S3_SECRET_ACCESS_KEY", "test"),
        ("DATATRACKER_FILES_S3_DOWNLOADS", downloads),
        ("DATATRACKER_FILES_S3_REDIRECT_SECS", "2"),
    ])
    .await;
    (app, format!("{endpoint}/{bucket}"))
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

#[tokio::test]
async fn s3_presigned_urls_work_and_tampered_expired_and_other_path_ones_are_refused() {
    let (app, bucket_url) = s3_app("presigned").await;
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let order = app.create_order(&editor, "O").await;
    let ds = app.create_dataset(&editor, &order, "D").await;
    // Larger than one multipart part (8 MiB), so the upload really is multipart.
    let content: Vec<u8> = (0..(9u32 << 20) / 4).flat_map(|i| i.to_le_bytes()).collect();
    let sha = hex::encode(Sha256::digest(&content));
    let (status, body) = upload(&app, &editor, &ds, "big.bin", content.clone(), Some(&sha)).await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = upload(&app, &editor, &ds, "small.csv", b"a,b\n".to_vec(), None).await;
    assert_eq!(status, 201);

    let files = files_of(&app, None, &ds).await;
    let url = files[0]["downloadUrl"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&bucket_url), "a presigned URL of the bucket: {url}");
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(resp.bytes().await.unwrap().len(), content.len());
    let resp = reqwest::Client::new().get(&url).header("range", "bytes=5-14").send().await.unwrap();
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &content[5..15]);

    let sig = url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "X-Amz-Signature").unwrap().1.to_string();
    let mut flipped = sig.into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    let tampered = replace_query(&url, "X-Amz-Signature", std::str::from_utf8(&flipped).unwrap());
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403, "tampered");
    let raised = replace_query(&url, "X-Amz-Expires", "604800");
    assert_eq!(reqwest::get(&raised).await.unwrap().status(), 403, "raised expiry");
    let other_path = url.replace("/big.bin?", "/small.csv?");
    assert_ne!(other_path, url);
    assert_eq!(reqwest::get(&other_path).await.unwrap().status(), 403, "other path");

    let q = "query($id: ID!) { dataset(id: $id) { files { downloadUrl(expiresIn: 1) { url } } } }";
    let r = app.gql(q, json!({ "id": ds })).await;
    let short = r.data()["dataset"]["files"][1]["downloadUrl"]["url"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    let resp = reqwest::get(&short).await.unwrap();
    assert_eq!(resp.status(), 403, "expired");
    assert!(resp.text().await.unwrap().contains("expired"));
}

#[tokio::test]
async fn an_s3_upload_with_a_wrong_checksum_or_over_the_limit_stores_nothing() {
    let (app, bucket_url) = s3_app("checked").await;
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let order = app.create_order(&editor, "O").await;
    let ds = app.create_dataset(&editor, &order, "D").await;
    let wrong = hex::encode(Sha256::digest(b"something else"));
    let (status, body) = upload(&app, &editor, &ds, "x.bin", vec![3u8; 100_000], Some(&wrong)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "sha256");
    assert!(files_of(&app, None, &ds).await.as_array().unwrap().is_empty());
    let listing = reqwest::get(format!("{bucket_url}?list-type=2")).await.unwrap().text().await.unwrap();
    assert!(!listing.contains("<Key>"), "nothing in the bucket: {listing}");
    let _: Value = json!(null);
}

#[tokio::test]
async fn checked_s3_urls_are_bound_to_their_viewer_redirect_briefly_and_stop_when_access_is_revoked() {
    let (app, bucket_url) = s3_app("checked").await;
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[]).await;
    let other = app.actor("Other", &[]).await;
    let order = app.create_order(&editor, "O").await;
    let ds = app.create_dataset(&editor, &order, "D").await;
    let content: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let (status, body) = upload(&app, &editor, &ds, "data.bin", content.clone(), None).await;
    assert_eq!(status, 201, "{body}");

    let q = "query($id: ID!) { dataset(id: $id) { files { downloadUrl(expiresIn: 300) { url } } } }";
    let r = app.gql_as(&reader, q, json!({ "id": ds })).await;
    let url = r.data()["dataset"]["files"][0]["downloadUrl"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{}/files/download/", app.base)), "a URL of the service: {url}");
    assert!(url.contains(&format!("viewer={}", reader.id)), "bound to its viewer: {url}");

    // The service answers with a short redirect to the store; the bytes come from the store.
    let resp = app.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 307);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&bucket_url) && location.contains("X-Amz-Signature="), "{location}");
    assert!(location.contains("X-Amz-Expires=2"), "a presigned GET of a few seconds: {location}");
    let got = reqwest::get(&location).await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), content.as_slice());
    let ranged = reqwest::Client::new().get(&location).header("range", "bytes=10-19").send().await.unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(ranged.bytes().await.unwrap().as_ref(), &content[10..20]);
    // A client that follows redirects gets the file in one step; HEAD is answered by the service.
    let followed = reqwest::get(&url).await.unwrap();
    assert_eq!(followed.bytes().await.unwrap().as_ref(), content.as_slice());
    let head = app.http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], content.len().to_string().as_str());
    // The redirect target lives seconds, not the URL's minutes.
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(reqwest::get(&location).await.unwrap().status(), 403, "the redirect target expired");

    // Another viewer in the URL, another user's credentials, a tampered signature: refused.
    let forbidden = |u: String| {
        let app = &app;
        async move { app.http.get(&u).send().await.unwrap().status() }
    };
    assert_eq!(forbidden(replace_query(&url, "viewer", &other.id)).await, 403, "other viewer");
    let sig = url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "sig").unwrap().1.to_string();
    let flipped: String = sig
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                if c == '0' {
                    '1'
                } else {
                    '0'
                }
            } else {
                c
            }
        })
        .collect();
    assert_eq!(forbidden(replace_query(&url, "sig", &flipped)).await, 403, "tampered");
    let resp = app.http.get(&url).header("x-api-user", &other.id).header("x-api-key", &other.key).send().await.unwrap();
    assert_eq!(resp.status(), 403, "another user's credentials");

    // Revoked: the same URL, well within its 5 minutes, no longer redirects.
    let r = app
        .gql_as(
            &editor,
            "mutation($id: ID!) { updateDataset(id: $id, input: {access: PRIVATE}) { access } }",
            json!({ "id": ds }),
        )
        .await;
    assert_eq!(r.data()["updateDataset"]["access"], "PRIVATE");
    let resp = app.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 403, "revoked");
    assert!(resp.headers().get("location").is_none());
}
