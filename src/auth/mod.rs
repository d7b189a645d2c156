//! Who is calling: API keys, sessions (cookie or bearer), CSRF, rate limits on failures, OIDC login.
//!
//! Every request is resolved here into a [`Principal`]. The user behind a credential is cached per process
//! for at most one second ([`crate::domain::user_cache`]), so a deletion, a permission change or a
//! revocation takes effect on every instance within a second (at once on the instance that made it).

pub mod apikey;
pub mod bootstrap;
pub mod cookies;
pub mod oidc;
mod provider_errors;
pub mod ratelimit;
pub mod session;

use std::net::IpAddr;

use http::HeaderMap;

use crate::domain::model::User;
use crate::domain::permissions::PermissionSet;
use crate::domain::user_cache;
use crate::error::{ApiError, ErrorCode};
use crate::AppState;

pub use crate::domain::principal::{Principal, Viewer};
use session::CurrentSession;

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

/// Identity state shared by all requests: token keys, the session denylist, failure limits, OIDC providers.
#[derive(Debug)]
pub struct AuthState {
    /// Keys for session and login-state tokens.
    pub keys: session::TokenKeys,
    /// Revoked sessions.
    pub revocations: session::Revocations,
    /// Failed-attempt limits.
    pub limiter: ratelimit::RateLimiter,
    /// Configured OIDC providers.
    pub oidc: oidc::Providers,
    /// Every logged-in user may query statistics (`DATATRACKER_STATS_DEFAULT_ACCESS=all`).
    pub stats_open: bool,
}

impl AuthState {
    /// The identity state for `settings`, persisting revocations in `store`.
    pub fn new(settings: &crate::config::Settings, store: crate::store::Store) -> Self {
        Self {
            keys: session::TokenKeys::new(&settings.session.secret_key, settings.session.lifetime),
            revocations: session::Revocations::new(store.clone()),
            limiter: ratelimit::RateLimiter::new(
                settings.auth_limits.max_failures,
                settings.auth_limits.max_failures_per_address,
                settings.auth_limits.window,
                store,
            ),
            oidc: oidc::Providers::new(&settings.oidc_providers),
            stats_open: settings.security.stats_default_access == crate::config::StatsDefaultAccess::AllUsers,
        }
    }

    /// The principal for a stored user.
    pub fn principal_for(&self, user: &User) -> Principal {
        let mut permissions = PermissionSet::from_names(&user.permissions);
        if self.stats_open {
            permissions.insert(crate::domain::permissions::Permission::StatsRead);
        }
        Principal::User(Viewer {
            id: user.id.into(),
            permissions,
            scope: user.scope.clone(),
            affiliation: user.affiliation.clone(),
        })
    }
}

/// The outcome of authentication.
#[derive(Debug, Clone, Default)]
pub struct Authenticated {
    /// Who is calling.
    pub principal: Principal,
    /// The session used, when a session token authenticated the request.
    pub session: Option<CurrentSession>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// The bearer token of the request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = header(headers, http::header::AUTHORIZATION.as_str())?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Resolves the principal of a request. `state_changing` requests (mutations, logout) authenticated by the
/// session cookie must carry the CSRF header; API keys and bearer tokens need none.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<IpAddr>,
    state_changing: bool,
) -> Result<Authenticated, ApiError> {
    match (header(headers, API_USER_HEADER), header(headers, API_KEY_HEADER)) {
        (Some(user), Some(key)) => {
            let principal = api_key_principal(state, user, key, client).await?.1;
            return Ok(Authenticated { principal, session: None });
        }
        (None, None) => {}
        _ => return Err(ApiError::new(ErrorCode::Unauthenticated, "send both X-API-User and X-API-Key")),
    }
    let (token, from_cookie) = match bearer(headers) {
        Some(t) => (t.to_owned(), false),
        None => match cookies::get(headers, session::SESSION_COOKIE) {
            Some(t) => (t, true),
            None => return Ok(Authenticated::default()),
        },
    };
    if from_cookie && state_changing && !cookies::csrf_ok(headers) {
        return Err(ApiError::new(ErrorCode::Forbidden, "missing or wrong X-CSRFToken header"));
    }
    let (user, claims) = session_user(state, &token).await?;
    let principal = state.auth().principal_for(&user);
    Ok(Authenticated { principal, session: Some(CurrentSession { claims, from_cookie }) })
}

