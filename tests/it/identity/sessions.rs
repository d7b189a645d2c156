#![allow(clippy::unwrap_used)]

use datatracker::domain::Principal;
use serde_json::{json, Value};

use crate::harness::{spawn_app, Actor, TestApp};

/// The value a response sets for cookie `name`.
pub fn set_cookie_value(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

async fn key_login(app: &TestApp, client: &reqwest::Client, actor: &Actor) -> reqwest::Response {
    client
        .post(format!("{}/login/apikey", app.base))
        .json(&json!({ "authId": actor.id, "apiKey": actor.key }))
        .send()
        .await
        .unwrap()
}

async fn bearer_login(app: &TestApp, actor: &Actor) -> String {
    let resp = key_login(app, &app.http, actor).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

async fn gql_bearer(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let r = app.gql_with(query, json!({}), &[("authorization", &format!("Bearer {token}"))]).await;
    (r.status, r.body)
}

fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn gql_in(app: &TestApp, client: &reqwest::Client, query: &str, csrf: Option<&str>) -> (u16, Value) {
    let mut req = client.post(format!("{}/graphql", app.base)).json(&json!({ "query": query }));
    if let Some(token) = csrf {
        req = req.header("x-csrftoken", token);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn first_contact_sets_a_csrf_cookie_readable_by_scripts() {
    let app = spawn_app().await;
    let resp = app.get("/health").await;
    let header = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("_csrf_token="))
        .expect("a CSRF cookie");
    assert!(!header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Lax"), "{header}");
    assert_eq!(set_cookie_value(&resp, "_csrf_token").unwrap().len(), 64);
}

#[tokio::test]
async fn an_api_key_login_gives_a_bearer_token_that_needs_no_csrf() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let token = bearer_login(&app, &a).await;
    let (_, body) = gql_bearer(&app, &token, "{ me { id } }").await;
    assert_eq!(body["data"]["me"]["id"], a.id);
    let (_, body) = gql_bearer(&app, &token, "mutation { generateApiKey { userId } }").await;
    assert_eq!(body["data"]["generateApiKey"]["userId"], a.id, "{body}");
}

#[tokio::test]
async fn a_cookie_session_needs_the_csrf_header_for_mutations_only() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let client = cookie_client();
    let first = client.get(format!("{}/health", app.base)).send().await.unwrap();
    let csrf = set_cookie_value(&first, "_csrf_token").unwrap();
    let login = key_login(&app, &client, &a).await;
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("dt_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http base URL: {cookie}");

    let (_, body) = gql_in(&app, &client, "{ me { id } }", None).await;
    assert_eq!(body["data"]["me"]["id"], a.id, "queries need no CSRF header");
    let mutation = "mutation { generateApiKey { userId } }";
    let (status, body) = gql_in(&app, &client, mutation, None).await;
    assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (403, Some("FORBIDDEN")));
    let (status, _) = gql_in(&app, &client, mutation, Some("wrong")).await;
    assert_eq!(status, 403);
    let (_, body) = gql_in(&app, &client, mutation, Some(&csrf)).await;
    assert_eq!(body["data"]["generateApiKey"]["userId"], a.id, "{body}");
}

#[tokio::test]
async fn logout_revokes_a_bearer_session() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let token = bearer_login(&app, &a).await;
    let resp = app.http.post(format!("{}/logout", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(set_cookie_value(&resp, "dt_session").as_deref(), Some(""));
    assert_eq!(resp.json::<Value>().await.unwrap()["revoked"], true);
    let (status, body) = gql_bearer(&app, &token, "{ me { id } }").await;
    assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));
}

#[tokio::test]
async fn the_logout_mutation_revokes_a_cookie_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let client = cookie_client();
    let csrf =
        set_cookie_value(&client.get(format!("{}/health", app.base)).send().await.unwrap(), "_csrf_token").unwrap();
    let login = key_login(&app, &client, &a).await;
    let token = set_cookie_value(&login, "dt_session").unwrap();
    let (status, _) = gql_in(&app, &client, "mutation { logout }", None).await;
    assert_eq!(status, 403, "logout by cookie needs the CSRF header too");
    let resp = client
        .post(format!("{}/graphql", app.base))
        .header("x-csrftoken", &csrf)
        .json(&json!({ "query": "mutation { logout }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set_cookie_value(&resp, "dt_session").as_deref(), Some(""));
    assert_eq!(resp.json::<Value>().await.unwrap()["data"]["logout"], true);
    let (status, _) = gql_bearer(&app, &token, "{ me { id } }").await;
    assert_eq!(status, 401, "a copied cookie stops working too");
    let (_, body) = gql_in(&app, &client, "{ me { id } }", None).await;
    assert_eq!(body["data"]["me"], Value::Null, "the browser is anonymous again");
}

#[tokio::test]
async fn an_expired_or_foreign_session_token_is_refused() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let now = chrono::Utc::now().timestamp();
    let (expired, _) = app.state.auth().keys.issue_session_at(&a.id, now - 100, now - 1).unwrap();
    let (status, _) = gql_bearer(&app, &expired, "{ me { id } }").await;
    assert_eq!(status, 401);
    let other = datatracker::auth::session::TokenKeys::new(
        &datatracker::config::Secret::new("another-secret-key-0123456789abcdef0123"),
        std::time::Duration::from_secs(3600),
    );
    let (foreign, _) = other.issue_session(&a.id).unwrap();
    assert_eq!(gql_bearer(&app, &foreign, "{ me { id } }").await.0, 401);
    let (valid, _) = app.state.auth().keys.issue_session_at(&a.id, now, now + 60).unwrap();
    assert_eq!(gql_bearer(&app, &valid, "{ me { id } }").await.1["data"]["me"]["id"], a.id);
}

#[tokio::test]
async fn permission_changes_and_deletion_take_effect_on_the_next_request() {
    use datatracker::domain::permissions::Permission;
    use datatracker::domain::users::UserInput;
    let app = spawn_app().await;
    app.actor("Spare admin", &[Permission::UserManagement]).await;
    let a = app.actor("A", &[Permission::UserManagement]).await;
    let token = bearer_login(&app, &a).await;
    let (_, body) = gql_bearer(&app, &token, "{ users { totalCount } }").await;
    assert!(body["errors"].is_null(), "{body}");
    let input = UserInput { permissions: Some(vec![]), ..Default::default() };
    app.state.tracker().update_user(&Principal::System, &a.id, input).await.unwrap();
    let (_, body) = gql_bearer(&app, &token, "{ users { totalCount } }").await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    app.state.tracker().delete_user(&Principal::System, &a.id).await.unwrap();
    assert_eq!(gql_bearer(&app, &token, "{ me { id } }").await.0, 401);
}
