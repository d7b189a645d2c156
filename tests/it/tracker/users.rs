#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::spawn_app;

const PRIVATE: &str =
    "email authIds permissions scope { column values } hasApiKey log { totalCount } actions { totalCount }";

#[tokio::test]
async fn private_fields_are_for_the_user_and_user_management_only() {
    let app = spawn_app().await;
    let me = app.actor("Me", &[]).await;
    let other = app.actor("Other", &[Permission::UserSearch, Permission::DataManagement]).await;
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    let q = format!("query($id: ID!) {{ user(id: $id) {{ id name {PRIVATE} }} }}");
    for (who, visible) in [(None, false), (Some(&other), false), (Some(&me), true), (Some(&um), true)] {
        let r = match who {
            Some(a) => app.gql_as(a, &q, json!({ "id": me.id })).await,
            None => app.gql(&q, json!({ "id": me.id })).await,
        };
        let u = &r.data()["user"];
        assert_eq!(u["name"], "Me");
        for f in ["email", "authIds", "permissions", "scope", "hasApiKey", "log", "actions"] {
            assert_eq!(u[f] != Value::Null, visible, "{f} for {who:?}");
        }
    }
}

#[tokio::test]
async fn user_search_needs_permission_matches_exact_email_and_never_returns_it() {
    let app = spawn_app().await;
    let searcher = app.actor("Searcher", &[Permission::UserSearch]).await;
    let plain = app.actor("Plain", &[]).await;
    let m = app.actor("Manager", &[Permission::UserManagement]).await;
    let r = app.gql_as(&m, "mutation { createUser(input: {name: \"Ada Lovelace\", email: \"ada@example.org\", affiliation: \"Analytical\"}) { id } }", json!({})).await;
    let ada = r.data()["createUser"]["id"].as_str().unwrap().to_owned();
    let r = app.gql_as(&plain, "{ users(search: \"ada\") { totalCount } }", json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app.gql_as(&searcher, "{ users(search: \"LOVELACE\") { edges { node { id email } } } }", json!({})).await;
    assert_eq!(r.data()["users"]["edges"], json!([{ "node": { "id": ada, "email": null } }]));
    let r = app
        .gql_as(&searcher, "{ users(search: \"ada@example.org\") { edges { node { id email } } } }", json!({}))
        .await;
    assert_eq!(r.data()["users"]["edges"], json!([{ "node": { "id": ada, "email": null } }]));
    let r = app.gql_as(&searcher, "{ users(search: \"example.org\") { totalCount } }", json!({})).await;
    assert_eq!(r.data()["users"]["totalCount"], 0, "a part of an email matches nothing");
}

#[tokio::test]
async fn adding_users_needs_user_add_and_permissions_need_user_management() {
    let app = spawn_app().await;
    let plain = app.actor("Plain", &[]).await;
    let orders = app.actor("Orders", &[Permission::Orders]).await;
    let r = app
        .gql_as(&plain, "mutation { createUser(input: {name: \"A\", email: \"a@example.org\"}) { id } }", json!({}))
        .await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app
        .gql_as(
            &orders,
            "mutation { createUser(input: {name: \"A\", email: \"a@example.org\"}) { id name } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["createUser"]["name"], "A");
    let r = app.gql_as(&orders, "mutation { createUser(input: {name: \"B\", email: \"b@example.org\", permissions: [DATA_MANAGEMENT]}) { id } }", json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    // An email set without USER_MANAGEMENT is unverified and may repeat (no email oracle); verified ones
    // are unique.
    let r = app
        .gql_as(&orders, "mutation { createUser(input: {name: \"A2\", email: \"A@example.org\"}) { id } }", json!({}))
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    let q = "mutation($e: String!) { createUser(input: {name: \"V\", email: $e}) { id } }";
    app.gql_as(&um, q, json!({ "e": "v@example.org" })).await.data();
    let r = app.gql_as(&um, q, json!({ "e": "V@example.org" })).await;
    assert_eq!(r.error_code(), Some("CONFLICT"));
    assert_eq!(r.error_field(), Some("email"));
}

#[tokio::test]
async fn profile_fields_are_validated() {
    let app = spawn_app().await;
    let me = app.actor("Me", &[]).await;
    for (input, field) in [
        ("{orcid: \"0000-0002-1825-0098\"}", "orcid"),
        ("{url: \"ftp://example.org\"}", "url"),
        ("{name: \"  \"}", "name"),
        ("{email: \"nope\"}", "email"),
    ] {
        let r = app.gql_as(&me, &format!("mutation {{ updateMe(input: {input}) {{ id }} }}"), json!({})).await;
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{input}");
        assert_eq!(r.error_field(), Some(field), "{input}");
    }
    let r = app.gql_as(&me, "mutation { updateMe(input: {orcid: \"0000-0002-1694-233X\", url: \"https://me.example.org\"}) { orcid url } }", json!({})).await;
    assert_eq!(r.data()["updateMe"]["orcid"], "0000-0002-1694-233X");
    let r = app.gql_as(&me, "mutation { updateMe(input: {permissions: [USER_MANAGEMENT]}) { id } }", json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"), "nobody grants themself permissions");
}

#[tokio::test]
async fn api_key_material_is_never_readable_even_in_logs() {
    let app = spawn_app().await;
    let me = app.actor("Me", &[]).await;
    let r = app.gql_as(&me, "{ me { hasApiKey log { edges { node { comment data } } } } }", json!({})).await;
    let me_data = &r.data()["me"];
    assert_eq!(me_data["hasApiKey"], true);
    let edges = me_data["log"]["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["node"]["comment"] == "New API key"));
    let text = r.body.to_string();
    assert!(!text.contains("apiKey") && !text.contains("salt"), "{text}");
    let stored = app
        .store
        .db()
        .collection::<bson::Document>("logs")
        .find_one(bson::doc! { "comment": "New API key" })
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.get_document("data").unwrap().contains_key("apiKey"));
    let r = app.gql_as(&me, "{ __type(name: \"User\") { fields { name } } }", json!({})).await;
    let names = r.data()["__type"]["fields"].to_string();
    assert!(!names.contains("salt") && !names.contains("\"apiKey\""));
}

#[tokio::test]
async fn deleting_a_user_removes_references_or_refuses_when_an_entry_would_lose_its_last_editor() {
    let app = spawn_app().await;
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let helper = app.actor("Helper", &[]).await;
    let order = app.create_order(&o, "x").await;
    app.gql_as(
        &o,
        "mutation($id: ID!, $e: [ID!]) { updateOrder(id: $id, input: {editors: $e, authors: $e}) { id } }",
        json!({ "id": order, "e": [o.id, helper.id] }),
    )
    .await
    .data();
    let solo = app.create_collection(&helper, "solo", &[]).await;
    let r = app.gql_as(&um, "mutation($id: ID!) { deleteUser(id: $id) }", json!({ "id": helper.id })).await;
    assert_eq!(r.error_code(), Some("CONFLICT"));
    // USER_MANAGEMENT alone may not see the collection's editors, so the message counts it without its id.
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains(&solo) && message.contains("1 entry you cannot see"), "{message}");
    app.gql_as(
        &helper,
        "mutation($c: ID!, $e: [ID!]) { updateCollection(id: $c, input: {editors: $e}) { id } }",
        json!({ "c": solo, "e": [o.id] }),
    )
    .await
    .data();
    let r = app.gql_as(&um, "mutation($id: ID!) { deleteUser(id: $id) }", json!({ "id": helper.id })).await;
    assert_eq!(r.data()["deleteUser"], helper.id);
    let r = app
        .gql_as(
            &o,
            "query($id: ID!) { order(id: $id) { editors { id } authors { id } version } }",
            json!({ "id": order }),
        )
        .await;
    assert_eq!(r.data()["order"]["editors"], json!([{ "id": o.id }]));
    assert_eq!(r.data()["order"]["authors"], json!([{ "id": o.id }]));
    assert_eq!(app.log_count(&order).await, 3);
    assert_eq!(app.log_count(&helper.id).await, 3, "ADD, new API key, DELETE");
}

#[tokio::test]
async fn actions_list_what_a_user_changed_and_hide_entries_others_may_not_read() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    app.create_order(&o, "private order").await;
    app.gql_as(&o, "mutation { updateMe(input: {affiliation: \"Lab\"}) { id } }", json!({})).await.data();
    let q = "query($id: ID!) { user(id: $id) { actions { totalCount edges { node { dataType } } } } }";
    let own = app.gql_as(&o, q, json!({ "id": o.id })).await;
    assert_eq!(own.data()["user"]["actions"]["totalCount"], 2);
    let seen = app.gql_as(&um, q, json!({ "id": o.id })).await;
    assert_eq!(seen.data()["user"]["actions"]["edges"], json!([{ "node": { "dataType": "USER" } }]));
}
