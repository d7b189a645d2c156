//! No escalation: nobody grants a permission they lack (directly or through implication), edits their own
//! permissions, takes over (key, login identity, any edit, deletion, ending sessions) an account holding a
//! permission they lack, or removes the last holder of `USER_MANAGEMENT`. Table-driven over every permission.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::{Permission, PermissionSet};
use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::{json, Value};

use crate::harness::{spawn_app, Actor, GqlResponse, TestApp};

const GRANT: &str = "mutation($id: ID!, $p: [Permission!]) { updateUser(id: $id, input: {permissions: $p}) { id } }";
const CREATE: &str =
    "mutation($e: String!, $p: [Permission!]) { createUser(input: {name: \"N\", email: $e, permissions: $p}) { id } }";

fn fresh_email() -> String {
    format!("{}@example.org", uuid::Uuid::new_v4().simple())
}

fn outcome(r: &GqlResponse) -> &'static str {
    match (r.body.get("errors"), r.error_code()) {
        (None, _) => "OK",
        (Some(_), Some("FORBIDDEN")) => "FORBIDDEN",
        (Some(_), Some("CONFLICT")) => "CONFLICT",
        _ => "OTHER",
    }
}

/// Every way to take over or change the account `target` that the rules cover.
async fn takeovers(app: &TestApp, op: &Actor, target: &Actor) -> Vec<(&'static str, GqlResponse)> {
    let id = json!({ "id": target.id });
    vec![
        (
            "generateApiKey",
            app.gql_as(op, "mutation($id: ID!) { generateApiKey(userId: $id) { userId } }", id.clone()).await,
        ),
        (
            "add login identity",
            app.gql_as(
                op,
                "mutation($id: ID!) { updateUser(id: $id, input: {authIds: [\"x::evil\"]}) { id } }",
                id.clone(),
            )
            .await,
        ),
        (
            "set email",
            app.gql_as(
                op,
                "mutation($id: ID!, $e: String!) { updateUser(id: $id, input: {email: $e}) { id } }",
                json!({ "id": target.id, "e": fresh_email() }),
            )
            .await,
        ),
        ("endAllSessions", app.gql_as(op, "mutation($id: ID!) { endAllSessions(userId: $id) }", id.clone()).await),
        ("deleteUser", app.gql_as(op, "mutation($id: ID!) { deleteUser(id: $id) }", id).await),
    ]
}

