//! Nothing secret reaches the service's own logs: the service binary runs with verbose logging against a
//! provider whose token endpoint misbehaves (answers carrying tokens), while a script logs in with keys and
//! sessions; then its whole output is searched for every planted secret.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Json;
use datatracker::auth::apikey;
use datatracker::domain::users::UserInput;
use datatracker::domain::{Principal, Tracker};
use serde_json::{json, Value};

const ACCESS: &str = "PLANTED-ACCESS-TOKEN-4f1c9e";
const REFRESH: &str = "PLANTED-REFRESH-TOKEN-8a7b6c";
const ID_TOKEN: &str = "PLANTED-ID-TOKEN-1d2e3f";
const CLIENT_SECRET: &str = "PLANTED-CLIENT-SECRET-5a5a5a";
const CODE: &str = "PLANTED-AUTH-CODE-9c9c9c";
const WRONG_KEY: &str = "PLANTED-WRONG-KEY-7e7e7e";

/// The token endpoint's misbehaviours, one per login attempt.
const TOKEN_ANSWERS: usize = 3;

/// A provider whose discovery is fine and whose token endpoint answers, in turn: a malformed 200 carrying
/// tokens, a 500 carrying tokens, an OAuth error whose description carries a token.
async fn fake_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let meta = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let turn = Arc::new(AtomicUsize::new(0));
    let router = axum::Router::new()
        .route("/.well-known/openid-configuration", get(move || async move { Json(meta.clone()) }))
        .route("/jwks", get(|| async { Json(json!({ "keys": [] })) }))
        .route(
            "/token",
            post(move || {
                let n = turn.fetch_add(1, Ordering::SeqCst);
                async move {
                    let tokens = json!({ "access_token": ACCESS, "refresh_token": REFRESH, "id_token": ID_TOKEN });
                    match n % TOKEN_ANSWERS {
                        0 => {
                            let mut body = tokens;
                            body["token_type"] = json!("Bearer");
                            body["expires_in"] = json!(format!("soon, {ACCESS}"));
                            (http::StatusCode::OK, Json(body))
                        }
                        1 => (http::StatusCode::INTERNAL_SERVER_ERROR, Json(tokens)),
                        _ => (
                            http::StatusCode::BAD_REQUEST,
                            Json(json!({ "error": "invalid_grant", "error_description": format!("bad {REFRESH}") })),
                        ),
                    }
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    issuer
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `text` with `secret` in any of the forms a log could carry it: as is, or as a list of byte values.
fn leaks(text: &str, secret: &str) -> bool {
    let bytes: Vec<String> = secret.bytes().map(|b| b.to_string()).collect();
    text.contains(secret) || text.contains(&bytes.join(", ")) || text.contains(&bytes.join(","))
}

#[tokio::test]
async fn no_secret_reaches_the_service_log_on_any_path() {
    let issuer = fake_provider().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let db = crate::harness::fresh_db_name();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatracker"));
    for (key, _) in std::env::vars() {
        if key.starts_with("DATATRACKER_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .arg("serve")
        .env("DATATRACKER_MONGODB_URI", crate::harness::mongodb_uri())
        .env("DATATRACKER_DATABASE", &db)
        .env("DATATRACKER_SECRET_KEY", crate::harness::TEST_SECRET)
        .env("DATATRACKER_STATS_SECRET", crate::harness::TEST_STATS_SECRET)
        .env("DATATRACKER_BIND", format!("127.0.0.1:{port}"))
        .env("DATATRACKER_BASE_URL", format!("{base}/"))
        .env("DATATRACKER_LOG_FORMAT", "json")
        .env("DATATRACKER_OIDC_PROVIDERS", "fake")
        .env("DATATRACKER_OIDC_FAKE_ISSUER", &issuer)
        .env("DATATRACKER_OIDC_FAKE_CLIENT_ID", "datatracker")
        .env("DATATRACKER_OIDC_FAKE_CLIENT_SECRET", CLIENT_SECRET)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut out = child.stdout.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut text);
        let _ = std::io::Read::read_to_string(&mut out, &mut text);
        text
    });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(format!("{base}/ready")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(Instant::now() < deadline, "the service never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A user with a key, made as the operator would.
    let tracker = Tracker::new(datatracker::store::Store::connect(&crate::harness::mongodb_uri(), &db).await.unwrap());
    let input = UserInput { name: Some("U".into()), email: Some("u@example.org".into()), ..Default::default() };
    let user = tracker.create_user(&Principal::System, input).await.unwrap();
    let key = apikey::generate_key();
    let (_, key) = tracker
        .generate_api_key(&Principal::System, Some(&user.id.to_string()), key.clone(), apikey::hash_key(&key))
        .await
        .unwrap();
    let id = user.id.to_string();
    let gql = |headers: Vec<(&'static str, String)>, query: &'static str| {
        let mut req = http.post(format!("{base}/graphql")).json(&json!({ "query": query }));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };

    // Keys and sessions, right and wrong.
    let login: Value = http
        .post(format!("{base}/login/apikey"))
        .json(&json!({ "authId": id, "apiKey": key }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = login["token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {session}");
    assert_eq!(gql(vec![("authorization", bearer.clone())], "{ me { id } }").await.unwrap().status(), 200);
    gql(vec![("x-api-user", id.clone()), ("x-api-key", WRONG_KEY.into())], "{ me { id } }").await.unwrap();
    gql(vec![("authorization", format!("Bearer {WRONG_KEY}"))], "{ me { id } }").await.unwrap();
    let regenerated: Value =
        gql(vec![("x-api-user", id.clone()), ("x-api-key", key.clone())], "mutation { generateApiKey { apiKey } }")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let new_key = regenerated["data"]["generateApiKey"]["apiKey"].as_str().unwrap().to_owned();
    http.post(format!("{base}/logout")).header("authorization", &bearer).send().await.unwrap();

    // OIDC logins whose code exchange fails in each way.
    for _ in 0..TOKEN_ANSWERS {
        let browser =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let start = browser.get(format!("{base}/login/oidc/fake/login")).send().await.unwrap();
        assert_eq!(start.status(), 303);
        let to = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
        let state = to.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
        let back = browser
            .get(format!("{base}/login/oidc/fake/authorize"))
            .query(&[("code", CODE), ("state", state.as_str())])
            .send()
            .await
            .unwrap();
        assert!(back.status().is_client_error() || back.status().is_server_error(), "{}", back.status());
    }

    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    child.wait().unwrap();
    let logs = logs.join().unwrap();
    assert!(logs.contains("OIDC login refused"), "the failing paths ran: {logs}");
    assert!(logs.contains("code exchange failed"), "{logs}");
    for (what, secret) in [
        ("API key", key.as_str()),
        ("new API key", new_key.as_str()),
        ("wrong API key", WRONG_KEY),
        ("session token", session.as_str()),
        ("access token", ACCESS),
        ("refresh token", REFRESH),
        ("ID token", ID_TOKEN),
        ("client secret", CLIENT_SECRET),
        ("authorization code", CODE),
        ("secret key", crate::harness::TEST_SECRET),
    ] {
        assert!(!leaks(&logs, secret), "the {what} reached the log:\n{logs}");
    }
}
