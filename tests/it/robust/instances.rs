//! Two instances of the service against one database behave as one.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app, TestApp};

async fn bearer_login(app: &TestApp, id: &str, key: &str) -> String {
    let resp = app
        .http
        .post(format!("{}/login/apikey", app.base))
        .json(&json!({ "authId": id, "apiKey": key }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn me_with(app: &TestApp, token: &str) -> (u16, Value) {
    let r = app.gql_with("{ me { id } }", json!({}), &[("authorization", &format!("Bearer {token}"))]).await;
    (r.status, r.body)
}

#[tokio::test]
async fn a_session_started_on_one_instance_works_and_ends_on_both() {
    let a = spawn_app().await;
    let b = a.second_instance(&[]).await;
    let u = a.actor("Una", &[]).await;
    let token = bearer_login(&a, &u.id, &u.key).await;
    let (status, body) = me_with(&b, &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["me"]["id"], u.id, "the other instance accepts the session");
    let resp = a.http.post(format!("{}/logout", a.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, body) = me_with(&b, &token).await;
    assert!(body["data"]["me"].is_null() || body.get("errors").is_some(), "revoked on A, refused on B: {body}");
}

#[tokio::test]
async fn a_regenerated_key_stops_working_on_the_other_instance() {
    let a = spawn_app().await;
    let b = a.second_instance(&[]).await;
    let u = a.actor("Una", &[]).await;
    assert_eq!(b.gql_as(&u, "{ me { id } }", json!({})).await.data()["me"]["id"], u.id);
    let r = a.gql_as(&u, "mutation { generateApiKey { apiKey } }", json!({})).await;
    let new_key = r.data()["generateApiKey"]["apiKey"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let old = b.gql_as(&u, "{ me { id } }", json!({})).await;
    assert_eq!(old.error_code(), Some("UNAUTHENTICATED"), "the old key is refused on B: {}", old.body);
    let new = crate::harness::Actor { id: u.id.clone(), key: new_key };
    assert_eq!(b.gql_as(&new, "{ me { id } }", json!({})).await.data()["me"]["id"], u.id);
}

#[tokio::test]
async fn concurrent_writes_through_both_instances_all_land() {
    let a = spawn_app().await;
    let b = a.second_instance(&[]).await;
    let o = a.actor("Olga", &[Permission::Orders]).await;
    let order = a.create_order(&o, "shared").await;
    let q = "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t}) { id } }";
    let tasks = (0..20).map(|i| {
        let (app, o, order) = (if i % 2 == 0 { &a } else { &b }, &o, &order);
        async move { app.gql_as(o, q, json!({ "o": order, "t": format!("d{i}") })).await }
    });
    for r in futures::future::join_all(tasks).await {
        assert!(r.body.get("errors").is_none(), "{}", r.body);
    }
    for app in [&a, &b] {
        let r = app.gql_as(&o, "query($o: ID!) { order(id: $o) { datasets { id } } }", json!({ "o": order })).await;
        assert_eq!(r.data()["order"]["datasets"].as_array().unwrap().len(), 20);
    }
    // Duplicates stay conflicts across instances: the unique email index holds for both.
    let admin = a.actor("Admin", &[Permission::UserManagement]).await;
    let create = "mutation { createUser(input: {name: \"Dup\", email: \"dup@example.org\"}) { id } }";
    let (r1, r2) = tokio::join!(a.gql_as(&admin, create, json!({})), b.gql_as(&admin, create, json!({})));
    let codes: Vec<Option<&str>> = vec![r1.error_code(), r2.error_code()];
    assert!(codes.contains(&None) && codes.contains(&Some("CONFLICT")), "one wins, one CONFLICT: {codes:?}");
}
