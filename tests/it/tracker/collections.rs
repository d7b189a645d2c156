#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::spawn_app;

#[tokio::test]
async fn any_logged_in_user_creates_collections_anonymous_cannot() {
    let app = spawn_app().await;
    let r = app.gql("mutation { createCollection(input: {title: \"c\"}) { id } }", json!({})).await;
    assert_eq!(r.error_code(), Some("UNAUTHENTICATED"));
    let u = app.actor("U", &[]).await;
    let r = app.gql_as(&u, "mutation { createCollection(input: {title: \"c\"}) { editors { id } } }", json!({})).await;
    assert_eq!(r.data()["createCollection"]["editors"], json!([{ "id": u.id }]));
}

#[tokio::test]
async fn collection_editors_are_owner_information() {
    let app = spawn_app().await;
    let u = app.actor("U", &[]).await;
    let other = app.actor("Other", &[]).await;
    let reader = app.actor("Reader", &[Permission::OwnersRead]).await;
    let c = app.create_collection(&u, "c", &[]).await;
    let q = "query($c: ID!) { collection(id: $c) { title editors { id } log { totalCount } } }";
    let anon = app.gql(q, json!({ "c": c })).await;
    assert_eq!(anon.data()["collection"]["title"], "c");
    assert_eq!(anon.data()["collection"]["editors"], Value::Null);
    assert_eq!(anon.data()["collection"]["log"], Value::Null);
    let o = app.gql_as(&other, q, json!({ "c": c })).await;
    assert_eq!(o.data()["collection"]["editors"], Value::Null);
    let r = app.gql_as(&reader, q, json!({ "c": c })).await;
    assert_eq!(r.data()["collection"]["editors"], json!([{ "id": u.id }]));
    assert_eq!(r.data()["collection"]["log"], Value::Null);
}

#[tokio::test]
async fn only_editors_or_data_management_change_a_collection() {
    let app = spawn_app().await;
    let u = app.actor("U", &[]).await;
    let other = app.actor("Other", &[]).await;
    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    let c = app.create_collection(&u, "c", &[]).await;
    let r = app
        .gql_as(
            &other,
            "mutation($c: ID!) { updateCollection(id: $c, input: {title: \"x\"}) { id } }",
            json!({ "c": c }),
        )
        .await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app
        .gql_as(
            &dm,
            "mutation($c: ID!) { updateCollection(id: $c, input: {title: \"x\"}) { title } }",
            json!({ "c": c }),
        )
        .await;
    assert_eq!(r.data()["updateCollection"]["title"], "x");
    let r = app
        .gql_as(&u, "mutation($c: ID!) { updateCollection(id: $c, input: {editors: []}) { id } }", json!({ "c": c }))
        .await;
    assert_eq!(r.error_field(), Some("editors"));
    let r = app.gql_as(&other, "mutation($c: ID!) { deleteCollection(id: $c) }", json!({ "c": c })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app.gql_as(&u, "mutation($c: ID!) { deleteCollection(id: $c) }", json!({ "c": c })).await;
    assert_eq!(r.data()["deleteCollection"], c);
    assert_eq!(app.log_count(&c).await, 3);
}

#[tokio::test]
async fn adding_datasets_needs_only_read_access_and_they_must_exist() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let u = app.actor("U", &[]).await;
    let order = app.create_order(&o, "x").await;
    let d = app.create_dataset(&o, &order, "d").await;
    let c = app.create_collection(&u, "c", &[&d]).await;
    let r = app.gql("query($d: ID!) { dataset(id: $d) { collections { id } } }", json!({ "d": d })).await;
    assert_eq!(r.data()["dataset"]["collections"], json!([{ "id": c }]));
    let ghost = uuid::Uuid::new_v4().to_string();
    let r = app
        .gql_as(
            &u,
            "mutation($c: ID!, $d: [ID!]) { updateCollection(id: $c, input: {datasets: $d}) { id } }",
            json!({ "c": c, "d": [d, ghost] }),
        )
        .await;
    assert_eq!(r.error_field(), Some("datasets"));
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains(&ghost));
}

#[tokio::test]
async fn collections_can_be_searched_and_filtered_by_standard_tag() {
    let app = spawn_app().await;
    let u = app.actor("U", &[]).await;
    let tag = app.gql("{ standardTags }", json!({})).await.data()["standardTags"][1].as_str().unwrap().to_owned();
    app.create_collection(&u, "Alpha", &[]).await;
    let r = app
        .gql_as(
            &u,
            "mutation($t: String!) { createCollection(input: {title: \"Beta\", tagsStandard: [$t]}) { id } }",
            json!({ "t": tag }),
        )
        .await;
    let beta = r.data()["createCollection"]["id"].as_str().unwrap().to_owned();
    let r = app
        .gql(
            "query($t: String!) { collections(filter: {tagsStandard: [$t]}) { totalCount edges { node { id } } } }",
            json!({ "t": tag }),
        )
        .await;
    assert_eq!(r.data()["collections"]["edges"], json!([{ "node": { "id": beta } }]));
    let r = app.gql("{ collections(filter: {search: \"alp\"}) { totalCount } }", json!({})).await;
    assert_eq!(r.data()["collections"]["totalCount"], 1);
}

