#![allow(clippy::unwrap_used)]

use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::json;

use crate::harness::spawn_app;

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
