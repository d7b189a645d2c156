//! GraphQL over WebSocket at `/graphql/ws`: the graphql-transport-ws protocol, for subscriptions.
//!
//! async-graphql's stock service accepts every connection, so the credential is checked here, in
//! `connection_init`: an API key in the init payload (`{"x-api-user": …, "x-api-key": …}`, also under
//! `headers`), else the key headers, a bearer token or the session cookie of the upgrade request, else the
//! anonymous caller. A bad credential closes the socket with 4403. The credential is checked again every
//! [`FeedHub::recheck_interval`](crate::domain::feed_hub::FeedHub::recheck_interval) (30 s by default): a
//! revoked key or session closes with 4403. A browser upgrade carrying the session cookie must come from an
//! allowed origin (the service's own or a configured CORS origin), else 403: no cross-site WebSocket
//! hijacking. A frame the client does not take within [`SEND_TIMEOUT`] ends the connection.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::http::{WebSocket as GqlWebSocket, WebSocketProtocols as Protocols, WsMessage};
use async_graphql::Data;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, StatusCode};

use super::ClientAddr;
use crate::auth::{self, cookies, session, Principal};
use crate::error::{ApiError, ErrorCode};
use crate::AppState;

/// How long one frame may wait for the client before the connection is closed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the client has to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Close code: the credential is missing, wrong, or was revoked.
pub const CLOSE_FORBIDDEN: u16 = 4403;
/// Close code: an operation before `connection_init` was acknowledged.
pub const CLOSE_UNAUTHORIZED: u16 = 4401;
/// Close code: no `connection_init` in time.
pub const CLOSE_INIT_TIMEOUT: u16 = 4408;

/// The credential a connection authenticated with, checked again while it is open (no `Debug`: it holds
/// the key).
#[derive(Clone)]
enum Credential {
    Anonymous,
    ApiKey { user: String, key: String },
    Session { token: String },
}

/// `GET /graphql/ws`.
pub async fn handler(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if cookies::get(&headers, session::SESSION_COOKIE).is_some() && !origin_allowed(&state, &headers) {
        return (StatusCode::FORBIDDEN, axum::Json(ApiError::forbidden().to_json())).into_response();
    }
    ws.protocols([Protocols::GraphQLWS.sec_websocket_protocol()])
        .on_upgrade(move |socket| serve(state, socket, headers, client))
}

/// Whether the `Origin` of a browser upgrade is the service's own or a configured CORS origin (non-browser
/// clients send none).
fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(http::header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let origin = origin.trim_end_matches('/');
    let own = state.settings().http.base_url.origin().ascii_serialization();
    origin == own || state.settings().http.cors_origins.iter().any(|o| o.trim_end_matches('/') == origin)
}

fn payload_str<'a>(payload: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    let direct = payload.get(name).or_else(|| payload.get("headers").and_then(|h| h.get(name)));
    direct.and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty())
}

/// The credential of a connection: the init payload's key first, then the upgrade request's.
fn credential(payload: &serde_json::Value, headers: &HeaderMap) -> Result<Credential, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let user = payload_str(payload, auth::API_USER_HEADER).or_else(|| header(auth::API_USER_HEADER));
    let key = payload_str(payload, auth::API_KEY_HEADER).or_else(|| header(auth::API_KEY_HEADER));
    match (user, key) {
        (Some(user), Some(key)) => return Ok(Credential::ApiKey { user: user.into(), key: key.into() }),
        (None, None) => {}
        _ => return Err(ApiError::new(ErrorCode::Unauthenticated, "send both x-api-user and x-api-key")),
    }
    if let Some(token) = auth::bearer(headers) {
        return Ok(Credential::Session { token: token.into() });
    }
    Ok(match cookies::get(headers, session::SESSION_COOKIE) {
        Some(token) => Credential::Session { token },
        None => Credential::Anonymous,
    })
}

async fn principal(state: &AppState, c: &Credential, client: Option<IpAddr>) -> Result<Principal, ApiError> {
    match c {
        Credential::Anonymous => Ok(Principal::Anonymous),
        Credential::ApiKey { user, key } => Ok(auth::api_key_principal(state, user, key, client).await?.1),
        Credential::Session { token } => {
            let (user, _) = auth::session_user(state, token).await?;
            Ok(state.auth().principal_for(&user))
        }
    }
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

async fn serve(state: AppState, socket: WebSocket, headers: HeaderMap, client: Option<IpAddr>) {
    let (mut sink, source) = socket.split();
    let source = source
        .take_while(|m| futures::future::ready(matches!(m, Ok(m) if !matches!(m, Message::Close(_)))))
        .filter_map(|m| async move {
            match m {
                Ok(Message::Text(t)) => Some(t.as_str().as_bytes().to_vec()),
                Ok(Message::Binary(b)) => Some(b.to_vec()),
                _ => None,
            }
        });
    let accepted: Arc<Mutex<Option<Result<Credential, ()>>>> = Arc::default();
    let on_init = {
        let (state, accepted) = (state.clone(), accepted.clone());
        move |payload: serde_json::Value| async move {
            let outcome = match credential(&payload, &headers) {
                Ok(c) => principal(&state, &c, client).await.map(|p| (c, p)),
                Err(e) => Err(e),
            };
            let (result, data) = match outcome {
                Ok((c, p)) => {
                    let mut data = Data::default();
                    let loader = crate::graphql::loaders::request_loader(state.tracker().clone(), p.clone(), None);
                    data.insert(p);
                    // One loader for the connection, without a cache: every event reads current data.
                    loader.enable_all_cache(false);
                    data.insert(loader);
                    (Ok(c), Ok(data))
                }
                Err(e) => (Err(()), Err(async_graphql::Error::new(e.message))),
            };
            if let Ok(mut slot) = accepted.lock() {
                *slot = Some(result);
            }
            data
        }
    };
    let gql = GqlWebSocket::new(state.schema().clone(), source, Protocols::GraphQLWS).on_connection_init(on_init);
    tokio::pin!(gql);
    let recheck_every = state.feed().recheck_interval();
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + recheck_every, recheck_every);
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(init_deadline);
    let outcome = || accepted.lock().ok().and_then(|s| s.clone());
    loop {
        let frame = tokio::select! {
            msg = gql.next() => match msg {
                Some(WsMessage::Text(text)) => Message::Text(text.into()),
                Some(WsMessage::Close(code, reason)) => {
                    // async-graphql closes a refused `connection_init` with 1002; the protocol says 4403.
                    // And a `subscribe` before the handshake with 1011; the protocol says 4401.
                    match outcome() {
                        Some(Err(())) => close(CLOSE_FORBIDDEN, "Forbidden"),
                        None if code == 1011 => close(CLOSE_UNAUTHORIZED, "Unauthorized"),
                        _ => close(code, &reason),
                    }
                }
                None => break,
            },
            _ = recheck.tick() => {
                let Some(Ok(c)) = outcome() else { continue };
                if principal(&state, &c, client).await.is_ok() {
                    continue;
                }
                close(CLOSE_FORBIDDEN, "Forbidden: the credential is no longer valid")
            },
            _ = &mut init_deadline, if outcome().is_none() => close(CLOSE_INIT_TIMEOUT, "Connection initialisation timeout"),
        };
        let closing = matches!(frame, Message::Close(_));
        match tokio::time::timeout(SEND_TIMEOUT, sink.send(frame)).await {
            Ok(Ok(())) if !closing => {}
            _ => break,
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}
