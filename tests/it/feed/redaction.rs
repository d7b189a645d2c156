//! Log entries are shown through the field rules of the entity they copy: for every role, the change feed,
//! a user's own actions and an entity's log contain no field and no entity that role could not read
//! directly. Checked by planting secret values in hidden fields and searching whole responses for them.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app, Actor, TestApp};

/// Everything a change can render, deeply.
pub const NODE: &str = "cursor sequence action dataType entityId timestamp actorId
    order { id title description editors { id name } datasets { id title description } }
    dataset { id title description access accessRules { users { id } affiliations } order { id title }
              editors { id } related { id title description } collections { id title } }
    collection { id title description editors { id } datasets { id title description } datasetIds version updatedAt }
    user { id name email authIds permissions version }";

/// Everything the feed can render, deeply.
pub const CHANGES: &str = "query($a: String) { changes(after: $a, first: 10) { endCursor hasNextPage nodes {
    cursor sequence action dataType entityId timestamp actorId
    order { id title description editors { id name } datasets { id title description } }
    dataset { id title description access accessRules { users { id } affiliations } order { id title }
              editors { id } related { id title description } collections { id title } }
    collection { id title description editors { id } datasets { id title description } datasetIds version updatedAt }
    user { id name email authIds permissions version } } } }";

/// Every page of the feed as `who` sees it (anonymous when `None`).
pub async fn all_changes(app: &TestApp, who: Option<&Actor>) -> Vec<Value> {
    let (mut after, mut nodes) = ("0".to_owned(), Vec::new());
    loop {
        let r = match who {
            Some(a) => app.gql_as(a, CHANGES, json!({ "a": after })).await,
            None => app.gql(CHANGES, json!({ "a": after })).await,
        };
        let page = r.data()["changes"].clone();
        nodes.extend(page["nodes"].as_array().unwrap().iter().cloned());
        after = page["endCursor"].as_str().unwrap().to_owned();
        if page["hasNextPage"] != true {
            return nodes;
        }
    }
}

pub struct World {
    pub owner: Actor,
    pub private_ds: String,
    pub protected_ds: String,
    pub order: String,
}

pub const ORDER_SECRET: &str = "SECRET-order-title";
pub const PRIVATE_SECRET: &str = "SECRET-private-dataset";
pub const PROTECTED_SECRET: &str = "SECRET-protected-dataset";
pub const RULE_SECRET: &str = "SECRET-affiliation-rule";
pub const EMAIL_SECRET: &str = "secret-owner-mail@example.org";

pub async fn world(app: &TestApp) -> World {
    let owner = app.actor("Olga Owner", &[Permission::Orders]).await;
    app.gql_as(&owner, "mutation($e: String!) { updateMe(input: {email: $e}) { id } }", json!({ "e": EMAIL_SECRET }))
        .await
        .data();
    let order = app.create_order(&owner, ORDER_SECRET).await;
    let create = "mutation($o: ID!, $t: String!, $a: AccessLevel!, $r: AccessRulesInput) {
        createDataset(orderId: $o, input: {title: $t, description: $t, access: $a, accessRules: $r}) { id } }";
    let private_ds =
        app.gql_as(&owner, create, json!({ "o": order, "t": PRIVATE_SECRET, "a": "PRIVATE" })).await.data()
            ["createDataset"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let rules = json!({ "affiliations": [RULE_SECRET] });
    let protected_ds = app
        .gql_as(&owner, create, json!({ "o": order, "t": PROTECTED_SECRET, "a": "PROTECTED", "r": rules }))
        .await
        .data()["createDataset"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let public_ds = app.create_dataset(&owner, &order, "public dataset").await;
    app.create_collection(&owner, "collection", &[&private_ds, &protected_ds, &public_ds]).await;
    World { owner, private_ds, protected_ds, order }
}

pub fn assert_absent(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} shows `{s}`: {text}");
    }
}

#[tokio::test]
async fn every_role_sees_in_the_feed_only_what_it_could_read_directly() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let plain = app.actor("Plain", &[]).await;
    let editor = app.actor("Other editor", &[Permission::Orders]).await;
    app.create_order(&editor, "editor's own order").await;
    let owners_read = app.actor("Owners reader", &[Permission::OwnersRead]).await;
    let dm = app.actor("Data manager", &[Permission::DataManagement]).await;
    let hidden_datasets = [PRIVATE_SECRET, PROTECTED_SECRET, w.private_ds.as_str(), w.protected_ds.as_str()];
    for (name, who) in [("anonymous", None), ("plain user", Some(&plain)), ("order editor", Some(&editor))] {
        let text = Value::Array(all_changes(&app, who).await).to_string();
        assert!(text.contains("public dataset"), "{name} sees public changes");
        assert_absent(name, &text, &hidden_datasets);
        assert_absent(name, &text, &[ORDER_SECRET, w.order.as_str(), EMAIL_SECRET, RULE_SECRET]);
    }
    // OWNERS_READ sees orders (and their owners), not PROTECTED or PRIVATE datasets, nor access rules.
    let text = Value::Array(all_changes(&app, Some(&owners_read)).await).to_string();
    assert!(text.contains(ORDER_SECRET));
    assert_absent("OWNERS_READ", &text, &hidden_datasets);
    assert_absent("OWNERS_READ", &text, &[EMAIL_SECRET, RULE_SECRET]);
    // DATA_MANAGEMENT sees every entity, but not users' private fields.
    let text = Value::Array(all_changes(&app, Some(&dm)).await).to_string();
    for s in [ORDER_SECRET, PRIVATE_SECRET, PROTECTED_SECRET, RULE_SECRET] {
        assert!(text.contains(s), "DATA_MANAGEMENT sees {s}");
    }
    assert_absent("DATA_MANAGEMENT", &text, &[EMAIL_SECRET]);
    // The owner sees their own email in their own user's changes.
    let text = Value::Array(all_changes(&app, Some(&w.owner)).await).to_string();
    assert!(text.contains(EMAIL_SECRET) && text.contains(PRIVATE_SECRET));
}

