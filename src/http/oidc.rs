//! OIDC login routes: the provider list, the start of a login and the provider's callback.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::login::{secure_cookies, session_cookie};
use crate::auth::cookies::{self, CookieSpec};
use crate::auth::oidc::{safe_return_path, Callback, LoginError, LOGIN_COOKIE, LOGIN_COOKIE_PATH, LOGIN_TTL};
use crate::domain::logins::{ExternalIdentity, LoginOutcome};
use crate::domain::DomainError;
use crate::AppState;

/// `GET /login/providers`: the configured providers, for the web app's login page.
pub async fn providers(State(state): State<AppState>) -> Response {
    let list: Vec<_> = state
        .auth()
        .oidc
        .all()
        .map(|p| {
            json!({
                "name": p.settings.name,
                "displayName": p.settings.display_name,
                "loginUrl": format!("/login/oidc/{}/login", p.settings.name),
            })
        })
        .collect();
    Json(json!({ "providers": list })).into_response()
}

/// Query of `GET /login/oidc/{provider}/login`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartParams {
    return_to: Option<String>,
}

fn redirect_uri(state: &AppState, provider: &str) -> String {
    let base = state.settings().http.base_url.as_str().trim_end_matches('/');
    format!("{base}/login/oidc/{provider}/authorize")
}

fn login_cookie(state: &AppState, value: &str, max_age: u64) -> Option<HeaderValue> {
    let spec = CookieSpec { path: LOGIN_COOKIE_PATH, max_age, http_only: true, secure: secure_cookies(state) };
    HeaderValue::from_str(&cookies::set_cookie(LOGIN_COOKIE, value, spec)).ok()
}

/// `GET /login/oidc/{provider}/login`: redirects to the provider (code flow, PKCE, state, nonce).
pub async fn start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(params): Query<StartParams>,
) -> Response {
    let auth = state.auth();
    let Some(p) = auth.oidc.get(&provider) else {
        return not_found(&provider);
    };
    let return_to = safe_return_path(params.return_to.as_deref());
    match auth.oidc.start(p, &auth.keys, &redirect_uri(&state, &provider), return_to).await {
        Ok((url, cookie)) => {
            let mut resp = see_other(url.as_str());
            if let Some(v) = login_cookie(&state, &cookie, LOGIN_TTL.as_secs()) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
        Err(err) => error_page(&provider, err),
    }
}

/// `GET /login/oidc/{provider}/authorize`: the provider's callback. Verifies everything, finds, links or
/// creates the user, sets the session and returns to the saved path.
pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Callback>,
) -> Response {
    let auth = state.auth();
    let Some(p) = auth.oidc.get(&provider) else {
        return not_found(&provider);
    };
    let cookie = cookies::get(&headers, LOGIN_COOKIE);
    let finished = auth.oidc.finish(p, &auth.keys, &redirect_uri(&state, &provider), cookie.as_deref(), &query).await;
    let (identity, return_to) = match finished {
        Ok(done) => done,
        Err(err) => return with_cleared_login(&state, error_page(&provider, err)),
    };
    let who = ExternalIdentity {
        auth_id: identity.auth_id(),
        email: identity.email.clone(),
        email_verified: identity.email_verified,
        name: identity.name.clone(),
        affiliation: identity.affiliation.clone(),
    };
    let (user, outcome) = match state.tracker().user_for_login(&who).await {
        Ok(found) => found,
        Err(DomainError::Conflict { .. }) => {
            let err = LoginError {
                status: StatusCode::CONFLICT,
                message: "your account is being changed at this moment; try logging in again".into(),
                detail: "the login kept conflicting with concurrent changes".into(),
            };
            return with_cleared_login(&state, error_page(&provider, err));
        }
        Err(e) => {
            let err = LoginError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: "the login failed on our side; try again later".into(),
                detail: e.to_string(),
            };
            return with_cleared_login(&state, error_page(&provider, err));
        }
    };
    let (token, _) = match auth.keys.issue_session_for(&user, false) {
        Ok(t) => t,
        Err(e) => {
            let err = LoginError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: "the login failed on our side; try again later".into(),
                detail: e.to_string(),
            };
            return with_cleared_login(&state, error_page(&provider, err));
        }
    };
    let outcome = match outcome {
        LoginOutcome::Known => "known",
        LoginOutcome::Linked => "linked",
        LoginOutcome::Created => "created",
    };
    tracing::info!(provider = %provider, user = %user.id, outcome, "OIDC login");
    let mut resp = see_other(&return_to);
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&state, &token)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    with_cleared_login(&state, resp)
}

fn with_cleared_login(state: &AppState, mut resp: Response) -> Response {
    if let Some(v) = login_cookie(state, "", 0) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, HeaderValue::from_static("/"))]).into_response(),
    }
}

fn not_found(provider: &str) -> Response {
    tracing::info!(provider = %provider, "OIDC login with an unknown provider");
    page(StatusCode::NOT_FOUND, "Unknown login provider", "There is no login provider of this name.")
}

fn error_page(provider: &str, err: LoginError) -> Response {
    tracing::warn!(provider = %provider, reason = %err.detail, status = err.status.as_u16(), "OIDC login refused");
    page(err.status, "Login failed", &err.message)
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\n<body>\
         <h1>{t}</h1>\n<p id=\"error\">{m}</p>\n<p><a href=\"/\">Back to datatracker</a></p>\n</body></html>\n",
        t = escape(title),
        m = escape(message)
    );
    (status, Html(body)).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
