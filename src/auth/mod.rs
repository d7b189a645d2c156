//! Who is calling: principals, API keys, sessions, CSRF and permission checks.

pub mod apikey;

use http::HeaderMap;

use crate::domain::model::User;
use crate::domain::permissions::PermissionSet;
use crate::error::{ApiError, ErrorCode};
use crate::AppState;

pub use crate::domain::principal::{Principal, Viewer};

/// Header naming the user for API-key authentication (a user id or any of the user's auth ids).
pub const API_USER_HEADER: &str = "x-api-user";
/// Header carrying the API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// How the GraphQL request arrived; CSRF applies to state-changing requests carried by a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `GET /graphql` (never a mutation).
    Get,
    /// `POST /graphql`.
    Post,
}

/// The principal for a stored user.
pub fn principal_for(user: &User) -> Principal {
    Principal::User(Viewer {
        id: user.id.into(),
        permissions: PermissionSet::from_names(&user.permissions),
        scope: user.scope.clone(),
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// Resolves the principal of a request from its headers.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    _kind: RequestKind,
    _is_mutation: bool,
) -> Result<Principal, ApiError> {
    match (header(headers, API_USER_HEADER), header(headers, API_KEY_HEADER)) {
        (Some(user), Some(key)) => api_key_principal(state, user, key).await,
        (None, None) => Ok(Principal::Anonymous),
        _ => Err(ApiError::new(ErrorCode::Unauthenticated, "send both X-API-User and X-API-Key")),
    }
}

/// Checks an API key. A wrong key, an unknown user and a user without a key fail alike.
pub async fn api_key_principal(state: &AppState, user_ref: &str, key: &str) -> Result<Principal, ApiError> {
    let tracker = state.tracker();
    let user = match uuid::Uuid::parse_str(user_ref) {
        Ok(id) => tracker.user_by_id(id.into()).await?,
        Err(_) => tracker.user_by_auth_id(user_ref).await?,
    };
    let stored = user.as_ref().and_then(|u| u.api_key.clone());
    let matches = apikey::verify(key, stored.as_ref().unwrap_or(&apikey::dummy_hash()));
    match user {
        Some(u) if matches && stored.is_some() => Ok(principal_for(&u)),
        _ => {
            tracing::info!("API key authentication failed");
            Err(ApiError::new(ErrorCode::Unauthenticated, "invalid API credentials"))
        }
    }
}
