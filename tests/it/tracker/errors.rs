#![allow(clippy::unwrap_used)]

use serde_json::json;

use crate::harness::spawn_app;

#[tokio::test]
async fn internal_errors_reach_the_client_as_a_generic_message() {
    let app = spawn_app().await;
    // A document that breaks the model, written past the validator: reading it fails inside the service.
    let id = uuid::Uuid::now_v7();
    app.store
        .db()
        .collection::<bson::Document>("datasets")
        .insert_one(bson::doc! { "_id": bson::Uuid::from(id), "title": 42, "order": "x", "version": 1i64 })
        .bypass_document_validation(true)
        .await
        .unwrap();
    let r = app.gql("query($id: ID!) { dataset(id: $id) { title } }", json!({ "id": id.to_string() })).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.error_code(), Some("INTERNAL_SERVER_ERROR"));
    assert_eq!(r.body["errors"][0]["message"], "internal server error");
    let text = r.body.to_string();
    for leak in ["invalid type", "bson", "127.0.0.1", "Kind", app.db_name.as_str()] {
        assert!(!text.contains(leak), "leaked `{leak}`: {text}");
    }
}

#[tokio::test]
async fn bad_api_credentials_are_refused_alike() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let b = app.actor("B", &[]).await;
    let wrong_key = app.gql_with("{ me { id } }", json!({}), &[("x-api-user", &a.id), ("x-api-key", &b.key)]).await;
    let unknown = app
        .gql_with(
            "{ me { id } }",
            json!({}),
            &[("x-api-user", &uuid::Uuid::new_v4().to_string()), ("x-api-key", &a.key)],
        )
        .await;
    let by_auth =
        app.gql_with("{ me { id } }", json!({}), &[("x-api-user", "nobody::elixir"), ("x-api-key", &a.key)]).await;
    for r in [&wrong_key, &unknown, &by_auth] {
        assert_eq!(r.status, 401);
        assert_eq!(r.error_code(), Some("UNAUTHENTICATED"));
        assert_eq!(r.body, wrong_key.body);
    }
    let ok = app.gql_as(&a, "{ me { id } }", json!({})).await;
    assert_eq!(ok.data()["me"]["id"], a.id);
}

#[tokio::test]
async fn a_regenerated_key_replaces_the_old_one() {
    let app = spawn_app().await;
    let a = app.actor("A", &[]).await;
    let r = app.gql_as(&a, "mutation { generateApiKey { userId apiKey } }", json!({})).await;
    let new_key = r.data()["generateApiKey"]["apiKey"].as_str().unwrap().to_owned();
    assert_eq!(new_key.len(), 96);
    let old = app.gql_as(&a, "{ me { id } }", json!({})).await;
    assert_eq!(old.error_code(), Some("UNAUTHENTICATED"));
    let fresh = crate::harness::Actor { id: a.id.clone(), key: new_key };
    assert_eq!(app.gql_as(&fresh, "{ me { id } }", json!({})).await.data()["me"]["id"], a.id);
}
