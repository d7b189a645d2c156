//! The visibility and permission matrix: for each role and entity, which fields are visible and which
//! mutations succeed.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app, Actor, TestApp};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Anonymous,
    LoggedIn,
    Editor,
    Orders,
    OwnersRead,
    DataManagement,
    UserSearch,
    UserManagement,
}

/// What a role should see and be able to do: a row of the matrix.
struct Expect {
    order: bool,
    order_log: bool,
    dataset_owner: bool,
    dataset_log: bool,
    collection_owner: bool,
    collection_log: bool,
    user_private: bool,
    search_users: bool,
    create_order: bool,
    edit_order_and_dataset: bool,
    edit_collection: bool,
    create_collection: bool,
    create_user: bool,
    update_user: bool,
}

fn expect(role: Role) -> Expect {
    use Role::*;
    let r = role;
    Expect {
        order: matches!(r, Editor | OwnersRead | DataManagement),
        order_log: matches!(r, Editor | DataManagement),
        dataset_owner: matches!(r, Editor | OwnersRead | DataManagement),
        dataset_log: matches!(r, Editor | DataManagement),
        collection_owner: matches!(r, Editor | OwnersRead | DataManagement),
        collection_log: matches!(r, Editor | DataManagement),
        user_private: matches!(r, UserManagement),
        search_users: matches!(r, Orders | DataManagement | UserSearch | UserManagement),
        create_order: matches!(r, Orders | DataManagement),
        edit_order_and_dataset: matches!(r, DataManagement),
        edit_collection: matches!(r, Editor | DataManagement),
        create_collection: r != Anonymous,
        create_user: matches!(r, Orders | DataManagement | UserManagement),
        update_user: matches!(r, UserManagement),
    }
}

async fn run(app: &TestApp, who: Option<&Actor>, q: &str, vars: Value) -> crate::harness::GqlResponse {
    match who {
        Some(a) => app.gql_as(a, q, vars).await,
        None => app.gql(q, vars).await,
    }
}

