//! The role × access level × read path matrix: every path a dataset can be reached through shows exactly
//! the datasets the viewer may read, `totalCount` included.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use datatracker::domain::model::ScopeFilter;
use datatracker::domain::permissions::Permission;
use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::{json, Value};

use crate::harness::{spawn_app, Actor, TestApp};

/// The six datasets of the fixture, by what admits a viewer.
const KINDS: [&str; 6] = ["public", "by_user", "by_permission", "by_affiliation", "by_scope", "private"];

struct Fixture {
    app: TestApp,
    order: String,
    collection: String,
    /// Dataset id per kind (in `KINDS` order).
    ids: Vec<String>,
    editor: Actor,
}

async fn set_user(app: &TestApp, actor: &Actor, input: UserInput) {
    app.state.tracker().update_user(&Principal::System, &actor.id, input).await.unwrap();
}

async fn fixture(app: TestApp, listed: &Actor) -> Fixture {
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let order = app.create_order(&editor, "Access order").await;
    let mut ids = Vec::new();
    for kind in KINDS {
        let (access, rules) = match kind {
            "public" => ("PUBLIC", json!(null)),
            "by_user" => ("PROTECTED", json!({ "users": [listed.id] })),
            "by_permission" => ("PROTECTED", json!({ "permissions": ["USER_MANAGEMENT"] })),
            "by_affiliation" => ("PROTECTED", json!({ "affiliations": ["Uni A"] })),
            "by_scope" => ("PROTECTED", json!({ "scope": [{ "column": "school", "value": "Greenwood" }] })),
            _ => ("PRIVATE", json!(null)),
        };
        let r = app
            .gql_as(
                &editor,
                "mutation($o: ID!, $t: String!, $a: AccessLevel!, $r: AccessRulesInput) {
                   createDataset(orderId: $o, input: {title: $t, tagsUser: [\"matrix\"], access: $a, accessRules: $r}) { id access }
                 }",
                json!({ "o": order, "t": format!("Matrix {kind}"), "a": access, "r": rules }),
            )
            .await;
        assert_eq!(r.data()["createDataset"]["access"], access);
        ids.push(r.data()["createDataset"]["id"].as_str().unwrap().to_owned());
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let collection = app.create_collection(&editor, "Access collection", &refs).await;
    Fixture { app, order, collection, ids, editor }
}

impl Fixture {
    async fn gql(&self, who: Option<&Actor>, q: &str, vars: Value) -> Value {
        let r = match who {
            Some(a) => self.app.gql_as(a, q, vars).await,
            None => self.app.gql(q, vars).await,
        };
        r.data().clone()
    }

    fn kinds_of(&self, ids: impl IntoIterator<Item = String>) -> BTreeSet<&'static str> {
        ids.into_iter()
            .map(|id| KINDS[self.ids.iter().position(|d| *d == id).unwrap_or_else(|| panic!("unknown id {id}"))])
            .collect()
    }

    /// Asserts every read path shows exactly `expected` to `who`.
    async fn check(&self, role: &str, who: Option<&Actor>, expected: &[&'static str], sees_order: bool) {
        let expected: BTreeSet<&'static str> = expected.iter().copied().collect();
        let node_ids = |v: &Value| -> Vec<String> {
            v["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
        };
        let list_ids = |v: &Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect()
        };

        // dataset(id), plain read and the one-aggregation read (computed fields selected).
        for (i, kind) in KINDS.iter().enumerate() {
            let plain =
                self.gql(who, "query($id: ID!) { dataset(id: $id) { id } }", json!({ "id": self.ids[i] })).await;
            let bundle = self
                .gql(
                    who,
                    "query($id: ID!) { dataset(id: $id) { id related { id } collections { id } } }",
                    json!({ "id": self.ids[i] }),
                )
                .await;
            let visible = expected.contains(kind);
            assert_eq!(!plain["dataset"].is_null(), visible, "{role}: dataset({kind})");
            assert_eq!(!bundle["dataset"].is_null(), visible, "{role}: dataset({kind}) with computed fields");
        }

        // datasets: items and totalCount, unfiltered, by title search and by tag; and a page of one.
        for filter in [json!(null), json!({ "search": "matrix" }), json!({ "tagsUser": ["matrix"] })] {
            let d = self
                .gql(who, "query($f: ListingFilterInput) { datasets(filter: $f, first: 100) { totalCount edges { node { id } } } }", json!({ "f": filter }))
                .await;
            assert_eq!(self.kinds_of(node_ids(&d["datasets"])), expected, "{role}: datasets({filter})");
            assert_eq!(d["datasets"]["totalCount"], expected.len(), "{role}: datasets({filter}).totalCount");
        }
        let d = self.gql(who, "{ datasets(first: 1) { totalCount pageInfo { hasNextPage } } }", json!({})).await;
        assert_eq!(d["datasets"]["totalCount"], expected.len(), "{role}: first page totalCount");
        assert_eq!(d["datasets"]["pageInfo"]["hasNextPage"], expected.len() > 1, "{role}: hasNextPage");

        // related (from the public dataset, which everyone sees).
        let d = self
            .gql(who, "query($id: ID!) { dataset(id: $id) { related { id } } }", json!({ "id": self.ids[0] }))
            .await;
        let mut without_self = expected.clone();
        without_self.remove("public");
        assert_eq!(self.kinds_of(list_ids(&d["dataset"]["related"])), without_self, "{role}: related");
        // related through a page of datasets (the prefetching path).
        let d = self.gql(who, "{ datasets(first: 100) { edges { node { id related { id } } } } }", json!({})).await;
        for e in d["datasets"]["edges"].as_array().unwrap() {
            let shown = self.kinds_of(list_ids(&e["node"]["related"]));
            assert!(shown.is_subset(&expected), "{role}: related in a page shows {shown:?}");
        }

        // collection.datasets, by id and in a page of collections.
        let d = self
            .gql(who, "query($id: ID!) { collection(id: $id) { datasets { id } } }", json!({ "id": self.collection }))
            .await;
        assert_eq!(self.kinds_of(list_ids(&d["collection"]["datasets"])), expected, "{role}: collection.datasets");
        let d = self.gql(who, "{ collections(first: 100) { edges { node { datasets { id } } } } }", json!({})).await;
        let c = &d["collections"]["edges"][0]["node"]["datasets"];
        assert_eq!(self.kinds_of(list_ids(c)), expected, "{role}: collections[].datasets");

        // order.datasets (for those who see the order at all).
        let d =
            self.gql(who, "query($id: ID!) { order(id: $id) { datasets { id } } }", json!({ "id": self.order })).await;
        if sees_order {
            assert_eq!(self.kinds_of(list_ids(&d["order"]["datasets"])), expected, "{role}: order.datasets");
            let d = self.gql(who, "{ orders(first: 100) { edges { node { datasets { id } } } } }", json!({})).await;
            let o = &d["orders"]["edges"][0]["node"]["datasets"];
            assert_eq!(self.kinds_of(list_ids(o)), expected, "{role}: orders[].datasets");
        } else {
            assert!(d["order"].is_null(), "{role}: order");
        }
    }
}

#[tokio::test]
async fn every_read_path_shows_exactly_the_datasets_each_role_may_read() {
    let app = spawn_app().await;
    let listed = app.actor("Listed user", &[]).await;
    let f = fixture(app, &listed).await;
    let app = &f.app;
    let logged_in = app.actor("Logged in", &[]).await;
    let by_permission = app.actor("User manager", &[Permission::UserManagement]).await;
    let by_affiliation = app.actor("Affiliated", &[]).await;
    set_user(app, &by_affiliation, UserInput { affiliation: Some("Uni A".into()), ..Default::default() }).await;
    let by_scope = app.actor("Scoped", &[]).await;
    let scope = vec![ScopeFilter { column: "school".into(), values: vec!["Greenwood".into(), "Other".into()] }];
    set_user(app, &by_scope, UserInput { scope: Some(scope), ..Default::default() }).await;
    let owners_read = app.actor("Owners reader", &[Permission::OwnersRead]).await;
    let data_management = app.actor("Data manager", &[Permission::DataManagement]).await;
    let other_orders = app.actor("Other editor", &[Permission::Orders]).await;
    app.create_order(&other_orders, "Someone else's order").await;

    f.check("anonymous", None, &["public"], false).await;
    f.check("logged in", Some(&logged_in), &["public"], false).await;
    f.check("editor of another order", Some(&other_orders), &["public"], false).await;
    f.check("listed user", Some(&listed), &["public", "by_user"], false).await;
    f.check("permission holder", Some(&by_permission), &["public", "by_permission"], false).await;
    f.check("affiliated", Some(&by_affiliation), &["public", "by_affiliation"], false).await;
    f.check("scoped", Some(&by_scope), &["public", "by_scope"], false).await;
    f.check("OWNERS_READ", Some(&owners_read), &["public"], true).await;
    f.check("editor", Some(&f.editor), &KINDS, true).await;
    f.check("DATA_MANAGEMENT", Some(&data_management), &KINDS, true).await;
}

#[tokio::test]
async fn a_hidden_dataset_answers_like_an_unknown_id_to_mutations() {
    let app = spawn_app().await;
    let listed = app.actor("Listed user", &[]).await;
    let f = fixture(app, &listed).await;
    let app = &f.app;
    let outsider = app.actor("Outsider", &[Permission::Orders]).await;
    let private = &f.ids[5];
    let unknown = uuid::Uuid::now_v7().to_string();
    for id in [private, &unknown] {
        let r = app
            .gql_as(
                &outsider,
                "mutation($id: ID!) { updateDataset(id: $id, input: {title: \"x\"}) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(r.error_code(), Some("NOT_FOUND"), "update {id}: {}", r.body);
        let r = app.gql_as(&outsider, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": id })).await;
        assert_eq!(r.error_code(), Some("NOT_FOUND"), "delete {id}: {}", r.body);
        let r = app
            .gql_as(
                &outsider,
                "mutation($d: [ID!]) { createCollection(input: {title: \"c\", datasets: $d}) { id } }",
                json!({ "d": [id] }),
            )
            .await;
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "collect {id}: {}", r.body);
        assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("no such dataset"), "{}", r.body);
    }
}
