#![allow(clippy::unwrap_used)]

//! Listings whose cost must follow the page, not the data: `datasets { totalCount }` from the tally kept
//! with the feed's counter (exact after creates, deletes, cascades, concurrent writers and a database
//! that had no tally yet), and `related` / `order.datasets` read as a bounded page filtered in the
//! database (an order of many hidden datasets still shows the visible ones after them).

use bson::doc;
use datatracker::domain::permissions::Permission;
use serde_json::json;

use crate::harness::{spawn_app, Actor, TestApp};

const TOTAL: &str = "{ datasets(first: 1000) { totalCount edges { node { id } } } }";

/// `totalCount` and the number of listed datasets, as `who` sees them (`None`: anonymous).
async fn total_and_listed(app: &TestApp, who: Option<&Actor>) -> (u64, u64) {
    let r = match who {
        Some(a) => app.gql_as(a, TOTAL, json!({})).await,
        None => app.gql(TOTAL, json!({})).await,
    };
    let d = &r.data()["datasets"];
    (d["totalCount"].as_u64().unwrap(), d["edges"].as_array().unwrap().len() as u64)
}

async fn create(app: &TestApp, who: &Actor, order: &str, access: &str, rules: serde_json::Value) -> String {
    let r = app
        .gql_as(
            who,
            "mutation($o: ID!, $a: AccessLevel!, $r: AccessRulesInput) {
                createDataset(orderId: $o, input: {title: \"t\", access: $a, accessRules: $r}) { id } }",
            json!({ "o": order, "a": access, "r": rules }),
        )
        .await;
    r.data()["createDataset"]["id"].as_str().unwrap().to_owned()
}

async fn stored(app: &TestApp) -> u64 {
    app.store.db().collection::<bson::Document>("datasets").count_documents(doc! {}).await.unwrap()
}

#[tokio::test]
async fn total_count_follows_creates_deletes_cascades_and_a_recount() {
    let app = spawn_app().await;
    let admin = app.actor("admin", &[Permission::DataManagement]).await;
    let editor = app.actor("editor", &[Permission::Orders]).await;
    let admitted = app.actor("admitted", &[]).await;
    let other = app.actor("other", &[]).await;
    let o1 = app.create_order(&editor, "one").await;
    let o2 = app.create_order(&editor, "two").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let (access, rules) = match i % 4 {
            0 | 1 => ("PUBLIC", json!(null)),
            2 => ("PROTECTED", json!({ "users": [admitted.id] })),
            _ => ("PRIVATE", json!(null)),
        };
        ids.push(create(&app, &editor, if i < 8 { &o1 } else { &o2 }, access, rules).await);
    }
    let check = |label: &'static str| {
        let app = &app;
        let (admin, editor, admitted, other) = (&admin, &editor, &admitted, &other);
        async move {
            let all = stored(app).await;
            for (who, name) in [
                (Some(admin), "admin"),
                (Some(editor), "editor"),
                (Some(admitted), "admitted"),
                (Some(other), "other"),
                (None, "anonymous"),
            ] {
                let (total, listed) = total_and_listed(app, who).await;
                assert_eq!(total, listed, "{label}: {name}'s totalCount is the number of datasets listed");
                assert!(total <= all);
            }
            assert_eq!(total_and_listed(app, Some(admin)).await.0, all, "{label}: DATA_MANAGEMENT sees them all");
        }
    };
    check("after creates").await;
    assert_eq!(total_and_listed(&app, None).await.0, 6);
    assert_eq!(total_and_listed(&app, Some(&admitted)).await.0, 9);
    assert_eq!(total_and_listed(&app, Some(&editor)).await.0, 12);
    // Deletes, and an order deleted with its datasets (the cascade).
    for id in &ids[..3] {
        app.gql_as(&editor, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": id })).await.data();
    }
    check("after deletes").await;
    app.gql_as(&editor, "mutation($id: ID!) { deleteOrder(id: $id) }", json!({ "id": o2 })).await.data();
    check("after the cascade").await;
    assert_eq!(stored(&app).await, 5);
    // A database from before the tally (or one whose tally is in doubt): the next start counts again.
    let counters = app.store.db().collection::<bson::Document>("counters");
    counters
        .update_one(
            doc! { "_id": "logs" },
            doc! { "$unset": { "tallyReady": "" }, "$set": { "tally.datasets": 999_i64 } },
        )
        .await
        .unwrap();
    check("without a tally (counted)").await;
    datatracker::store::sequence::count_tallies(&app.store).await.unwrap();
    check("after the recount").await;
    assert_eq!(total_and_listed(&app, Some(&admin)).await.0, 5);
}

#[tokio::test]
async fn concurrent_writers_keep_the_tally_exact() {
    let app = spawn_app().await;
    let editor = app.actor("editor", &[Permission::Orders, Permission::DataManagement]).await;
    let order = app.create_order(&editor, "busy").await;
    let mut seeded = Vec::new();
    for i in 0..10 {
        seeded.push(app.create_dataset(&editor, &order, &format!("s{i}")).await);
    }
    let creates = (0..16).map(|i| {
        let (app, editor, order) = (&app, &editor, &order);
        async move {
            app.create_dataset(editor, order, &format!("c{i}")).await;
        }
    });
    let deletes = seeded.iter().map(|id| {
        let (app, editor) = (&app, &editor);
        async move {
            app.gql_as(editor, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": id })).await.data();
        }
    });
    futures::future::join(futures::future::join_all(creates), futures::future::join_all(deletes)).await;
    assert_eq!(stored(&app).await, 16);
    assert_eq!(total_and_listed(&app, Some(&editor)).await, (16, 16));
}

#[tokio::test]
async fn related_and_order_datasets_show_visible_ones_after_many_hidden() {
    let app = spawn_app().await;
    let editor = app.actor("editor", &[Permission::Orders]).await;
    let order = app.create_order(&editor, "mostly private").await;
    let first_public = create(&app, &editor, &order, "PUBLIC", json!(null)).await;
    // More hidden datasets than a bounded page holds (101), then two more public ones.
    let private: Vec<_> = (0..105).map(|_| create(&app, &editor, &order, "PRIVATE", json!(null))).collect();
    futures::future::join_all(private).await;
    let later: Vec<String> = vec![
        create(&app, &editor, &order, "PUBLIC", json!(null)).await,
        create(&app, &editor, &order, "PUBLIC", json!(null)).await,
    ];
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect()
    };
    // Anonymous: the two later public datasets, though 105 private ones come before them.
    let r = app
        .gql("query($id: ID!) { dataset(id: $id) { related(first: 100) { id } } }", json!({ "id": first_public }))
        .await;
    assert_eq!(ids(&r.data()["dataset"]["related"]), later);
    // A reader of orders (not an editor): the order's public datasets only.
    let reader = app.actor("reader", &[Permission::OwnersRead]).await;
    let r = app
        .gql_as(&reader, "query($id: ID!) { order(id: $id) { datasets(first: 100) { id } } }", json!({ "id": order }))
        .await;
    let mut expected = vec![first_public.clone()];
    expected.extend(later.iter().cloned());
    assert_eq!(ids(&r.data()["order"]["datasets"]), expected);
    // Through a page of datasets (the prefetching path), as anonymous.
    let r = app.gql("{ datasets(first: 10) { edges { node { id related(first: 100) { id } } } } }", json!({})).await;
    let edges = r.data()["datasets"]["edges"].as_array().unwrap().clone();
    assert_eq!(edges.len(), 3);
    assert_eq!(ids(&edges[0]["node"]["related"]), later);
    // The editor sees them all, capped at the page: 100 related, the first 100 of the order.
    let r = app
        .gql_as(
            &editor,
            "query($id: ID!) { dataset(id: $id) { related(first: 100) { id } } }",
            json!({ "id": later[1] }),
        )
        .await;
    let related = ids(&r.data()["dataset"]["related"]);
    assert_eq!(related.len(), 100);
    assert_eq!(related[0], first_public);
    assert!(!related.contains(&later[1]));
}

#[tokio::test]
async fn orders_collections_and_users_totals_follow_creates_and_deletes() {
    let app = spawn_app().await;
    let admin =
        app.actor("admin", &[Permission::DataManagement, Permission::UserManagement, Permission::UserSearch]).await;
    let editor = app.actor("editor", &[Permission::Orders]).await;
    let stored = |name: &'static str| {
        let app = &app;
        async move { app.store.db().collection::<bson::Document>(name).count_documents(doc! {}).await.unwrap() }
    };
    let totals = |label: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            for (list, coll) in [("orders", "orders"), ("collections", "collections"), ("users", "users")] {
                let q = format!("{{ {list}(first: 1000) {{ totalCount edges {{ node {{ id }} }} }} }}");
                let r = app.gql_as(admin, &q, json!({})).await;
                let total = r.data()[list]["totalCount"].as_u64().unwrap();
                let listed = r.data()[list]["edges"].as_array().unwrap().len() as u64;
                assert_eq!(total, listed, "{label}: {list}");
                assert_eq!(total, stored(coll).await, "{label}: {list} against the database");
            }
        }
    };
    let orders: Vec<String> = vec![app.create_order(&editor, "a").await, app.create_order(&editor, "b").await];
    let d = app.create_dataset(&editor, &orders[0], "d").await;
    let c = app.create_collection(&editor, "c", &[&d]).await;
    app.create_collection(&editor, "c2", &[]).await;
    let gone = app.actor("gone", &[]).await;
    totals("after creates").await;
    app.gql_as(&editor, "mutation($id: ID!) { deleteOrder(id: $id) }", json!({ "id": orders[1] })).await.data();
    app.gql_as(&editor, "mutation($id: ID!) { deleteCollection(id: $id) }", json!({ "id": c })).await.data();
    app.gql_as(&admin, "mutation($id: ID!) { deleteUser(id: $id) }", json!({ "id": gone.id })).await.data();
    totals("after deletes").await;
    assert_eq!(stored("orders").await, 1);
    assert_eq!(stored("collections").await, 1);
    // The totals came from the tallies, and each tally is the number of documents.
    for name in ["datasets", "orders", "collections", "users"] {
        let tally = datatracker::store::sequence::tally(app.store.db(), name).await.unwrap();
        assert_eq!(tally, Some(stored(name).await), "tally of {name}");
    }
}
