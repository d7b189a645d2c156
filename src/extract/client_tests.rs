use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::json;

use super::*;

/// What the server answers: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, &'static str)>, Value);

/// A server answering the n-th request (0-based) with `script(n)`.
async fn scripted(script: fn(usize) -> Answer) -> (url::Url, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/graphql",
        post(move |headers: HeaderMap| {
            let counter = counter.clone();
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                assert_eq!(headers.get("x-api-key").and_then(|v| v.to_str().ok()), Some("k"));
                let (status, extra, body) = script(n);
                let mut resp = (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
                for (k, v) in extra {
                    resp.headers_mut().insert(k, v.parse().unwrap());
                }
                resp
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/graphql").parse().unwrap(), hits)
}

fn client(url: url::Url) -> Client {
    let policy = RetryPolicy { retries: 3, base: Duration::from_millis(5), max: Duration::from_secs(5) };
    Client::new(url, Some("u".into()), Some("k".into()), policy).unwrap()
}

#[tokio::test]
async fn retries_5xx_then_succeeds() {
    let (url, hits) = scripted(|n| match n {
        0 | 1 => (503, vec![], json!({})),
        _ => (200, vec![], json!({"data": {"x": 1}})),
    })
    .await;
    assert_eq!(client(url).call("{x}", json!({})).await.unwrap(), json!({"x": 1}));
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn honours_retry_after_on_429() {
    let (url, hits) = scripted(|n| match n {
        0 => (429, vec![("retry-after", "1")], json!({})),
        _ => (200, vec![], json!({"data": {"x": 2}})),
    })
    .await;
    let start = Instant::now();
    assert_eq!(client(url).call("{x}", json!({})).await.unwrap(), json!({"x": 2}));
    assert!(start.elapsed() >= Duration::from_millis(950), "{:?}", start.elapsed());
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn gives_up_after_the_retries_without_data() {
    let (url, hits) = scripted(|_| (500, vec![], json!({}))).await;
    let err = client(url).call("{x}", json!({})).await.unwrap_err();
    assert!(matches!(err, CallError::Transport(ref m) if m.contains("4 attempts")), "{err:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn auth_errors_are_distinct_and_not_retried() {
    let (url, hits) = scripted(|_| {
        (401, vec![], json!({"errors": [{"message": "bad key", "extensions": {"code": "UNAUTHENTICATED"}}]}))
    })
    .await;
    assert_eq!(client(url).call("{x}", json!({})).await.unwrap_err(), CallError::Auth("bad key".into()));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let (url, _) = scripted(|_| {
        (
            200,
            vec![],
            json!({"data": null, "errors": [{"message": "expired", "extensions": {"code": "UNAUTHENTICATED"}}]}),
        )
    })
    .await;
    assert!(matches!(client(url).call("{x}", json!({})).await, Err(CallError::Auth(_))));
}

#[tokio::test]
async fn partial_data_with_errors_is_an_error_and_complexity_is_recognised() {
    let (url, _) = scripted(|_| {
        (200, vec![], json!({"data": {"x": 1}, "errors": [{"message": "no", "extensions": {"code": "FORBIDDEN"}}]}))
    })
    .await;
    let err = client(url).call("{x}", json!({})).await.unwrap_err();
    assert_eq!(err, CallError::Graphql { code: "FORBIDDEN".into(), message: "no".into() });
    let (url, _) = scripted(|_| {
        let e = json!({"message": "too complex", "extensions": {"code": "BAD_USER_INPUT", "reason": "MAX_COMPLEXITY"}});
        (400, vec![], json!({"errors": [e]}))
    })
    .await;
    assert_eq!(client(url).call("{x}", json!({})).await.unwrap_err(), CallError::TooComplex);
}
