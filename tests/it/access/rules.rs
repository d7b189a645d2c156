//! Setting access levels and rules: who may, what is logged, and bad input.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use crate::harness::spawn_app;

const UPDATE: &str = "mutation($id: ID!, $i: DatasetFields!) { updateDataset(id: $id, input: $i) { id access version accessRules { users { id } permissions affiliations scope { column value } } } }";

#[tokio::test]
async fn editors_set_the_access_level_and_the_change_is_logged() {
    let app = spawn_app().await;
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let listed = app.actor("Listed", &[]).await;
    let order = app.create_order(&editor, "O").await;
    let ds = app.create_dataset(&editor, &order, "D").await;
    let r = app
        .gql("query($id: ID!) { dataset(id: $id) { access accessRules { permissions } } }", json!({ "id": ds }))
        .await;
    assert_eq!(r.data()["dataset"]["access"], "PUBLIC");
    assert!(r.data()["dataset"]["accessRules"].is_null(), "rules are owner information");
    let before = app.log_count(&ds).await;
    let input = json!({ "access": "PROTECTED", "accessRules": {
        "users": [listed.id], "permissions": ["ORDERS", "ORDERS"], "affiliations": [" Uni A "],
        "scope": [{ "column": "school", "value": "Greenwood" }] } });
    let r = app.gql_as(&editor, UPDATE, json!({ "id": ds, "i": input })).await;
    let d = &r.data()["updateDataset"];
    assert_eq!(d["access"], "PROTECTED");
    assert_eq!(d["accessRules"]["users"][0]["id"], listed.id);
    assert_eq!(d["accessRules"]["permissions"], json!(["ORDERS"]));
    assert_eq!(d["accessRules"]["affiliations"], json!(["Uni A"]));
    assert_eq!(app.log_count(&ds).await, before + 1);
    let r = app.gql("query($id: ID!) { dataset(id: $id) { id } }", json!({ "id": ds })).await;
    assert!(r.data()["dataset"].is_null(), "anonymous no longer sees it");

    // Someone who can see the dataset but does not edit its order may not change its level.
    let r = app.gql_as(&listed, UPDATE, json!({ "id": ds, "i": { "access": "PUBLIC" } })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"), "{}", r.body);
}

#[tokio::test]
async fn bad_access_input_is_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let order = app.create_order(&editor, "O").await;
    let ds = app.create_dataset(&editor, &order, "D").await;
    let before = app.log_count(&ds).await;
    let r = app.gql_as(&editor, UPDATE, json!({ "id": ds, "i": { "access": "SECRET" } })).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("SECRET"), "{}", r.body);
    let unknown_user = uuid::Uuid::now_v7().to_string();
    let cases = [
        (json!({ "users": [unknown_user] }), "accessRules.users", "no such user"),
        (json!({ "users": ["not-an-id"] }), "accessRules.users", "not a valid id"),
        (json!({ "permissions": ["ROOT"] }), "accessRules.permissions", "not a permission"),
        (json!({ "affiliations": ["  "] }), "accessRules.affiliations", "must not be empty"),
        (json!({ "scope": [{ "column": "school", "value": "" }] }), "accessRules.scope.value", "must not be empty"),
    ];
    for (rules, field, message) in cases {
        let r = app
            .gql_as(&editor, UPDATE, json!({ "id": ds, "i": { "access": "PROTECTED", "accessRules": rules } }))
            .await;
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{rules}: {}", r.body);
        assert_eq!(r.error_field(), Some(field), "{rules}: {}", r.body);
        assert!(r.body["errors"][0]["message"].as_str().unwrap().contains(message), "{rules}: {}", r.body);
    }
    let r = app.gql("query($id: ID!) { dataset(id: $id) { access version } }", json!({ "id": ds })).await;
    assert_eq!(r.data()["dataset"]["access"], "PUBLIC");
    assert_eq!(r.data()["dataset"]["version"], 1);
    assert_eq!(app.log_count(&ds).await, before);
}
