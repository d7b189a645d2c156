#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::spawn_app;

const COMPUTED_FIELDS: &str = "id title description tagsStandard tagsUser crossReferences { kind value url } version createdAt updatedAt \
    order { id title } editors { id name } related { id title } collections { id title } generators { id name } authors { id name } organisation { id name }";
const ALL_FIELDS: &str = concat!("id title description tagsStandard tagsUser crossReferences { kind value url } version createdAt updatedAt \
    order { id title } editors { id name } related { id title } collections { id title } generators { id name } authors { id name } organisation { id name }", " log { totalCount }");

#[tokio::test]
async fn datasets_are_public_but_owner_information_and_logs_are_not() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let other = app.actor("Other", &[]).await;
    let order = app.create_order(&o, "x").await;
    let d1 = app.create_dataset(&o, &order, "d1").await;
    let d2 = app.create_dataset(&o, &order, "d2").await;
    let q = format!("query($id: ID!) {{ dataset(id: $id) {{ {ALL_FIELDS} }} }}");
    for r in [app.gql(&q, json!({ "id": d1 })).await, app.gql_as(&other, &q, json!({ "id": d1 })).await] {
        let ds = &r.data()["dataset"];
        assert_eq!(ds["title"], "d1");
        assert_eq!(ds["order"], Value::Null);
        assert_eq!(ds["editors"], Value::Null);
        assert_eq!(ds["log"], Value::Null);
        assert_eq!(ds["related"], json!([{ "id": d2, "title": "d2" }]));
        assert_eq!(ds["generators"], json!([{ "id": o.id, "name": "Olga" }]));
        assert_eq!(ds["organisation"]["name"], "Olga");
        assert_eq!(ds["organisation"]["id"], o.id);
    }
    let mine = app.gql_as(&o, &q, json!({ "id": d1 })).await;
    let ds = &mine.data()["dataset"];
    assert_eq!(ds["order"]["id"], order);
    assert_eq!(ds["editors"], json!([{ "id": o.id, "name": "Olga" }]));
    assert_eq!(ds["log"]["totalCount"], 1);
}

#[tokio::test]
async fn only_the_orders_editors_with_orders_permission_add_and_change_datasets() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let other = app.actor("Other", &[Permission::Orders]).await;
    let order = app.create_order(&o, "x").await;
    let r = app
        .gql_as(
            &other,
            "mutation($o: ID!) { createDataset(orderId: $o, input: {title: \"d\"}) { id } }",
            json!({ "o": order }),
        )
        .await;
    assert_eq!(r.error_code(), Some("NOT_FOUND"), "the order is invisible to a non-editor");
    let d = app.create_dataset(&o, &order, "d").await;
    let r = app
        .gql_as(&other, "mutation($d: ID!) { updateDataset(id: $d, input: {title: \"y\"}) { id } }", json!({ "d": d }))
        .await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app.gql_as(&other, "mutation($d: ID!) { deleteDataset(id: $d) }", json!({ "d": d })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app
        .gql_as(&o, "mutation($d: ID!) { updateDataset(id: $d, input: {crossReferences: [{kind: \"DOI\", value: \"10.1000/xyz\", url: \"https://doi.org/10.1000/xyz\"}]}) { title crossReferences { kind value url } } }", json!({ "d": d }))
        .await;
    assert_eq!(r.data()["updateDataset"]["title"], "d");
    assert_eq!(r.data()["updateDataset"]["crossReferences"][0]["kind"], "DOI");
    let r = app.gql_as(&o, "mutation($d: ID!) { updateDataset(id: $d, input: {crossReferences: [{value: \"x\", url: \"javascript:alert(1)\"}]}) { id } }", json!({ "d": d })).await;
    assert_eq!(r.error_field(), Some("crossReferences"));
}

