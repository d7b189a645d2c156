//! Redaction per role: what anonymous callers, a plain user, an order editor, `OWNERS_READ` and
//! `DATA_MANAGEMENT` keys extract (JSON lines, Parquet, history; first run and changes) holds no field and
//! no entity the role may not read, found by searching the files for planted secret values.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use super::*;
use crate::harness::spawn_app;

/// Every value in every output file under `out`, as text.
pub(super) fn everything(out: &Path) -> String {
    let mut text = String::new();
    for f in all_files(out) {
        let name = f.to_string_lossy();
        if name.ends_with(".parquet") {
            text.push_str(&parquet_text(&f).1);
        } else if !name.ends_with(".key") {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&f).unwrap()));
        }
    }
    text
}

#[tokio::test]
async fn each_role_extracts_only_what_it_may_read() {
    let app = spawn_app().await;
    let admin = app.actor("Admin", &[Permission::DataManagement, Permission::UserManagement]).await;
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let plain = app.actor("Plain", &[]).await;
    let owners = app.actor("Owners", &[Permission::OwnersRead]).await;
    let dm = app.actor("Manager", &[Permission::DataManagement]).await;
    let victim = app
        .gql_as(
            &admin,
            "mutation { createUser(input: {name: \"Victim\", email: \"victim-secret-1@example.org\"}) { id } }",
            json!({}),
        )
        .await
        .data()["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let order = app.create_order(&editor, "SECRET-ORDER-TITLE").await;
    let create = "mutation($o: ID!, $i: DatasetFields!) { createDataset(orderId: $o, input: $i) { id } }";
    let private = app
        .gql_as(&editor, create, json!({ "o": order, "i": {"title": "SECRET-PRIVATE-TITLE-1", "access": "PRIVATE"} }))
        .await
        .data()["createDataset"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rules = json!({"users": [plain.id], "affiliations": ["SECRET-AFFIL-1"]});
    let protected = app
        .gql_as(
            &editor,
            create,
            json!({ "o": order, "i": {"title": "Protected one", "access": "PROTECTED", "accessRules": rules} }),
        )
        .await
        .data()["createDataset"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql_as(&editor, create, json!({ "o": order, "i": {"title": "Public one"} })).await.data();

    let roles: Vec<(&str, Option<&Actor>)> = vec![
        ("anonymous", None),
        ("plain", Some(&plain)),
        ("editor", Some(&editor)),
        ("owners", Some(&owners)),
        ("dm", Some(&dm)),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, actor) in &roles {
        run_ok(&app, *actor, &dir.path().join(name)).await;
    }
    // Changes, read from the feed by the next runs.
    let update = "mutation($id: ID!, $i: DatasetFields!) { updateDataset(id: $id, input: $i) { id } }";
    app.gql_as(&editor, update, json!({ "id": private, "i": {"title": "SECRET-PRIVATE-TITLE-2"} })).await.data();
    let rules = json!({"users": [plain.id], "affiliations": ["SECRET-AFFIL-2"]});
    app.gql_as(&editor, update, json!({ "id": protected, "i": {"accessRules": rules, "description": "changed"} }))
        .await
        .data();
    app.gql_as(
        &admin,
        "mutation($id: ID!) { updateUser(id: $id, input: {email: \"victim-secret-2@example.org\"}) { id } }",
        json!({ "id": victim }),
    )
    .await
    .data();
    app.gql_as(
        &editor,
        "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"SECRET-ORDER-TITLE-2\"}) { id } }",
        json!({ "id": order }),
    )
    .await
    .data();
    for (name, actor) in &roles {
        let s = run_ok(&app, *actor, &dir.path().join(name)).await;
        assert_eq!(s["mode"], "incremental", "{name}");
    }

    // (secret, roles that may read it)
    let expectations: [(&str, &[&str]); 5] = [
        ("SECRET-ORDER-TITLE", &["editor", "owners", "dm"]),
        ("SECRET-PRIVATE-TITLE", &["editor", "dm"]),
        ("SECRET-AFFIL", &["editor", "dm"]),
        ("victim-secret", &[]),
        ("Public one", &["anonymous", "plain", "editor", "owners", "dm"]),
    ];
    for (name, _) in &roles {
        let text = everything(&dir.path().join(name));
        for (secret, allowed) in expectations {
            let may = allowed.contains(name);
            if !may {
                assert!(!text.contains(secret), "{name} extracted {secret}");
            } else if secret == "Public one" {
                assert!(text.contains(secret), "{name} should have extracted {secret}");
            } else {
                let latest = format!("{secret}-2");
                assert!(text.contains(&latest), "{name} should have extracted {latest}");
            }
        }
        let protected_seen = jsonl(&dir.path().join(name), "datasets").contains_key(&protected);
        assert_eq!(protected_seen, ["plain", "editor", "dm"].contains(name), "{name}: protected dataset");
    }
}
