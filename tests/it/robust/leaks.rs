//! Nothing hidden leaks through error messages or metadata.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::spawn_app;

#[tokio::test]
async fn refusing_to_delete_a_user_names_no_entry_the_caller_cannot_see() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    // The operator must hold what Olga holds (grants rule), yet still may not see her order or its editors.
    let admin = app.actor("Admin", &[Permission::UserManagement, Permission::Orders]).await;
    let order = app.create_order(&o, "secret order").await;
    let coll = app.create_collection(&o, "c", &[]).await;
    let r = app.gql_as(&admin, "mutation($u: ID!) { deleteUser(id: $u) }", json!({ "u": o.id })).await;
    assert_eq!(r.error_code(), Some("CONFLICT"));
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains(&order), "the hidden order's id leaks: {message}");
    assert!(!message.contains(&coll), "the collection's hidden editors leak: {message}");
    assert!(message.contains("2 entries you cannot see"), "{message}");
    // Whoever may see them gets the ids.
    let dm = app.actor("Dm", &[Permission::DataManagement, Permission::UserManagement, Permission::Orders]).await;
    let r = app.gql_as(&dm, "mutation($u: ID!) { deleteUser(id: $u) }", json!({ "u": o.id })).await;
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(&order) && message.contains(&coll), "{message}");
}

#[tokio::test]
async fn a_collections_version_and_update_time_are_hidden_with_its_editors() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let other = app.actor("Other", &[]).await;
    let coll = app.create_collection(&o, "c", &[]).await;
    let q = "query($id: ID!) { collection(id: $id) { title editors { id } version updatedAt createdAt } }";
    for r in [app.gql(q, json!({ "id": coll })).await, app.gql_as(&other, q, json!({ "id": coll })).await] {
        let c = &r.data()["collection"];
        assert_eq!(c["title"], "c");
        assert_eq!(c["editors"], Value::Null);
        assert_eq!(c["version"], Value::Null, "the version moves when the hidden editors change");
        assert_eq!(c["updatedAt"], Value::Null, "the update time moves when the hidden editors change");
        assert!(c["createdAt"].is_string());
    }
    let mine = app.gql_as(&o, q, json!({ "id": coll })).await;
    assert_eq!(mine.data()["collection"]["version"], 1);
    assert!(mine.data()["collection"]["updatedAt"].is_string());
}

#[tokio::test]
async fn a_users_version_is_hidden_with_their_private_fields() {
    let app = spawn_app().await;
    let u = app.actor("Una", &[]).await;
    let other = app.actor("Other", &[Permission::UserSearch]).await;
    let q = "query($id: ID!) { user(id: $id) { name email version } }";
    let r = app.gql_as(&other, q, json!({ "id": u.id })).await;
    assert_eq!(r.data()["user"]["name"], "Una");
    assert_eq!(r.data()["user"]["email"], Value::Null);
    assert_eq!(r.data()["user"]["version"], Value::Null, "the version moves when private fields change");
    let own = app.gql_as(&u, q, json!({ "id": u.id })).await;
    assert!(own.data()["user"]["version"].is_i64());
}
