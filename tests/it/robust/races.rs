//! Races between writes leave no orphans: the loser fails (`CONFLICT`; or, when it starts after the winner is
//! done, `NOT_FOUND` / `BAD_USER_INPUT` for the missing entry) and nothing refers to a deleted entry.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use bson::{doc, Document};
use datatracker::domain::permissions::Permission;
use futures::TryStreamExt;
use serde_json::json;

use crate::harness::{spawn_app, GqlResponse, TestApp};

const PAIRS: usize = 16;

fn assert_ok_or_lost(r: &GqlResponse, what: &str) {
    if r.body.get("errors").is_some() {
        let code = r.error_code();
        assert!(
            matches!(code, Some("CONFLICT" | "NOT_FOUND" | "BAD_USER_INPUT")),
            "{what}: unexpected answer {}",
            r.body
        );
    }
}

async fn ids(app: &TestApp, coll: &str) -> HashSet<bson::Uuid> {
    docs(app, coll).await.iter().filter_map(|d| d.get("_id").and_then(as_uuid)).collect()
}

async fn docs(app: &TestApp, coll: &str) -> Vec<Document> {
    app.store.db().collection::<Document>(coll).find(doc! {}).await.unwrap().try_collect().await.unwrap()
}

fn uuids(d: &Document, key: &str) -> Vec<bson::Uuid> {
    match d.get(key) {
        Some(bson::Bson::Array(a)) => a.iter().filter_map(as_uuid).collect(),
        Some(other) => as_uuid(other).into_iter().collect(),
        None => Vec::new(),
    }
}

fn as_uuid(b: &bson::Bson) -> Option<bson::Uuid> {
    match b {
        bson::Bson::Binary(bin) => bin.to_uuid().ok(),
        _ => None,
    }
}

/// Every reference in orders, datasets and collections points at an existing entry.
async fn assert_no_dangling_references(app: &TestApp) {
    let users = ids(app, "users").await;
    let orders = ids(app, "orders").await;
    let datasets = ids(app, "datasets").await;
    for o in docs(app, "orders").await {
        for key in ["editors", "generators", "authors", "organisation"] {
            for u in uuids(&o, key) {
                assert!(users.contains(&u), "order {:?} names deleted user {u} in {key}", o.get("_id"));
            }
        }
    }
    for d in docs(app, "datasets").await {
        for o in uuids(&d, "order") {
            assert!(orders.contains(&o), "dataset {:?} belongs to deleted order {o}", d.get("_id"));
        }
    }
    for c in docs(app, "collections").await {
        for u in uuids(&c, "editors") {
            assert!(users.contains(&u), "collection {:?} names deleted user {u}", c.get("_id"));
        }
        for ds in uuids(&c, "datasets") {
            assert!(datasets.contains(&ds), "collection {:?} holds deleted dataset {ds}", c.get("_id"));
        }
    }
}

#[tokio::test]
async fn creating_a_dataset_while_its_order_is_deleted_leaves_no_orphan() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let mut orders = Vec::new();
    for i in 0..PAIRS {
        orders.push(app.create_order(&o, &format!("o{i}")).await);
    }
    let create = "mutation($o: ID!) { createDataset(orderId: $o, input: {title: \"d\"}) { id } }";
    let delete = "mutation($o: ID!) { deleteOrder(id: $o) }";
    let pairs = orders.iter().map(|order| {
        let (app, o) = (&app, &o);
        async move {
            let (c, d) = tokio::join!(
                app.gql_as(o, create, json!({ "o": order })),
                app.gql_as(o, delete, json!({ "o": order }))
            );
            assert_ok_or_lost(&c, "createDataset");
            assert!(d.body.get("errors").is_none(), "deleteOrder: {}", d.body);
        }
    });
    futures::future::join_all(pairs).await;
    assert_no_dangling_references(&app).await;
    assert!(ids(&app, "datasets").await.is_empty(), "every dataset went with its order");
}

#[tokio::test]
async fn deleting_a_user_while_they_are_added_as_editor_leaves_no_dangling_editor() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let admin = app.actor("Admin", &[Permission::UserManagement]).await;
    let order = app.create_order(&o, "o").await;
    let coll = app.create_collection(&o, "c", &[]).await;
    let mut victims = Vec::new();
    for i in 0..PAIRS {
        victims.push(app.actor(&format!("v{i}"), &[]).await);
    }
    let add_order = "mutation($id: ID!, $e: [ID!]) { updateOrder(id: $id, input: {editors: $e}) { version } }";
    let add_coll = "mutation($id: ID!, $e: [ID!]) { updateCollection(id: $id, input: {editors: $e}) { version } }";
    let del = "mutation($u: ID!) { deleteUser(id: $u) }";
    // Sequential pairs on the same order (updates of one order would otherwise conflict with each other).
    for v in &victims {
        let editors = json!([o.id, v.id]);
        let (a, b, d) = tokio::join!(
            app.gql_as(&o, add_order, json!({ "id": order, "e": editors })),
            app.gql_as(&o, add_coll, json!({ "id": coll, "e": editors })),
            app.gql_as(&admin, del, json!({ "u": v.id })),
        );
        assert_ok_or_lost(&a, "updateOrder");
        assert_ok_or_lost(&b, "updateCollection");
        assert_ok_or_lost(&d, "deleteUser");
        assert_no_dangling_references(&app).await;
    }
}

#[tokio::test]
async fn adding_a_dataset_to_a_collection_while_it_is_deleted_leaves_no_dangling_dataset() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "o").await;
    let mut pairs = Vec::new();
    for i in 0..PAIRS {
        let ds = app.create_dataset(&o, &order, &format!("d{i}")).await;
        let coll = app.create_collection(&o, &format!("c{i}"), &[]).await;
        pairs.push((ds, coll));
    }
    let add = "mutation($id: ID!, $d: [ID!]) { updateCollection(id: $id, input: {datasets: $d}) { version } }";
    let del = "mutation($d: ID!) { deleteDataset(id: $d) }";
    let races = pairs.iter().map(|(ds, coll)| {
        let (app, o) = (&app, &o);
        async move {
            let (a, d) = tokio::join!(
                app.gql_as(o, add, json!({ "id": coll, "d": [ds] })),
                app.gql_as(o, del, json!({ "d": ds })),
            );
            assert_ok_or_lost(&a, "updateCollection");
            assert_ok_or_lost(&d, "deleteDataset");
        }
    });
    futures::future::join_all(races).await;
    assert_no_dangling_references(&app).await;
}