#[tokio::test]
async fn every_role_sees_and_changes_exactly_what_it_may() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let target = app.actor("Target", &[]).await;
    let order = app.create_order(&owner, "order").await;
    let dataset = app.create_dataset(&owner, &order, "dataset").await;
    let collection = app.create_collection(&owner, "collection", &[&dataset]).await;
    let editor = app.actor("Editor", &[]).await;
    app.gql_as(
        &owner,
        "mutation($o: ID!, $e: [ID!]) { updateOrder(id: $o, input: {editors: $e}) { id } }",
        json!({ "o": order, "e": [owner.id, editor.id] }),
    )
    .await
    .data();
    app.gql_as(
        &owner,
        "mutation($c: ID!, $e: [ID!]) { updateCollection(id: $c, input: {editors: $e}) { id } }",
        json!({ "c": collection, "e": [owner.id, editor.id] }),
    )
    .await
    .data();

    let roles = [
        (Role::Anonymous, None),
        (Role::LoggedIn, Some(app.actor("Plain", &[]).await)),
        (Role::Editor, Some(editor.clone())),
        (Role::Orders, Some(app.actor("Ord", &[Permission::Orders]).await)),
        (Role::OwnersRead, Some(app.actor("OR", &[Permission::OwnersRead]).await)),
        (Role::DataManagement, Some(app.actor("DM", &[Permission::DataManagement]).await)),
        (Role::UserSearch, Some(app.actor("US", &[Permission::UserSearch]).await)),
        (Role::UserManagement, Some(app.actor("UM", &[Permission::UserManagement]).await)),
    ];
    let read = "query($o: ID!, $d: ID!, $c: ID!, $u: ID!) {
        order(id: $o) { id log { totalCount } }
        dataset(id: $d) { title order { id } editors { id } log { totalCount } }
        collection(id: $c) { title editors { id } log { totalCount } }
        user(id: $u) { name email authIds permissions }
    }";
    let vars = json!({ "o": order, "d": dataset, "c": collection, "u": target.id });
    for (i, (role, actor)) in roles.iter().enumerate() {
        let e = expect(*role);
        let who = actor.as_ref();
        let r = run(&app, who, read, vars.clone()).await;
        let d = r.data();
        let shown = |v: &Value| !v.is_null();
        assert_eq!(shown(&d["order"]), e.order, "{role:?} order");
        assert_eq!(shown(&d["order"]["log"]), e.order_log, "{role:?} order.log");
        assert_eq!(d["dataset"]["title"], "dataset", "{role:?} dataset is public");
        assert_eq!(shown(&d["dataset"]["order"]), e.dataset_owner, "{role:?} dataset.order");
        assert_eq!(shown(&d["dataset"]["editors"]), e.dataset_owner, "{role:?} dataset.editors");
        assert_eq!(shown(&d["dataset"]["log"]), e.dataset_log, "{role:?} dataset.log");
        assert_eq!(d["collection"]["title"], "collection", "{role:?} collection is public");
        assert_eq!(shown(&d["collection"]["editors"]), e.collection_owner, "{role:?} collection.editors");
        assert_eq!(shown(&d["collection"]["log"]), e.collection_log, "{role:?} collection.log");
        assert_eq!(d["user"]["name"], "Target", "{role:?} public profile");
        for f in ["email", "authIds", "permissions"] {
            assert_eq!(shown(&d["user"][f]), e.user_private, "{role:?} user.{f}");
        }

        let ok = |r: &crate::harness::GqlResponse| r.body.get("errors").is_none();
        let s = run(&app, who, "{ users(search: \"Target\") { totalCount } }", json!({})).await;
        assert_eq!(ok(&s), e.search_users, "{role:?} users(search)");
        let r = run(&app, who, "mutation { createOrder(input: {title: \"new\"}) { id } }", json!({})).await;
        assert_eq!(ok(&r), e.create_order, "{role:?} createOrder: {}", r.body);
        let r = run(
            &app,
            who,
            "mutation($o: ID!, $t: String!) { updateOrder(id: $o, input: {title: $t}) { id } }",
            json!({ "o": order, "t": format!("o{i}") }),
        )
        .await;
        assert_eq!(ok(&r), e.edit_order_and_dataset, "{role:?} updateOrder: {}", r.body);
        let r = run(
            &app,
            who,
            "mutation($d: ID!, $t: String!) { updateDataset(id: $d, input: {description: $t}) { id } }",
            json!({ "d": dataset, "t": format!("d{i}") }),
        )
        .await;
        assert_eq!(ok(&r), e.edit_order_and_dataset, "{role:?} updateDataset: {}", r.body);
        let r = run(
            &app,
            who,
            "mutation($c: ID!, $t: String!) { updateCollection(id: $c, input: {description: $t}) { id } }",
            json!({ "c": collection, "t": format!("c{i}") }),
        )
        .await;
        assert_eq!(ok(&r), e.edit_collection, "{role:?} updateCollection: {}", r.body);
        let r = run(&app, who, "mutation { createCollection(input: {title: \"mine\"}) { id } }", json!({})).await;
        assert_eq!(ok(&r), e.create_collection, "{role:?} createCollection");
        let r = run(
            &app,
            who,
            "mutation($m: String!) { createUser(input: {name: \"N\", email: $m}) { id } }",
            json!({ "m": format!("n{i}@example.org") }),
        )
        .await;
        assert_eq!(ok(&r), e.create_user, "{role:?} createUser: {}", r.body);
        let r = run(
            &app,
            who,
            "mutation($u: ID!, $a: String!) { updateUser(id: $u, input: {affiliation: $a}) { id } }",
            json!({ "u": target.id, "a": format!("a{i}") }),
        )
        .await;
        assert_eq!(ok(&r), e.update_user, "{role:?} updateUser: {}", r.body);
    }
}
