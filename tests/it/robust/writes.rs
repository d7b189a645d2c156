//! Writes that change nothing, and writes that collide inside MongoDB.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use crate::harness::spawn_app;

#[tokio::test]
async fn an_update_that_changes_nothing_keeps_the_version_and_writes_no_log_entry() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "order").await;
    let ds = app.create_dataset(&o, &order, "same").await;
    let coll = app.create_collection(&o, "coll", &[&ds]).await;
    let cases = [
        ("mutation($id: ID!) { updateOrder(id: $id, input: {title: \"order\"}) { version } }", &order, "updateOrder"),
        ("mutation($id: ID!) { updateDataset(id: $id, input: {title: \"same\"}) { version } }", &ds, "updateDataset"),
        (
            "mutation($id: ID!) { updateCollection(id: $id, input: {title: \"coll\"}) { version } }",
            &coll,
            "updateCollection",
        ),
    ];
    for (q, id, field) in cases {
        let logs_before = app.log_count(id).await;
        let r = app.gql_as(&o, q, json!({ "id": id })).await;
        assert_eq!(r.data()[field]["version"], 1, "{field}: the version stays");
        assert_eq!(app.log_count(id).await, logs_before, "{field}: no log entry");
    }
    let logs_before = app.log_count(&o.id).await;
    let r = app.gql_as(&o, "mutation { updateMe(input: {name: \"Olga\"}) { version } }", json!({})).await;
    let version = r.data()["updateMe"]["version"].as_i64().unwrap();
    let again = app.gql_as(&o, "mutation { updateMe(input: {name: \"Olga\"}) { version } }", json!({})).await;
    assert_eq!(again.data()["updateMe"]["version"].as_i64().unwrap(), version, "updateMe: the version stays");
    assert_eq!(app.log_count(&o.id).await, logs_before, "updateMe: no log entry");
    // A real change still moves both.
    let r = app
        .gql_as(
            &o,
            "mutation($id: ID!) { updateDataset(id: $id, input: {title: \"new\"}) { version } }",
            json!({ "id": ds }),
        )
        .await;
    assert_eq!(r.data()["updateDataset"]["version"], 2);
}

#[tokio::test]
async fn concurrent_creates_in_one_order_all_succeed() {
    // Every create locks its order, so concurrent creates collide inside MongoDB (a transient write
    // conflict); the service runs the loser again instead of answering CONFLICT.
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "busy").await;
    let q = "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t}) { id } }";
    let tasks = (0..24).map(|i| {
        let (app, o, order) = (&app, &o, &order);
        async move { app.gql_as(o, q, json!({ "o": order, "t": format!("d{i}") })).await }
    });
    let results = futures::future::join_all(tasks).await;
    for r in &results {
        assert!(r.body.get("errors").is_none(), "a concurrent create failed: {}", r.body);
    }
    let n = app.gql_as(&o, "query($o: ID!) { order(id: $o) { datasets { id } } }", json!({ "o": order })).await;
    assert_eq!(n.data()["order"]["datasets"].as_array().unwrap().len(), 24);
}

#[tokio::test]
async fn concurrent_edits_of_one_collection_conflict_only_on_a_stale_version() {
    // Without a version every edit applies (in some order); with the same stale version all but one lose.
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let coll = app.create_collection(&o, "c", &[]).await;
    let q = "mutation($id: ID!, $t: String!) { updateCollection(id: $id, input: {title: $t}) { version } }";
    let tasks = (0..12).map(|i| {
        let (app, o, coll) = (&app, &o, &coll);
        async move { app.gql_as(o, q, json!({ "id": coll, "t": format!("t{i}") })).await }
    });
    let results = futures::future::join_all(tasks).await;
    let ok = results.iter().filter(|r| r.body.get("errors").is_none()).count();
    let conflicts = results.iter().filter(|r| r.error_code() == Some("CONFLICT")).count();
    assert_eq!(
        ok + conflicts,
        12,
        "only successes and CONFLICTs: {:?}",
        results.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let q = "mutation($id: ID!, $t: String!) { updateCollection(id: $id, input: {title: $t, version: 1}) { version } }";
    let tasks = (0..6).map(|i| {
        let (app, o, coll) = (&app, &o, &coll);
        async move { app.gql_as(o, q, json!({ "id": coll, "t": format!("s{i}") })).await }
    });
    let stale = futures::future::join_all(tasks).await;
    assert!(stale.iter().all(|r| r.error_code() == Some("CONFLICT")), "a stale version is a CONFLICT");
}
