#![allow(clippy::unwrap_used)]

use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::{json, Value};

use super::provider::{app_with_provider, browser, login, login_via};
use super::sessions::set_cookie_value;
use crate::harness::TestApp;

const ALICE_SUB: &str = "7d3f1c2a9b8e4f60a1b2c3d4e5f60718293a4b5c@elixir-europe.org";

async fn me(app: &TestApp, browser: &reqwest::Client) -> Value {
    let resp = browser
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": "{ me { id name email affiliation authIds } }" }))
        .send()
        .await
        .unwrap();
    resp.json::<Value>().await.unwrap()["data"]["me"].clone()
}

async fn error_text(resp: reqwest::Response) -> (u16, String) {
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn providers_are_listed_for_the_login_page() {
    let (app, _provider) = app_with_provider().await;
    let body: Value = app.get("/login/providers").await.json().await.unwrap();
    assert_eq!(
        body["providers"],
        json!([{ "name": "test", "displayName": "Test AAI", "loginUrl": "/login/oidc/test/login" }])
    );
}

#[tokio::test]
async fn the_first_login_creates_the_user_and_the_second_finds_it() {
    let (app, _provider) = app_with_provider().await;
    let b = browser();
    let resp = login(&app, &b, "alice", "/orders?page=2").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/orders?page=2");
    assert!(set_cookie_value(&resp, "dt_session").is_some_and(|t| !t.is_empty()));
    let first = me(&app, &b).await;
    assert_eq!(first["name"], "Alice Andersson");
    assert_eq!(first["email"], "alice@uni-example.org");
    assert_eq!(first["affiliation"], "uni-example.org");
    assert_eq!(first["authIds"], json!([format!("{ALICE_SUB}::test")]));
    let log = app
        .store
        .db()
        .collection::<bson::Document>("logs")
        .find_one(bson::doc! { "comment": "User created at first login" })
        .await
        .unwrap()
        .expect("a log entry");
    assert_eq!(log.get_str("user").ok(), Some("system"), "{log}");

    let again = browser();
    assert_eq!(login(&app, &again, "alice", "/").await.status(), 303);
    assert_eq!(me(&app, &again).await["id"], first["id"]);
    let users = app.store.db().collection::<bson::Document>("users").count_documents(bson::doc! {}).await.unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn an_operator_created_user_is_linked_by_a_verified_email() {
    let (app, _provider) = app_with_provider().await;
    let input =
        UserInput { name: Some("Dave".into()), email: Some("dave@uni-example.org".into()), ..Default::default() };
    let dave = app.state.tracker().create_user(&Principal::System, input).await.unwrap();
    let b = browser();
    assert_eq!(login(&app, &b, "dave", "/").await.status(), 303);
    let me = me(&app, &b).await;
    assert_eq!(me["id"], dave.id.to_string());
    assert_eq!(me["authIds"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unverified_email_never_links_an_existing_account() {
    let (app, _provider) = app_with_provider().await;
    let input = UserInput {
        name: Some("Carol".into()),
        email: Some("carol@institute-example.org".into()),
        ..Default::default()
    };
    let carol = app.state.tracker().create_user(&Principal::System, input).await.unwrap();
    let b = browser();
    assert_eq!(login(&app, &b, "carol", "/").await.status(), 303, "a separate account");
    assert_ne!(me(&app, &b).await["id"], carol.id.to_string());
    let stored = app.state.tracker().user_by_id(carol.id).await.unwrap().unwrap();
    assert!(stored.auth_ids.is_empty());
}

#[tokio::test]
async fn a_return_path_off_this_service_falls_back_to_the_root() {
    let (app, _provider) = app_with_provider().await;
    for evil in ["https://evil.example/", "//evil.example/x", "/\\evil.example"] {
        let resp = login(&app, &browser(), "alice", evil).await;
        assert_eq!(resp.status(), 303);
        assert_eq!(resp.headers()["location"], "/", "{evil}");
    }
}

#[tokio::test]
async fn a_tampered_state_is_refused() {
    let (app, _provider) = app_with_provider().await;
    let b = browser();
    let start = format!("{}/login/oidc/test/login", app.base);
    let resp = login_via(&b, &start, "alice", |u| {
        let mut url = url::Url::parse(&u).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let spoilt = if k == "state" { format!("{v}x") } else { v.into_owned() };
                (k.into_owned(), spoilt)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url.to_string()
    })
    .await;
    let (status, text) = error_text(resp).await;
    assert_eq!(status, 400);
    assert!(text.contains("state mismatch"), "{text}");
    assert_eq!(me(&app, &b).await, Value::Null);
}

#[tokio::test]
async fn a_callback_without_a_started_login_is_refused() {
    let (app, _provider) = app_with_provider().await;
    let resp = app.get("/login/oidc/test/authorize?code=abc&state=def").await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("start again"));
}

#[tokio::test]
async fn spoiled_id_tokens_are_refused() {
    let (app, provider) = app_with_provider().await;
    for mode in ["wrong-nonce", "expired", "foreign-aud", "wrong-issuer", "foreign-key"] {
        provider.set_id_token_mode(mode).await;
        let b = browser();
        let (status, text) = error_text(login(&app, &b, "alice", "/").await).await;
        assert_eq!(status, 400, "{mode}: {text}");
        assert!(text.contains("ID token is not valid"), "{mode}: {text}");
        assert_eq!(me(&app, &b).await, Value::Null, "{mode}");
    }
    let users = app.store.db().collection::<bson::Document>("users").count_documents(bson::doc! {}).await.unwrap();
    assert_eq!(users, 0);
    provider.set_id_token_mode("normal").await;
    assert_eq!(login(&app, &browser(), "alice", "/").await.status(), 303);
}

#[tokio::test]
async fn an_unknown_provider_is_not_found() {
    let (app, _provider) = app_with_provider().await;
    assert_eq!(app.get("/login/oidc/nope/login").await.status(), 404);
    assert_eq!(app.get("/login/oidc/nope/authorize?code=a&state=b").await.status(), 404);
}

#[tokio::test]
async fn a_person_logs_in_then_a_script_uses_their_api_key() {
    let (app, _provider) = app_with_provider().await;
    use reqwest::cookie::CookieStore;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let b = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(login(&app, &b, "alice", "/").await.status(), 303);
    let cookies = jar.cookies(&app.base.parse().unwrap()).unwrap();
    let csrf = cookies
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|c| c.strip_prefix("_csrf_token="))
        .expect("the CSRF cookie was set on first contact")
        .to_owned();
    let resp = b
        .post(format!("{}/graphql", app.base))
        .header("x-csrftoken", &csrf)
        .json(&json!({ "query": "mutation { generateApiKey { userId apiKey } }" }))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    let key = body["data"]["generateApiKey"]["apiKey"].as_str().unwrap().to_owned();
    let r = app
        .gql_with("{ me { name } }", json!({}), &[("x-api-user", &format!("{ALICE_SUB}::test")), ("x-api-key", &key)])
        .await;
    assert_eq!(r.data()["me"]["name"], "Alice Andersson");
}