/// A PUBLIC, a PROTECTED (rules: `reader`) and a PRIVATE dataset of `owner`'s order, in one collection of a
/// plain user's; returns (collection, [public, protected, private]).
async fn collection_of_three(
    app: &crate::harness::TestApp,
    owner: &crate::harness::Actor,
    reader: &str,
) -> (String, [String; 3]) {
    let order = app.create_order(owner, "o").await;
    let create = "mutation($o: ID!, $t: String!, $a: AccessLevel!, $r: AccessRulesInput) {
        createDataset(orderId: $o, input: {title: $t, access: $a, accessRules: $r}) { id } }";
    let mut ids = Vec::new();
    for (t, a) in [("public", "PUBLIC"), ("protected", "PROTECTED"), ("private", "PRIVATE")] {
        let vars = json!({ "o": order, "t": t, "a": a, "r": { "users": [reader] } });
        ids.push(app.gql_as(owner, create, vars).await.data()["createDataset"]["id"].as_str().unwrap().to_owned());
    }
    // The owner adds them (only they may see all three), in an order that is not the id order.
    let c = app.create_collection(owner, "c", &[&ids[2], &ids[0], &ids[1]]).await;
    (c, [ids[0].clone(), ids[1].clone(), ids[2].clone()])
}

#[tokio::test]
async fn dataset_ids_list_exactly_the_datasets_the_caller_may_see_in_the_collections_order() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[]).await;
    let stranger = app.actor("Stranger", &[]).await;
    let owners_read = app.actor("OwnersRead", &[Permission::OwnersRead]).await;
    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    let (c, [public, protected, private]) = collection_of_three(&app, &owner, &reader.id).await;
    let one = "query($c: ID!) { collection(id: $c) { datasetIds datasets { id } } }";
    let listed = "{ collections(first: 10) { nodes { datasetIds } } }";
    let cases: [(&str, Option<&crate::harness::Actor>, Vec<&str>); 6] = [
        ("anonymous", None, vec![&public]),
        ("stranger", Some(&stranger), vec![&public]),
        ("OWNERS_READ", Some(&owners_read), vec![&public]),
        ("admitted by a rule", Some(&reader), vec![&public, &protected]),
        ("order editor", Some(&owner), vec![&private, &public, &protected]),
        ("DATA_MANAGEMENT", Some(&dm), vec![&private, &public, &protected]),
    ];
    for (who, actor, want) in cases {
        let (r, l) = match actor {
            Some(a) => (app.gql_as(a, one, json!({ "c": c })).await, app.gql_as(a, listed, json!({})).await),
            None => (app.gql(one, json!({ "c": c })).await, app.gql(listed, json!({})).await),
        };
        let coll = &r.data()["collection"];
        assert_eq!(coll["datasetIds"], json!(want), "{who}");
        let via_datasets: Vec<&str> =
            coll["datasets"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(via_datasets, want, "{who}: datasetIds agrees with datasets");
        assert_eq!(l.data()["collections"]["nodes"][0]["datasetIds"], json!(want), "{who}: in a list");
        if want.len() < 3 {
            let text = format!("{} {}", r.body, l.body);
            assert!(!text.contains(&private), "{who} sees the private dataset's id");
        }
    }
}

#[tokio::test]
async fn an_editor_who_cannot_see_some_members_cannot_drop_them_by_setting_the_list() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[]).await;
    let co_editor = app.actor("CoEditor", &[]).await;
    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    let (c, [public, protected, private]) = collection_of_three(&app, &owner, &reader.id).await;
    let set_editors = "mutation($c: ID!, $e: [ID!]) { updateCollection(id: $c, input: {editors: $e}) { id } }";
    let r = app.gql_as(&owner, set_editors, json!({ "c": c, "e": [owner.id, co_editor.id] })).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    // The co-editor sees only the public member and sets the list to what they see, minus it, plus nothing.
    let set = "mutation($c: ID!, $d: [ID!]) { updateCollection(id: $c, input: {datasets: $d}) { datasetIds } }";
    let r = app.gql_as(&co_editor, set, json!({ "c": c, "d": [] })).await;
    assert_eq!(r.data()["updateCollection"]["datasetIds"], json!([]), "{}", r.body);
    let all = "query($c: ID!) { collection(id: $c) { datasetIds } }";
    let r = app.gql_as(&dm, all, json!({ "c": c })).await;
    assert_eq!(r.data()["collection"]["datasetIds"], json!([private, protected]), "hidden members stay");
    // Putting the public one back keeps them too; the owner, who sees all, can remove any.
    let r = app.gql_as(&co_editor, set, json!({ "c": c, "d": [public] })).await;
    assert_eq!(r.data()["updateCollection"]["datasetIds"], json!([public]));
    let r = app.gql_as(&dm, all, json!({ "c": c })).await;
    assert_eq!(r.data()["collection"]["datasetIds"], json!([public, private, protected]));
    let r = app.gql_as(&owner, set, json!({ "c": c, "d": [protected] })).await;
    assert_eq!(r.data()["updateCollection"]["datasetIds"], json!([protected]));
}