#[tokio::test]
async fn for_every_permission_only_holders_grant_it_or_manage_its_holders() {
    let app = spawn_app().await;
    // A spare holder of USER_MANAGEMENT, so that the last-holder rule never interferes here.
    app.actor("Spare admin", &[Permission::UserManagement]).await;
    let operators: [&[Permission]; 3] = [
        &[Permission::UserManagement],
        &[Permission::UserManagement, Permission::DataManagement],
        &[Permission::UserManagement, Permission::Orders],
    ];
    let mut failures: Vec<String> = Vec::new();
    for held in operators {
        let op = app.actor("Operator", held).await;
        let holds = PermissionSet::closure(held.iter().copied());
        for p in Permission::ALL {
            let expected = if holds.has(p) { "OK" } else { "FORBIDDEN" };
            let mut check = |what: &str, r: &GqlResponse| {
                if outcome(r) != expected {
                    failures.push(format!("{held:?} {what} {p:?}: expected {expected}, got {}", r.body));
                }
            };
            let target = app.actor("Target", &[]).await;
            check("grants", &app.gql_as(&op, GRANT, json!({ "id": target.id, "p": [p.as_str()] })).await);
            check("creates with", &app.gql_as(&op, CREATE, json!({ "e": fresh_email(), "p": [p.as_str()] })).await);
            let holder = app.actor("Holder", &[p]).await;
            for (what, r) in takeovers(&app, &op, &holder).await {
                check(what, &r);
            }
            // Nobody edits their own permissions, whatever they hold.
            let own = app.gql_as(&op, GRANT, json!({ "id": op.id, "p": [p.as_str(), "USER_MANAGEMENT"] })).await;
            if outcome(&own) != "FORBIDDEN" {
                failures.push(format!("{held:?} grants itself {p:?}: {}", own.body));
            }
        }
    }
    assert!(failures.is_empty(), "{} rule breaches:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn a_statistics_scope_counts_as_statistics_access() {
    let app = spawn_app().await;
    let op = app.actor("Operator", &[Permission::UserManagement]).await;
    let target = app.actor("Target", &[]).await;
    let scope =
        "mutation($id: ID!) { updateUser(id: $id, input: {scope: [{column: \"school\", values: [\"A\"]}]}) { id } }";
    let r = app.gql_as(&op, scope, json!({ "id": target.id })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"), "a scope grants statistics access: {}", r.body);
    // An operator who reads statistics only within a scope cannot grant the whole frame.
    let scoped_op = app.actor("Scoped operator", &[Permission::UserManagement, Permission::StatsRead]).await;
    let scoped = UserInput {
        scope: Some(vec![datatracker::domain::model::ScopeFilter {
            column: "school".into(),
            values: vec!["A".into()],
        }]),
        ..Default::default()
    };
    app.state.tracker().update_user(&Principal::System, &scoped_op.id, scoped).await.unwrap();
    let r = app.gql_as(&scoped_op, GRANT, json!({ "id": target.id, "p": ["STATS_READ"] })).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"), "{}", r.body);
    let full_op = app.actor("Full operator", &[Permission::UserManagement, Permission::StatsRead]).await;
    assert!(app.gql_as(&full_op, scope, json!({ "id": target.id })).await.body.get("errors").is_none());
}

#[tokio::test]
async fn nobody_changes_their_own_permissions_login_identities_or_scope() {
    let app = spawn_app().await;
    let op = app.actor("Operator", &[Permission::UserManagement, Permission::StatsRead]).await;
    app.actor("Spare admin", &[Permission::UserManagement]).await;
    for input in ["permissions: []", "authIds: [\"me::evil\"]", "scope: []"] {
        let q = format!("mutation($id: ID!) {{ updateUser(id: $id, input: {{{input}}}) {{ id }} }}");
        let r = app.gql_as(&op, &q, json!({ "id": op.id })).await;
        assert_eq!(r.error_code(), Some("FORBIDDEN"), "{input}: {}", r.body);
        let q = format!("mutation {{ updateMe(input: {{{input}}}) {{ id }} }}");
        assert_eq!(app.gql_as(&op, &q, json!({})).await.error_code(), Some("FORBIDDEN"), "{input}");
    }
    let r = app
        .gql_as(
            &op,
            "mutation($id: ID!) { updateUser(id: $id, input: {name: \"Renamed\"}) { name } }",
            json!({ "id": op.id }),
        )
        .await;
    assert_eq!(r.data()["updateUser"]["name"], "Renamed", "profile fields stay editable");
}

#[tokio::test]
async fn the_last_holder_of_user_management_keeps_it() {
    let app = spawn_app().await;
    let a = app.actor("A", &[Permission::UserManagement]).await;
    let r = app.gql_as(&a, "mutation($id: ID!) { deleteUser(id: $id) }", json!({ "id": a.id })).await;
    assert_eq!(r.error_code(), Some("CONFLICT"), "{}", r.body);
    // Not even the operator CLI takes it away.
    let none = UserInput { permissions: Some(vec![]), ..Default::default() };
    let err = app.state.tracker().update_user(&Principal::System, &a.id, none).await.unwrap_err();
    assert!(err.to_string().contains("last user with USER_MANAGEMENT"), "{err}");
    // With a second holder, one may remove the other.
    let b = app.actor("B", &[Permission::UserManagement]).await;
    let r = app.gql_as(&a, GRANT, json!({ "id": b.id, "p": [] })).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let r = app.gql_as(&a, "mutation($id: ID!) { deleteUser(id: $id) }", json!({ "id": a.id })).await;
    assert_eq!(r.error_code(), Some("CONFLICT"), "A is the last holder again: {}", r.body);
    let me: Value = app.gql_as(&a, "{ me { permissions } }", json!({})).await.data()["me"]["permissions"].clone();
    assert_eq!(me, json!(["USER_MANAGEMENT"]));
}

#[tokio::test]
async fn two_managers_removing_each_other_at_once_leave_one_holder() {
    const DELETE: &str = "mutation($id: ID!) { deleteUser(id: $id) }";
    for round in 0..6 {
        let app = spawn_app().await;
        let a = app.actor("A", &[Permission::UserManagement]).await;
        let b = app.actor("B", &[Permission::UserManagement]).await;
        // Each takes USER_MANAGEMENT from the other (or deletes the other) at the same moment.
        let (ra, rb) = if round % 2 == 0 {
            tokio::join!(
                app.gql_as(&a, GRANT, json!({ "id": b.id, "p": [] })),
                app.gql_as(&b, GRANT, json!({ "id": a.id, "p": [] }))
            )
        } else {
            tokio::join!(app.gql_as(&a, DELETE, json!({ "id": b.id })), app.gql_as(&b, DELETE, json!({ "id": a.id })))
        };
        let codes = [ra.error_code(), rb.error_code()];
        assert!(codes.contains(&Some("CONFLICT")), "round {round}: one of the two is refused: {codes:?}");
        let holders = app
            .store
            .db()
            .collection::<bson::Document>("users")
            .count_documents(bson::doc! { "permissions": "USER_MANAGEMENT" })
            .await
            .unwrap();
        assert_eq!(holders, 1, "round {round}: exactly one holder is left ({codes:?})");
    }
}
