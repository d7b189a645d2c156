//! GraphQL over HTTP, health, readiness, limits and error codes.

#![allow(clippy::unwrap_used)]

use serde_json::json;

use crate::harness::{spawn_app, spawn_app_with};

#[tokio::test]
async fn health_answers_ok_with_a_request_id() {
    let app = spawn_app().await;
    let resp = app.get("/health").await;
    assert_eq!(resp.status(), 200);
    let id = resp.headers().get("x-request-id").expect("request id header").to_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
}

#[tokio::test]
async fn ready_once_migrated_and_database_answers() {
    let app = spawn_app().await;
    let resp = app.get("/ready").await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["checks"]["mongodb"], "ok");
    assert_eq!(body["checks"]["migrations"], "applied");
}

#[tokio::test]
async fn ready_says_not_ready_when_mongodb_is_down() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let uri = format!("mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=300&connectTimeoutMS=300");
    let settings = crate::harness::test_settings("unused", &[("DATATRACKER_MONGODB_URI", &uri)]);
    let app = datatracker::build_app(settings).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(app.serve(listener, std::future::pending()));
    let resp = reqwest::get(format!("http://{addr}/ready")).await.unwrap();
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["checks"]["mongodb"], "unreachable");
    let health = reqwest::get(format!("http://{addr}/health")).await.unwrap();
    assert_eq!(health.status(), 200, "the process is alive even when the database is not");
}

#[tokio::test]
async fn a_query_answers_with_data() {
    let app = spawn_app().await;
    let r = app.gql("{ apiVersion }", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.data()["apiVersion"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn response_content_type_follows_accept() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.base);
    let body = json!({ "query": "{ apiVersion }" });
    let modern =
        app.http.post(&url).header("accept", "application/graphql-response+json").json(&body).send().await.unwrap();
    assert_eq!(modern.headers()["content-type"], "application/graphql-response+json");
    let legacy = app.http.post(&url).header("accept", "application/json").json(&body).send().await.unwrap();
    assert_eq!(legacy.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn mutation_over_get_is_refused_with_405() {
    let app = spawn_app().await;
    let resp = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "mutation { createCollection(input: {title: \"x\"}) { id } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "POST");
}

#[tokio::test]
async fn query_over_get_runs() {
    let app = spawn_app().await;
    let resp =
        app.http.get(format!("{}/graphql", app.base)).query(&[("query", "{ apiVersion }")]).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["apiVersion"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn graphiql_is_served_to_browsers_and_can_be_switched_off() {
    let app = spawn_app().await;
    let resp = app.http.get(format!("{}/graphql", app.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().to_lowercase().contains("graphiql"));
    let off = spawn_app_with(&[("DATATRACKER_GRAPHIQL", "false")]).await;
    let resp = off.http.get(format!("{}/graphql", off.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn parse_error_is_400_with_code() {
    let app = spawn_app().await;
    let r = app.gql("{ apiVersion ", json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), Some("GRAPHQL_PARSE_FAILED"));
    assert!(r.body.get("data").is_none());
}

#[tokio::test]
async fn validation_error_is_400_with_code() {
    let app = spawn_app().await;
    let r = app.gql("{ noSuchField }", json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), Some("GRAPHQL_VALIDATION_FAILED"));
}

#[tokio::test]
async fn batches_are_refused() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!([{ "query": "{ apiVersion }" }, { "query": "{ apiVersion }" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn non_json_body_is_refused() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "text/plain")
        .body("{ apiVersion }")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

#[tokio::test]
async fn depth_limit_refuses_deep_queries_before_execution() {
    let app = spawn_app_with(&[("DATATRACKER_GRAPHQL_MAX_DEPTH", "2")]).await;
    let r = app.gql("{ __schema { types { fields { name } } } }", json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"));
    assert_eq!(r.body["errors"][0]["extensions"]["reason"], "MAX_DEPTH");
}

#[tokio::test]
async fn complexity_limit_refuses_wide_queries() {
    let app = spawn_app_with(&[("DATATRACKER_GRAPHQL_MAX_COMPLEXITY", "3")]).await;
    let r = app.gql("{ a: apiVersion b: apiVersion c: apiVersion d: apiVersion }", json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["extensions"]["reason"], "MAX_COMPLEXITY");
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let app = spawn_app_with(&[("DATATRACKER_GRAPHQL_INTROSPECTION", "false")]).await;
    let r = app.gql("{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(r.data()["__schema"], serde_json::Value::Null, "{}", r.body);
    let on = spawn_app().await;
    let r = on.gql("{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(r.data()["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app_with(&[("DATATRACKER_BODY_LIMIT_BYTES", "1000")]).await;
    let big = "x".repeat(5000);
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": format!("{{ apiVersion }} # {big}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = spawn_app_with(&[("DATATRACKER_CORS_ORIGINS", "https://web.example.org")]).await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let ok = preflight("https://web.example.org").await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "https://web.example.org");
    let other = preflight("https://evil.example.com").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn checked_in_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let file = std::fs::read_to_string(path).unwrap_or_default();
    let code = datatracker::graphql::public_sdl();
    assert!(
        file == code,
        "schema.graphql differs from the code's public schema; regenerate it with `cargo run -- schema > schema.graphql` and review the diff"
    );
}

#[tokio::test]
async fn large_responses_are_compressed_when_the_client_accepts_gzip() {
    let app = spawn_app().await;
    let q = "{ __schema { types { name description fields { name description } } } }";
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("accept-encoding", "gzip")
        .json(&json!({ "query": q }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "gzip");
}
