#![allow(clippy::unwrap_used)]

use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::json;

use crate::harness::{spawn_app, spawn_app_with};

#[tokio::test]
async fn header_auth_works_for_mutations_without_csrf_and_by_auth_id() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let input = UserInput { auth_ids: Some(vec!["a-login::elixir".into()]), ..Default::default() };
    app.state.tracker().update_user(&Principal::System, &a.id, input).await.unwrap();
    let r = app
        .gql_with(
            "mutation { generateApiKey { userId apiKey } }",
            json!({}),
            &[("x-api-user", "a-login::elixir"), ("x-api-key", &a.key)],
        )
        .await;
    assert_eq!(r.data()["generateApiKey"]["userId"], a.id);
}

#[tokio::test]
async fn the_key_hash_is_never_readable() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let r = app
        .gql_as(
            &a,
            "query($id: ID!) { me { hasApiKey log { edges { node { data } } } } user(id: $id) { hasApiKey } }",
            json!({ "id": a.id }),
        )
        .await;
    let text = r.data().to_string();
    assert_eq!(r.data()["me"]["hasApiKey"], true);
    for leak in ["apiKey", "salt", "hash", a.key.as_str()] {
        assert!(!text.contains(leak), "`{leak}` readable: {text}");
    }
    let stored = app.store.db().collection::<bson::Document>("logs").find_one(bson::doc! {}).await.unwrap();
    assert!(!stored.unwrap().to_string().contains("salt"), "log entries keep no key material");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_user_and_per_address() {
    let app = spawn_app_with(&[("DATATRACKER_AUTH_MAX_FAILURES", "3")]).await;
    let a = app.actor("A", &[]).await;
    let b = app.actor("B", &[]).await;
    for _ in 0..3 {
        let r = app.gql_with("{ me { id } }", json!({}), &[("x-api-user", &a.id), ("x-api-key", "wrong")]).await;
        assert_eq!(r.status, 401);
    }
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("x-api-user", &a.id)
        .header("x-api-key", &a.key)
        .json(&json!({ "query": "{ me { id } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429, "blocked even with the right key");
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let other_user = app.gql_as(&b, "{ me { id } }", json!({})).await;
    assert_eq!(other_user.status, 429, "the client address is blocked too");
    let login = app
        .http
        .post(format!("{}/login/apikey", app.base))
        .json(&json!({ "authId": a.id, "apiKey": a.key }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 429, "key logins share the limit");
}

#[tokio::test]
async fn a_key_login_with_a_wrong_key_fails_like_an_unknown_user() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let mut bodies = Vec::new();
    for (user, key) in [(a.id.as_str(), "wrong"), ("nobody::elixir", a.key.as_str())] {
        let resp = app
            .http
            .post(format!("{}/login/apikey", app.base))
            .json(&json!({ "authId": user, "apiKey": key }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        bodies.push(resp.text().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1]);
}
