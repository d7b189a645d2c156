//! Statistics access is granted, never default: `STATS_READ` or a scope, else `FORBIDDEN`; a deployment
//! may open statistics to every logged-in user with `DATATRACKER_STATS_DEFAULT_ACCESS=all`.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use crate::harness::{spawn_app, spawn_app_with};

const QUERIES: [&str; 4] = [
    "{ statsColumns { name } }",
    "{ frequencyTable(input: {groupBy: [\"school\"]}) { csv } }",
    "{ meansTable(input: {groupBy: [\"school\"], valueColumns: [\"phq9_1\"]}) { csv } }",
    "{ waveChange(input: {fromWave: \"1\", toWave: \"2\", groupBy: [\"school\"], valueColumns: [\"phq9_1\"]}) { csv } }",
];

#[tokio::test]
async fn an_account_without_a_grant_gets_forbidden_for_every_statistics_field() {
    let app = spawn_app().await;
    let fresh = app.actor("Fresh", &[]).await;
    let strong = app.actor("Strong", &[Permission::DataManagement, Permission::UserManagement]).await;
    let reader = app.actor("Reader", &[Permission::StatsRead]).await;
    for q in QUERIES {
        assert_eq!(app.gql_as(&fresh, q, json!({})).await.error_code(), Some("FORBIDDEN"), "{q}");
        assert_eq!(app.gql_as(&strong, q, json!({})).await.error_code(), Some("FORBIDDEN"), "{q}");
        let r = app.gql_as(&reader, q, json!({})).await;
        assert!(r.body.get("errors").is_none(), "{q}: {}", r.body);
    }
}

#[tokio::test]
async fn a_scope_alone_grants_scoped_access() {
    let app = spawn_app().await;
    let um = app.actor("UM", &[Permission::UserManagement, Permission::StatsRead]).await;
    let scoped = app.actor("Scoped", &[]).await;
    app.gql_as(
        &um,
        "mutation($id: ID!) { updateUser(id: $id, input: {scope: [{column: \"school\", values: [\"x\"]}]}) { id } }",
        json!({ "id": scoped.id }),
    )
    .await
    .data();
    let r = app.gql_as(&scoped, QUERIES[0], json!({})).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
}

#[tokio::test]
async fn a_deployment_can_open_statistics_to_every_logged_in_user() {
    let app = spawn_app_with(&[("DATATRACKER_STATS_DEFAULT_ACCESS", "all")]).await;
    let fresh = app.actor("Fresh", &[]).await;
    for q in QUERIES {
        let r = app.gql_as(&fresh, q, json!({})).await;
        assert!(r.body.get("errors").is_none(), "{q}: {}", r.body);
    }
    assert_eq!(app.gql(QUERIES[0], json!({})).await.error_code(), Some("UNAUTHENTICATED"));
}
