//! GraphQL over HTTP: POST executes anything, GET serves GraphiQL or runs queries (never mutations).
//!
//! Request errors (unparseable body or document, validation, limits) answer 400 with a coded error; errors
//! raised while executing answer 200 with partial data, as the GraphQL over HTTP specification says.

use async_graphql::parser::types::OperationType;
use async_graphql::{ServerError, Value};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;

use super::{request, ClientAddr};
use crate::auth::{self, RequestKind};
use crate::error::{ApiError, ErrorCode};
use crate::AppState;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// `POST /graphql`.
pub async fn post_handler(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let request = match request::parse_post(content_type, &body) {
        Ok(r) => r,
        Err(rejection) => return rejection_response(rejection),
    };
    execute(state, headers, client, request, RequestKind::Post).await
}

/// Query-string parameters of `GET /graphql`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

/// `GET /graphql`.
pub async fn get_handler(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Extension(web): Extension<super::web::WebFiles>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    let Some(query) = params.query else {
        let wants_html =
            headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).map(|a| a.contains("text/html")).unwrap_or(false);
        if wants_html && state.settings().graphql.graphiql {
            // GraphiQL from our own built assets (web/dist/graphiql.html), the same page as /graphiql.
            if let Some(page) = super::web::graphiql_page(&web, false) {
                return page;
            }
            return request_error(
                ErrorCode::ServiceUnavailable,
                "GraphiQL is not built: run `npm ci && npm run build` in web/ (scripts/run-local.sh does it)",
            );
        }
        return request_error(ErrorCode::BadUserInput, "missing `query` parameter");
    };
    if query.len() > request::MAX_QUERY_BYTES {
        let max = request::MAX_QUERY_BYTES;
        return rejection_response(request::Rejection {
            field: Some("query".into()),
            message: format!("at most {max} bytes"),
            media_type: false,
        });
    }
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = params.variables {
        match serde_json::from_str::<serde_json::Value>(&vars) {
            Ok(v) => {
                if let serde_json::Value::Object(map) = &v {
                    if let Err(rejection) = request::check_variables(map) {
                        return rejection_response(rejection);
                    }
                }
                request = request.variables(async_graphql::Variables::from_json(v))
            }
            Err(_) => return request_error(ErrorCode::BadUserInput, "`variables` is not valid JSON"),
        }
    }
    execute(state, headers, client, request, RequestKind::Get).await
}

async fn execute(
    state: AppState,
    headers: HeaderMap,
    client: Option<std::net::IpAddr>,
    mut request: async_graphql::Request,
    kind: RequestKind,
) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let op = request::operation_kind(&mut request);
    if let Some(name) = request.operation_name.as_deref() {
        tracing::Span::current().record("graphql_operation", name);
    }
    let is_mutation = op == Some(OperationType::Mutation);
    if is_mutation && kind == RequestKind::Get {
        let err = ApiError::new(ErrorCode::BadUserInput, "mutations must be sent with POST");
        let mut resp = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(err.to_json())).into_response();
        resp.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }
    let authenticated = match auth::authenticate(&state, &headers, client, is_mutation).await {
        Ok(a) => a,
        Err(err) => return err.into_response(),
    };
    let access = std::sync::Arc::new(crate::graphql::context::AccessCell::default());
    let loader = crate::graphql::loaders::request_loader(
        state.tracker().clone(),
        authenticated.principal.clone(),
        Some(access.clone()),
    );
    let sessions = crate::graphql::context::Sessions {
        current: authenticated.session,
        revocations: state.auth().revocations.clone(),
        clear_cookies: super::login::clear_session_cookies(&state),
    };
    let response =
        state.schema().execute(request.data(authenticated.principal).data(loader).data(sessions).data(access)).await;
    graphql_response(response, &accept)
}

fn graphql_response(mut response: async_graphql::Response, accept: &str) -> Response {
    // Every error leaves with a code. Our resolvers set one; errors without one come from async-graphql's
    // own argument coercion, which is the caller's input at fault.
    for err in &mut response.errors {
        ensure_code(err);
    }
    let request_error = response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if request_error { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let content_type = if accept.contains(GRAPHQL_RESPONSE) { GRAPHQL_RESPONSE } else { "application/json" };
    // Serialised once, straight from the response (no intermediate JSON tree).
    let body = Body { data: (!request_error).then_some(&response.data), errors: &response.errors };
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in response.http_headers.iter() {
        if name == header::SET_COOKIE {
            resp.headers_mut().append(name.clone(), value.clone());
        }
    }
    resp
}

/// A GraphQL response body: `data` (left out for request errors), then `errors` when there are any.
#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
}

fn ensure_code(err: &mut ServerError) {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", ErrorCode::BadUserInput.as_str());
    }
}

fn rejection_response(r: request::Rejection) -> Response {
    let status = if r.media_type { StatusCode::UNSUPPORTED_MEDIA_TYPE } else { StatusCode::BAD_REQUEST };
    let mut err = ApiError::new(ErrorCode::BadUserInput, r.message);
    err.field = r.field;
    (status, axum::Json(err.to_json())).into_response()
}

fn request_error(code: ErrorCode, message: &str) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(ApiError::new(code, message).to_json())).into_response()
}