#[tokio::test]
async fn a_cascade_writes_no_hidden_copy_into_the_actors_own_actions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let generator = app.actor("Gene", &[]).await;
    let q = "mutation($id: ID!, $g: [ID!]) { updateOrder(id: $id, input: {generators: $g}) { id } }";
    app.gql_as(&w.owner, q, json!({ "id": w.order, "g": [generator.id] })).await.data();
    // A user manager who may not see the order deletes its generator: the cascade edits the order.
    let um = app.actor("User manager", &[Permission::UserManagement]).await;
    app.gql_as(&um, "mutation($u: ID!) { deleteUser(id: $u) }", json!({ "u": generator.id })).await.data();
    let q = "{ me { actions(first: 100) { totalCount nodes { action dataType entityId data comment } } } }";
    let r = app.gql_as(&um, q, json!({})).await;
    let text = r.data().to_string();
    assert_absent("the user manager's actions", &text, &[ORDER_SECRET, w.order.as_str(), PRIVATE_SECRET]);
    let nodes = r.data()["me"]["actions"]["nodes"].as_array().unwrap();
    assert!(nodes.iter().all(|n| n["dataType"] == "USER"), "{text}");
    assert_eq!(r.data()["me"]["actions"]["totalCount"].as_u64().unwrap() as usize, nodes.len());
    // Someone who may see the order sees the cascade's edit of it.
    let dm = app.actor("Dm", &[Permission::DataManagement, Permission::UserManagement]).await;
    let q = "query($u: ID!) { user(id: $u) { actions(first: 100) { nodes { dataType data } } } }";
    let text = app.gql_as(&dm, q, json!({ "u": um.id })).await.data().to_string();
    assert!(text.contains(ORDER_SECRET), "{text}");
}

#[tokio::test]
async fn an_entitys_log_shows_copies_through_the_field_rules() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The collection's log, read by its editor, leaves out the datasets its reader may not see... the owner
    // sees all of them; a co-editor of the collection who is no editor of the order does not.
    let co = app.actor("Co-editor", &[]).await;
    let q = "query { collections(first: 10) { nodes { id } } }";
    let coll =
        app.gql_as(&w.owner, q, json!({})).await.data()["collections"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let q = "mutation($id: ID!, $e: [ID!]) { updateCollection(id: $id, input: {editors: $e}) { id } }";
    app.gql_as(&w.owner, q, json!({ "id": coll, "e": [w.owner.id, co.id] })).await.data();
    let q = "query($id: ID!) { collection(id: $id) { log(first: 100) { nodes { data } } } }";
    let text = app.gql_as(&co, q, json!({ "id": coll })).await.data().to_string();
    assert_absent("the collection's log", &text, &[w.private_ds.as_str(), w.protected_ds.as_str()]);
    let text = app.gql_as(&w.owner, q, json!({ "id": coll })).await.data().to_string();
    assert!(text.contains(&w.private_ds));
    // A user's own log never shows API key material or session epochs.
    let q = "query($id: ID!) { user(id: $id) { log(first: 100) { nodes { data } } } }";
    let text = app.gql_as(&w.owner, q, json!({ "id": w.owner.id })).await.data().to_string();
    assert_absent("the user's log", &text, &["apiKey", "sessionEpoch", "salt"]);
    assert!(text.contains(EMAIL_SECRET));
}

#[tokio::test]
async fn a_reader_who_loses_access_gets_revoke_and_a_deletion_only_if_they_could_see_it() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[]).await;
    let order = app.create_order(&owner, "o").await;
    let create = "mutation($o: ID!, $r: AccessRulesInput) {
        createDataset(orderId: $o, input: {title: \"shared\", access: PROTECTED, accessRules: $r}) { id } }";
    let rules = json!({ "users": [reader.id] });
    let ds = app.gql_as(&owner, create, json!({ "o": order, "r": rules })).await.data()["createDataset"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let never = app.gql_as(&owner, create, json!({ "o": order, "r": { "users": [owner.id] } })).await.data()
        ["createDataset"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = "mutation($id: ID!) { updateDataset(id: $id, input: {access: PRIVATE, title: \"now private\"}) { id } }";
    app.gql_as(&owner, q, json!({ "id": ds })).await.data();
    for id in [&ds, &never] {
        app.gql_as(&owner, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": id })).await.data();
    }
    let mine: Vec<(String, String)> = all_changes(&app, Some(&reader))
        .await
        .iter()
        .filter(|n| n["dataType"] == "DATASET")
        .map(|n| (n["action"].as_str().unwrap().to_owned(), n["entityId"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(mine, vec![("ADD".to_owned(), ds.clone()), ("REVOKE".to_owned(), ds.clone())], "{mine:?}");
    let text = Value::Array(all_changes(&app, Some(&reader)).await).to_string();
    assert_absent("the reader's feed", &text, &[never.as_str(), "now private"]);
    // The owner sees every step, the deletions included.
    let theirs: Vec<String> = all_changes(&app, Some(&owner))
        .await
        .iter()
        .filter(|n| n["dataType"] == "DATASET" && n["entityId"] == json!(ds))
        .map(|n| n["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(theirs, ["ADD", "EDIT", "DELETE"]);
}
