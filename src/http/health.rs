//! Liveness and readiness.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::json;

use crate::error::{ApiError, ErrorCode};
use crate::AppState;

/// Answers 503 (`SERVICE_UNAVAILABLE`, with `Retry-After`) until the migrations are in place, so that no
/// request writes before the unique indexes exist.
pub async fn require_migrated(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.is_migrated() {
        return next.run(req).await;
    }
    let err = ApiError::new(ErrorCode::ServiceUnavailable, "the service is starting; retry shortly");
    let mut resp = err.into_response();
    resp.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("1"));
    resp
}

/// `GET /health`: the process is alive.
pub async fn health() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// `GET /ready`: MongoDB answers a ping, migrations have been applied and a statistics frame is loaded.
pub async fn ready(State(state): State<AppState>) -> Response {
    let db_ok = matches!(tokio::time::timeout(Duration::from_secs(2), state.store().ping()).await, Ok(Ok(())));
    let migrated = state.is_migrated();
    let frame_loaded = state.stats_frame_loaded();
    let ready = db_ok && migrated && frame_loaded;
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "checks": {
            "mongodb": if db_ok { "ok" } else { "unreachable" },
            "migrations": if migrated { "applied" } else { "pending" },
            "frame": if frame_loaded { "loaded" } else { "not loaded" },
        }
    });
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}
