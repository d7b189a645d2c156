//! The API error type: a closed set of codes clients can rely on, mapped once to GraphQL and HTTP.
//!
//! Every resolver and handler returns [`ApiError`]. Domain and store errors are translated in exactly one
//! place ([`From<DomainError>`]); internal details are logged with the request span and never sent.

use async_graphql::ErrorExtensions;
use http::StatusCode;

use crate::domain::DomainError;

/// The closed set of error codes sent in `extensions.code`. Renaming one is a breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No valid credentials were given, or they expired.
    Unauthenticated,
    /// The principal is known but may not do this.
    Forbidden,
    /// The entity does not exist or is not visible to the principal.
    NotFound,
    /// The input is malformed or breaks a rule; `extensions.field` names the field when there is one.
    BadUserInput,
    /// The change conflicts with the stored state (duplicate key, stale version, referenced entity).
    Conflict,
    /// Too many attempts; retry later.
    RateLimited,
    /// The GraphQL document could not be parsed.
    GraphqlParseFailed,
    /// The GraphQL document is not valid against the schema.
    GraphqlValidationFailed,
    /// A needed resource is not available yet (e.g. no statistics frame is loaded); retry later.
    ServiceUnavailable,
    /// Something failed on our side; details are in the server log under the request id.
    InternalServerError,
}

impl ErrorCode {
    /// The wire name of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status used when this error is the answer of a plain HTTP endpoint.
    pub fn http_status(self) -> StatusCode {
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadUserInput | Self::GraphqlParseFailed | Self::GraphqlValidationFailed => StatusCode::BAD_REQUEST,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error as the client sees it. Deliberately not `Display`, so it can only reach GraphQL through the
/// mapping below, never through async-graphql's blanket `Display` conversion.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The stable code.
    pub code: ErrorCode,
    /// A human-readable message that is safe to show.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// Seconds to wait before retrying (`RATE_LIMITED`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a code and a safe message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None, retry_after: None }
    }

    /// `BAD_USER_INPUT` naming the field at fault.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: Some(field.into()), ..Self::new(ErrorCode::BadUserInput, message) }
    }

    /// `UNAUTHENTICATED` with the standard message.
    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "authentication required")
    }

    /// `FORBIDDEN` with the standard message.
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "not allowed")
    }

    /// Logs `detail` (with the current request span) and returns a generic `INTERNAL_SERVER_ERROR`.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(ErrorCode::InternalServerError, "internal server error")
    }

    /// The error as a JSON body in GraphQL error shape, for plain HTTP endpoints.
    pub fn to_json(&self) -> serde_json::Value {
        let mut ext = serde_json::json!({ "code": self.code.as_str() });
        if let Some(field) = &self.field {
            ext["field"] = serde_json::Value::String(field.clone());
        }
        serde_json::json!({ "errors": [{ "message": self.message, "extensions": ext }] })
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        async_graphql::Error::new(err.message).extend_with(|_, ext| {
            ext.set("code", err.code.as_str());
            if let Some(field) = &err.field {
                ext.set("field", field.as_str());
            }
            if let Some(secs) = err.retry_after {
                ext.set("retryAfter", secs);
            }
        })
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(what) => Self::new(ErrorCode::NotFound, format!("{what} not found")),
            DomainError::Forbidden => Self::forbidden(),
            DomainError::Unauthenticated => Self::unauthenticated(),
            DomainError::Invalid { field, message } => Self::bad_input(field, message),
            DomainError::Conflict { field, message } => Self { field, ..Self::new(ErrorCode::Conflict, message) },
            DomainError::RateLimited { retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(ErrorCode::RateLimited, "too many attempts; retry later")
            },
            DomainError::Transient(detail) => {
                tracing::warn!(error = %detail, "transient transaction errors outlasted the retries");
                Self::new(ErrorCode::ServiceUnavailable, "the database is busy; retry the request")
            }
            DomainError::Internal(detail) => Self::internal(&detail),
        }
    }
}

impl From<crate::stats::StatsError> for ApiError {
    fn from(err: crate::stats::StatsError) -> Self {
        use crate::stats::StatsError;
        match err {
            StatsError::BadInput { field, message } => Self::bad_input(field, message),
            // The detail (which scope column is wrong) is for operators: logged and in statsStatus.
            StatsError::ScopeDenied { .. } => Self::new(
                ErrorCode::Forbidden,
                "your data scope cannot be applied to the statistics frame; ask an administrator",
            ),
            StatsError::NoFrame => Self::new(ErrorCode::ServiceUnavailable, "no statistics frame is loaded yet"),
            StatsError::Load(detail) => Self::internal(&detail),
            StatsError::Refused => Self::new(ErrorCode::Forbidden, crate::stats::error::REFUSED),
            StatsError::Cancelled => Self::new(ErrorCode::ServiceUnavailable, StatsError::Cancelled.to_string()),
            StatsError::Audit(detail) => Self::internal(&detail),
        }
    }
}

impl axum::response::IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let status = self.code.http_status();
        let retry = self.retry_after;
        let mut resp = (status, axum::Json(self.to_json())).into_response();
        if let Some(secs) = retry {
            if let Ok(v) = http::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(http::header::RETRY_AFTER, v);
            }
        }
        resp
    }
}