/// The user of a valid, unrevoked, current session token (same session epoch; for a session started with
/// an API key, the same key).
pub async fn session_user(state: &AppState, token: &str) -> Result<(User, session::SessionClaims), ApiError> {
    let expired = || ApiError::new(ErrorCode::Unauthenticated, "the session is invalid or expired; log in again");
    let auth = state.auth();
    let claims = auth.keys.verify_session(token).ok_or_else(expired)?;
    let cache_key = session_cache_key(&claims);
    let user = match state.tracker().user_cache().get(&cache_key) {
        Some(user) => user,
        None => {
            if auth.revocations.is_revoked(&claims.jti).await.map_err(|e| ApiError::internal(&e))? {
                return Err(expired());
            }
            let id = uuid::Uuid::parse_str(&claims.sub).map_err(|_| expired())?;
            let user = state.tracker().user_by_id(id.into()).await?.ok_or_else(expired)?;
            state.tracker().user_cache().put(cache_key, user.clone());
            user
        }
    };
    if user.id.to_string() != claims.sub || !claims.is_current_for(&user) {
        return Err(expired());
    }
    Ok((user, claims))
}

/// The cache key of a session (what a logout forgets).
pub fn session_cache_key(claims: &session::SessionClaims) -> [u8; 32] {
    user_cache::key("session", &[&claims.jti])
}

/// The user named by an API-key reference: a user id in any spelling, or a login identity.
async fn user_by_ref(state: &AppState, user_ref: &str) -> Result<Option<User>, ApiError> {
    let tracker = state.tracker();
    Ok(match uuid::Uuid::parse_str(user_ref) {
        Ok(id) => tracker.user_by_id(id.into()).await?,
        Err(_) => tracker.user_by_auth_id(user_ref).await?,
    })
}

/// Checks an API key, subject to the failure limits per client address and per (address, user) pair —
/// every spelling of a user (id in any form, any auth id) counts as that user. A wrong key, an unknown user
/// and a user without a key fail alike.
pub async fn api_key_principal(
    state: &AppState,
    user_ref: &str,
    key: &str,
    client: Option<IpAddr>,
) -> Result<(User, Principal), ApiError> {
    let auth = state.auth();
    let cache_key = user_cache::key("apikey", &[user_ref, key]);
    let cached = state.tracker().user_cache().get(&cache_key);
    let user = match &cached {
        Some(user) => Some(user.clone()),
        None => user_by_ref(state, user_ref).await?,
    };
    let canonical = match (&user, uuid::Uuid::parse_str(user_ref)) {
        (Some(u), _) => u.id.to_string(),
        (None, Ok(id)) => id.to_string(),
        (None, Err(_)) => user_ref.to_lowercase(),
    };
    let keys = ratelimit::keys_for(client, &canonical);
    if let Some(secs) = auth.limiter.blocked(&keys).await.map_err(|e| ApiError::internal(&e))? {
        tracing::warn!("authentication blocked after repeated failures");
        return Err(ApiError {
            retry_after: Some(secs),
            ..ApiError::new(ErrorCode::RateLimited, "too many failed attempts; retry later")
        });
    }
    if let Some(user) = cached {
        let p = auth.principal_for(&user);
        return Ok((user, p));
    }
    let stored = user.as_ref().and_then(|u| u.api_key.clone());
    let matches = apikey::verify(key, stored.as_ref().unwrap_or(&apikey::dummy_hash()));
    match user {
        Some(u) if matches && stored.is_some() => {
            state.tracker().user_cache().put(cache_key, u.clone());
            let p = auth.principal_for(&u);
            Ok((u, p))
        }
        _ => {
            auth.limiter.record_failure(&keys).await.map_err(|e| ApiError::internal(&e))?;
            tracing::info!("API key authentication failed");
            Err(ApiError::new(ErrorCode::Unauthenticated, "invalid API credentials"))
        }
    }
}
