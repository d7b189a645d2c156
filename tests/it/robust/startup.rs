//! Requests are served only after the migrations (unique indexes) are in place.

#![allow(clippy::unwrap_used)]

use datatracker::store::Store;
use serde_json::json;

use crate::harness::{fresh_db_name, mongodb_uri, test_settings};

#[tokio::test]
async fn requests_wait_for_the_migrations() {
    let db_name = fresh_db_name();
    let settings = test_settings(&db_name, &[]);
    let store = Store::connect(&mongodb_uri(), &db_name).await.unwrap();
    let app = datatracker::build_app_with_store(settings, store);
    app.state.stats().install_generated(100, 2, 1).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = app.state.clone();
    let migrator = datatracker::build_app_with_store(
        test_settings(&db_name, &[]),
        Store::connect(&mongodb_uri(), &db_name).await.unwrap(),
    );
    let (_stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(listener, async move {
        let _ = stop_rx.await;
    }));
    let http = reqwest::Client::new();
    let post = || http.post(format!("{base}/graphql")).json(&json!({ "query": "{ apiVersion }" })).send();
    let r = post().await.unwrap();
    assert_eq!(r.status(), 503, "no request is served before the migrations");
    assert!(r.headers().get("retry-after").is_some());
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE");
    let login = http.post(format!("{base}/login/apikey")).json(&json!({})).send().await.unwrap();
    assert_eq!(login.status(), 503);
    assert_eq!(http.get(format!("{base}/health")).send().await.unwrap().status(), 200);
    assert_eq!(http.get(format!("{base}/ready")).send().await.unwrap().status(), 503);
    // Another instance (or `datatracker migrate`) migrates; this one marks itself once it has checked.
    migrator.migrate().await.unwrap();
    assert_eq!(post().await.unwrap().status(), 503, "this instance has not checked yet");
    datatracker::store::migrations::migrate(
        state.store(),
        &datatracker::store::migrations::embedded(),
        std::time::Duration::from_secs(5),
    )
    .await
    .unwrap();
    state.set_migrated();
    let r = post().await.unwrap();
    assert_eq!(r.status(), 200);
}
