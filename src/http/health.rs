//! Liveness and readiness.

use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::json;

use crate::AppState;

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
