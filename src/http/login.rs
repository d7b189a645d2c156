//! Session endpoints: exchanging an API key for a session, logging out, and the CSRF cookie on first contact.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::ClientAddr;
use crate::auth::cookies::{self, CookieSpec, CSRF_COOKIE};
use crate::auth::session::SESSION_COOKIE;
use crate::auth::{self, Authenticated};
use crate::error::{ApiError, ErrorCode};
use crate::AppState;

/// Whether cookies get the `Secure` attribute (everywhere but a plain-http base URL).
pub fn secure_cookies(state: &AppState) -> bool {
    state.settings().http.base_url.scheme() != "http"
}

/// The `Set-Cookie` value carrying a new session token.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let spec = CookieSpec {
        path: "/",
        max_age: state.auth().keys.lifetime().as_secs(),
        http_only: true,
        secure: secure_cookies(state),
    };
    cookies::set_cookie(SESSION_COOKIE, token, spec)
}

/// The `Set-Cookie` values that delete the session and CSRF cookies.
pub fn clear_session_cookies(state: &AppState) -> Vec<String> {
    let secure = secure_cookies(state);
    vec![
        cookies::set_cookie(SESSION_COOKIE, "", CookieSpec { path: "/", max_age: 0, http_only: true, secure }),
        cookies::set_cookie(CSRF_COOKIE, "", CookieSpec { path: "/", max_age: 0, http_only: false, secure }),
    ]
}

/// Middleware: a response to a request without the CSRF cookie sets one (readable by scripts).
pub async fn csrf_cookie(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let has_cookie = cookies::get(req.headers(), CSRF_COOKIE).is_some();
    let mut resp = next.run(req).await;
    let sets_it = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&format!("{CSRF_COOKIE}="))));
    if !has_cookie && !sets_it {
        let spec = CookieSpec { path: "/", max_age: 365 * 24 * 3600, http_only: false, secure: secure_cookies(&state) };
        if let Ok(v) = HeaderValue::from_str(&cookies::set_cookie(CSRF_COOKIE, &cookies::new_csrf_token(), spec)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The body of `POST /login/apikey`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApiKeyLogin {
    auth_id: String,
    api_key: String,
}

/// `POST /login/apikey`: exchanges `{"authId", "apiKey"}` for a session token (body and cookie).
pub async fn login_apikey(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        let err = ApiError::new(ErrorCode::BadUserInput, "send the request as Content-Type: application/json");
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(err.to_json())).into_response();
    }
    let Ok(login) = serde_json::from_slice::<ApiKeyLogin>(&body) else {
        return ApiError::new(ErrorCode::BadUserInput, "send a JSON object {\"authId\": …, \"apiKey\": …}")
            .into_response();
    };
    let user = match auth::api_key_principal(&state, login.auth_id.trim(), login.api_key.trim(), client).await {
        Ok((user, _)) => user,
        Err(err) => return err.into_response(),
    };
    let (token, claims) = match state.auth().keys.issue_session_for(&user, true) {
        Ok(t) => t,
        Err(e) => return ApiError::internal(&e).into_response(),
    };
    tracing::info!(user = %user.id, "session started with an API key");
    let expires_at = chrono::DateTime::from_timestamp(claims.exp, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
    let mut resp =
        Json(json!({ "token": token, "userId": user.id.to_string(), "expiresAt": expires_at })).into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&state, &token)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `POST /logout`: revokes the session (cookie, with the CSRF header, or bearer) and clears the cookies.
pub async fn logout(State(state): State<AppState>, ClientAddr(client): ClientAddr, headers: HeaderMap) -> Response {
    let revoked = match auth::authenticate(&state, &headers, client, true).await {
        Ok(Authenticated { session: Some(current), .. }) => {
            if let Err(e) = state.auth().revocations.revoke(&current.claims).await {
                return ApiError::internal(&e).into_response();
            }
            state.tracker().user_cache().forget(&auth::session_cache_key(&current.claims));
            tracing::info!(user = %current.claims.sub, "session revoked (logout)");
            true
        }
        Ok(_) => false,
        Err(err) if err.code == ErrorCode::Forbidden => return err.into_response(),
        // An invalid or expired session has nothing left to revoke; the cookies are cleared all the same.
        Err(_) => false,
    };
    let mut resp = Json(json!({ "revoked": revoked })).into_response();
    for cookie in clear_session_cookies(&state) {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}