#[tokio::test]
async fn creating_a_dataset_in_a_missing_order_is_not_found() {
    let app = spawn_app().await;
    let m = app.actor("Manager", &[Permission::DataManagement]).await;
    let r = app
        .gql_as(
            &m,
            "mutation($o: ID!) { createDataset(orderId: $o, input: {title: \"d\"}) { id } }",
            json!({ "o": uuid::Uuid::new_v4().to_string() }),
        )
        .await;
    assert_eq!(r.error_code(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn deleting_a_dataset_removes_it_from_collections_in_one_transaction() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "x").await;
    let d = app.create_dataset(&o, &order, "d").await;
    let c = app.create_collection(&o, "c", &[&d]).await;
    app.gql_as(&o, "mutation($d: ID!) { deleteDataset(id: $d) }", json!({ "d": d })).await.data();
    let r = app.gql("query($c: ID!) { collection(id: $c) { datasets { id } } }", json!({ "c": c })).await;
    assert_eq!(r.data()["collection"]["datasets"], json!([]));
    assert_eq!(app.log_count(&c).await, 2);
}

#[tokio::test]
async fn a_failing_step_rolls_back_the_whole_delete() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "x").await;
    let d = app.create_dataset(&o, &order, "d").await;
    // A collection whose stored document the validator would refuse on rewrite (written past it directly):
    // removing the dataset from it fails mid-transaction.
    let did = bson::Uuid::from(uuid::Uuid::parse_str(&d).unwrap());
    let me = bson::Uuid::from(uuid::Uuid::parse_str(&o.id).unwrap());
    let cid = bson::Uuid::from(uuid::Uuid::now_v7());
    let now = bson::DateTime::now();
    app.store
        .db()
        .collection::<bson::Document>("collections")
        .insert_one(bson::doc! { "_id": cid, "title": "", "datasets": [did], "editors": [me], "version": 1i64, "createdAt": now, "updatedAt": now })
        .bypass_document_validation(true)
        .await
        .unwrap();
    let before_logs = app.store.db().collection::<bson::Document>("logs").count_documents(bson::doc! {}).await.unwrap();
    let r = app.gql_as(&o, "mutation($d: ID!) { deleteDataset(id: $d) }", json!({ "d": d })).await;
    assert_eq!(r.error_code(), Some("INTERNAL_SERVER_ERROR"));
    let still = app.gql("query($d: ID!) { dataset(id: $d) { id } }", json!({ "d": d })).await;
    assert_eq!(still.data()["dataset"]["id"], d, "the dataset was not deleted");
    let after_logs = app.store.db().collection::<bson::Document>("logs").count_documents(bson::doc! {}).await.unwrap();
    assert_eq!(before_logs, after_logs, "no log entry of the failed change remains");
}

#[tokio::test]
async fn datasets_can_be_filtered_by_tag_and_searched_by_title_and_paged() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "x").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.create_dataset(&o, &order, &format!("Blood sample {i}")).await);
    }
    let other = app.create_dataset(&o, &order, "Tissue (a.*)").await;
    app.gql_as(
        &o,
        "mutation($d: ID!) { updateDataset(id: $d, input: {tagsUser: [\"special\"]}) { id } }",
        json!({ "d": ids[2] }),
    )
    .await
    .data();
    let r = app.gql("{ datasets(filter: {search: \"BLOOD\"}, first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }", json!({})).await;
    let conn = &r.data()["datasets"];
    assert_eq!(conn["totalCount"], 5);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    assert_eq!(conn["edges"][0]["node"]["id"], ids[0]);
    let after = conn["pageInfo"]["endCursor"].as_str().unwrap();
    let r = app.gql("query($a: String) { datasets(filter: {search: \"blood\"}, first: 10, after: $a) { pageInfo { hasNextPage } edges { node { id } } } }", json!({ "a": after })).await;
    let rest: Vec<&str> =
        r.data()["datasets"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap()).collect();
    assert_eq!(rest, ids[2..].iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.data()["datasets"]["pageInfo"]["hasNextPage"], false);
    let r = app.gql("{ datasets(filter: {tagsUser: [\"special\"]}) { edges { node { id } } } }", json!({})).await;
    assert_eq!(r.data()["datasets"]["edges"], json!([{ "node": { "id": ids[2] } }]));
    let r = app.gql("{ datasets(filter: {search: \"(a.*)\"}) { edges { node { id } } } }", json!({})).await;
    assert_eq!(
        r.data()["datasets"]["edges"],
        json!([{ "node": { "id": other } }]),
        "search text is literal, not a regex"
    );
    let r = app.gql("{ datasets(first: 1000) { edges { node { id } } } }", json!({})).await;
    assert_eq!(r.data()["datasets"]["edges"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn a_page_of_datasets_costs_a_bounded_number_of_database_commands() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let c = app.actor("Curator", &[]).await;
    let mut all = Vec::new();
    for i in 0..10 {
        let order = app.create_order(&o, &format!("order {i}")).await;
        for j in 0..10 {
            all.push(app.create_dataset(&o, &order, &format!("d{i}-{j}")).await);
        }
    }
    let refs: Vec<&str> = all.iter().step_by(3).map(String::as_str).collect();
    app.create_collection(&c, "c", &refs).await;
    let q =
        format!("query($n: Int) {{ datasets(first: $n) {{ totalCount edges {{ node {{ {COMPUTED_FIELDS} }} }} }} }}");
    let count = |n: i32| {
        let q = q.clone();
        let app = &app;
        let o = o.clone();
        async move {
            let before = app.command_count();
            let r = app.gql_as(&o, &q, json!({ "n": n })).await;
            assert_eq!(r.data()["datasets"]["edges"].as_array().unwrap().len(), n as usize);
            app.command_count() - before
        }
    };
    // The first 10 datasets are of one order, the 100 of ten: `related` reads one bounded page per order
    // (at most 101 datasets each, so that an order of 100,000 datasets costs no more), everything else is
    // one query per kind whatever the page size.
    let small = count(10).await;
    let large = count(100).await;
    assert!(large <= small + 2 + 9, "100 datasets cost {large} commands, 10 cost {small}: not bounded");
    assert!(large <= 30, "a page of 100 datasets cost {large} database commands");
}
