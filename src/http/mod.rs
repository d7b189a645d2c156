//! HTTP surface: routes, middleware, GraphQL over HTTP, health and readiness.

mod files;
mod graphql;
mod health;
pub mod login;
mod oidc;
pub mod request;
pub mod web;
mod ws;

use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, MatchedPath};
use axum::routing::{get, post};
use axum::Router;
use http::{HeaderName, HeaderValue, Method, Request, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::AppState;

/// The request id header, set on every response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Builds the router with every route and layer.
pub fn router(state: AppState) -> Router {
    let settings = state.settings();
    let cors = cors_layer(&settings.http.cors_origins);
    let timeout = settings.http.request_timeout;
    // Everything but liveness and readiness waits for the migrations (unique indexes) to be in place.
    let gated = Router::new()
        .route("/graphql", get(graphql::get_handler).post(graphql::post_handler))
        .route("/graphql/ws", get(ws::handler))
        .route("/login/apikey", post(login::login_apikey))
        .route("/logout", post(login::logout))
        .route("/login/providers", get(oidc::providers))
        .route("/login/oidc/{provider}/login", get(oidc::start))
        .route("/login/oidc/{provider}/authorize", get(oidc::callback))
        .route("/graphiql", get(web::graphiql))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), health::require_migrated));
    let api = Router::new()
        .merge(gated)
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .fallback(web::fallback)
        .layer(axum::Extension(web::WebFiles::load(&settings.http.web_dir)))
        .layer(axum::middleware::from_fn_with_state(state.clone(), login::csrf_cookie))
        .layer(DefaultBodyLimit::max(settings.http.body_limit_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, timeout))
                .layer(CompressionLayer::new())
                .layer(cors.clone()),
        );
    with_request_layers(api).merge(file_routes(cors)).with_state(state)
}

/// The data file routes: no body limit (uploads have their own, streamed), no request timeout and no
/// compression (large streamed bodies, `Range` requests).
fn file_routes(cors: CorsLayer) -> Router<AppState> {
    let routes = Router::new()
        .route("/datasets/{id}/files", post(files::upload))
        .route("/files/download/{*key}", get(files::download))
        .layer(DefaultBodyLimit::disable())
        .layer(cors);
    with_request_layers(routes)
}

/// The layers every route shares, outermost first: a request id (set and echoed), the trace span, and a
/// panic caught as a generic internal error.
fn with_request_layers(router: Router<AppState>) -> Router<AppState> {
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(make_span).on_response(on_response).on_request(()))
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(CatchPanicLayer::custom(|_| {
                tracing::error!("handler panicked");
                let body =
                    crate::error::ApiError::new(crate::error::ErrorCode::InternalServerError, "internal server error");
                axum::response::IntoResponse::into_response(body)
            })),
    )
}

/// The client's address: the TCP peer, or — when the peer is a configured trusted proxy — the address in
/// the configured client-address header (`DATATRACKER_CLIENT_IP_HEADER`, `DATATRACKER_TRUSTED_PROXIES`).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(Self(state.settings().security.client_addr(peer, &parts.headers)))
    }
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> =
        origins.iter().filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            http::header::CONTENT_TYPE,
            http::header::AUTHORIZATION,
            http::header::ACCEPT,
            HeaderName::from_static("x-csrftoken"),
            HeaderName::from_static("x-api-user"),
            HeaderName::from_static("x-api-key"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(3600))
}

fn make_span<B>(req: &Request<B>) -> Span {
    let path =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "<unmatched>".into());
    let request_id = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %path,
        request_id = %request_id,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
        graphql_operation = tracing::field::Empty,
    )
}

fn on_response<B>(resp: &Response<B>, latency: Duration, span: &Span) {
    span.record("status", resp.status().as_u16());
    span.record("latency_ms", latency.as_secs_f64() * 1000.0);
    tracing::info!("request finished");
}
