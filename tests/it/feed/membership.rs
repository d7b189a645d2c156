//! Collection membership changes are collection changes: adding or removing a dataset, deleting a dataset
//! that is in a collection and deleting its order (a cascade) each write a collection `EDIT` that the feed
//! shows to every reader of the collection, so a copy built from the feed keeps `datasetIds` exact.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app, Actor, TestApp};

/// The collection entries of the feed about `coll` as `who` sees them: (action, datasetIds).
async fn collection_entries(app: &TestApp, who: &Actor, coll: &str) -> Vec<(String, Value)> {
    let q = "{ changes(first: 100, types: [COLLECTION]) { nodes { action entityId collection { datasetIds } } } }";
    let r = app.gql_as(who, q, json!({})).await;
    r.data()["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["entityId"] == coll)
        .map(|n| (n["action"].as_str().unwrap().to_owned(), n["collection"]["datasetIds"].clone()))
        .collect()
}

#[tokio::test]
async fn adding_removing_deleting_a_member_and_deleting_its_order_each_write_a_collection_edit() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[]).await;
    let order = app.create_order(&owner, "o").await;
    let doomed_order = app.create_order(&owner, "doomed").await;
    let a = app.create_dataset(&owner, &order, "a").await;
    let b = app.create_dataset(&owner, &order, "b").await;
    let c = app.create_dataset(&owner, &doomed_order, "c").await;
    let coll = app.create_collection(&reader, "coll", &[&a]).await;
    assert_eq!(collection_entries(&app, &reader, &coll).await.len(), 1, "the collection's ADD");
    let set = "mutation($id: ID!, $d: [ID!]) { updateCollection(id: $id, input: {datasets: $d}) { id } }";
    let steps: [(&str, Value); 4] = [
        ("added", json!([a, b, c])),
        ("removed", json!([b, c])),
        ("dataset deleted", json!([c])),
        ("order deleted", json!([])),
    ];
    for (n, (step, after)) in steps.into_iter().enumerate() {
        match step {
            "added" | "removed" => app.gql_as(&reader, set, json!({ "id": coll, "d": after })).await.data(),
            "dataset deleted" => {
                app.gql_as(&owner, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": b })).await.data()
            }
            _ => app
                .gql_as(&owner, "mutation($id: ID!) { deleteOrder(id: $id) }", json!({ "id": doomed_order }))
                .await
                .data(),
        };
        let entries = collection_entries(&app, &reader, &coll).await;
        assert_eq!(entries.len(), n + 2, "{step}: one more collection entry: {entries:?}");
        let (action, ids) = entries.last().unwrap();
        assert_eq!(action, "EDIT", "{step}");
        // The feed renders the collection as it is now.
        assert_eq!(ids, &after, "{step}");
    }
}
