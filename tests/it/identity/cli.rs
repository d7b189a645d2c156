#![allow(clippy::unwrap_used)]

use std::process::Command;

use datatracker::auth::bootstrap::{ensure_local_admin, LOCAL_ADMIN_AUTH_ID};
use serde_json::{json, Value};

use crate::harness::{mongodb_uri, spawn_app, Actor, TestApp, TEST_SECRET};

fn users(app: &TestApp, args: &[&str]) -> (bool, Value, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatracker"));
    for (key, _) in std::env::vars() {
        if key.starts_with("DATATRACKER_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .arg("users")
        .args(args)
        .arg("--json")
        .env("DATATRACKER_MONGODB_URI", mongodb_uri())
        .env("DATATRACKER_DATABASE", &app.db_name)
        .env("DATATRACKER_SECRET_KEY", TEST_SECRET)
        .env("DATATRACKER_STATS_SECRET", crate::harness::TEST_STATS_SECRET)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (out.status.success(), json, String::from_utf8_lossy(&out.stderr).to_string())
}

#[tokio::test]
async fn the_users_cli_round_trips_as_json_and_its_key_works() {
    let app = spawn_app().await;
    let (ok, created, err) =
        users(&app, &["create", "Ann Admin", "--email", "ann@example.org", "--permission", "user_management"]);
    assert!(ok, "{err}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["permissions"], json!(["USER_MANAGEMENT"]));

    let (ok, key, err) = users(&app, &["apikey", &id]);
    assert!(ok, "{err}");
    assert_eq!(key["userId"], id.as_str());
    let actor = Actor { id: key["authId"].as_str().unwrap().to_owned(), key: key["apiKey"].as_str().unwrap().into() };
    assert_eq!(app.gql_as(&actor, "{ me { name } }", json!({})).await.data()["me"]["name"], "Ann Admin");

    let (ok, _, err) = users(&app, &["update", &id, "--no-permissions"]);
    assert!(!ok && err.contains("last user with USER_MANAGEMENT"), "the last holder keeps it: {err}");
    let (ok, _, err) =
        users(&app, &["create", "Bo Admin", "--email", "bo@example.org", "--permission", "USER_MANAGEMENT"]);
    assert!(ok, "{err}");
    let (ok, updated, err) = users(&app, &["update", &id, "--name", "Ann B", "--no-permissions"]);
    assert!(ok, "{err}");
    assert_eq!((updated["name"].as_str(), updated["permissions"].clone()), (Some("Ann B"), json!([])));
    let (_, list, _) = users(&app, &["list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains("salt"), "no key material in listings");
    let logs = app.store.db().collection::<bson::Document>("logs");
    let by_system = logs.count_documents(bson::doc! { "user": "system" }).await.unwrap();
    assert!(by_system >= 3, "create, key and update are logged by system");

    let (ok, deleted, _) = users(&app, &["delete", &id]);
    assert!(ok);
    assert_eq!(deleted["deleted"], id.as_str());
    let (ok, _, err) = users(&app, &["create", "X", "--email", "x@example.org", "--permission", "ROOT"]);
    assert!(!ok);
    assert!(err.contains("unknown permission"), "{err}");
}

#[tokio::test]
async fn the_local_administrator_is_created_once_with_every_permission() {
    let app = spawn_app().await;
    let (user, key) = ensure_local_admin(app.state.tracker()).await.unwrap().expect("created on first run");
    assert!(ensure_local_admin(app.state.tracker()).await.unwrap().is_none(), "never twice");
    let admin = Actor { id: LOCAL_ADMIN_AUTH_ID.into(), key };
    let r = app.gql_as(&admin, "{ me { id permissions } }", json!({})).await;
    assert_eq!(r.data()["me"]["id"], user.id.to_string());
    assert_eq!(
        r.data()["me"]["permissions"].as_array().unwrap().len(),
        datatracker::domain::permissions::Permission::ALL.len()
    );
}
