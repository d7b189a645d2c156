//! Sessions follow keys: a new API key ends the sessions the old key started; a user (and `USER_MANAGEMENT`
//! for another user) ends all of a user's sessions; and every revocation reaches every instance within one
//! second.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app, Actor, TestApp};

async fn key_session(app: &TestApp, actor: &Actor) -> String {
    let resp = app
        .http
        .post(format!("{}/login/apikey", app.base))
        .json(&json!({ "authId": actor.id, "apiKey": actor.key }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn me_with_token(app: &TestApp, token: &str) -> u16 {
    app.gql_with("{ me { id } }", json!({}), &[("authorization", &format!("Bearer {token}"))]).await.status
}

async fn new_key(app: &TestApp, actor: &Actor) -> Actor {
    let r = app.gql_as(actor, "mutation { generateApiKey { apiKey } }", json!({})).await;
    Actor { id: actor.id.clone(), key: r.data()["generateApiKey"]["apiKey"].as_str().unwrap().to_owned() }
}

#[tokio::test]
async fn a_new_api_key_ends_the_sessions_the_old_key_started() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let old_session = key_session(&app, &a).await;
    assert_eq!(me_with_token(&app, &old_session).await, 200);
    let a2 = new_key(&app, &a).await;
    assert_eq!(me_with_token(&app, &old_session).await, 401, "a session of the old key");
    assert_eq!(app.gql_as(&a, "{ me { id } }", json!({})).await.status, 401, "the old key");
    let new_session = key_session(&app, &a2).await;
    assert_eq!(me_with_token(&app, &new_session).await, 200);
}

#[tokio::test]
async fn a_user_ends_all_their_sessions_and_keeps_their_key() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let (s1, s2) = (key_session(&app, &a).await, key_session(&app, &a).await);
    let r = app.gql_with("mutation { endAllSessions }", json!({}), &[("authorization", &format!("Bearer {s1}"))]).await;
    assert_eq!(r.data()["endAllSessions"], true);
    assert_eq!(me_with_token(&app, &s1).await, 401);
    assert_eq!(me_with_token(&app, &s2).await, 401);
    assert_eq!(app.gql_as(&a, "{ me { id } }", json!({})).await.status, 200, "the API key stays valid");
    assert_eq!(me_with_token(&app, &key_session(&app, &a).await).await, 200, "new sessions work");
}

#[tokio::test]
async fn user_management_ends_another_users_sessions_and_nobody_else_does() {
    let app = spawn_app().await;
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    let plain = app.actor("Plain", &[]).await;
    let b = app.actor("B", &[]).await;
    let session = key_session(&app, &b).await;
    let q = "mutation($id: ID!) { endAllSessions(userId: $id) }";
    let r = app.gql_as(&plain, q, json!({ "id": b.id })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    assert_eq!(me_with_token(&app, &session).await, 200);
    assert_eq!(app.gql_as(&um, q, json!({ "id": b.id })).await.data()["endAllSessions"], true);
    assert_eq!(me_with_token(&app, &session).await, 401);
}

#[tokio::test]
async fn a_revoked_session_or_key_stops_working_on_every_instance_within_one_second() {
    let first = spawn_app().await;
    let second = first.another_instance(&[]).await;
    let a = first.actor("A", &[]).await;
    let session = key_session(&first, &a).await;
    assert_eq!(me_with_token(&second, &session).await, 200, "the other instance knows the session");
    assert_eq!(second.gql_as(&a, "{ me { id } }", json!({})).await.status, 200, "and the key");
    let resp = first.http.post(format!("{}/logout", first.base)).bearer_auth(&session).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(me_with_token(&first, &session).await, 401, "at once where it was revoked");
    let a2 = new_key(&first, &a).await;
    assert_eq!(first.gql_as(&a, "{ me { id } }", json!({})).await.status, 401);
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(me_with_token(&second, &session).await, 401, "the logout reached the other instance");
    assert_eq!(second.gql_as(&a, "{ me { id } }", json!({})).await.status, 401, "so did the new key");
    assert_eq!(second.gql_as(&a2, "{ me { id } }", json!({})).await.status, 200);
}
