//! Migrations: applied once, idempotent, checksummed, locked; collections validated.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use bson::doc;
use datatracker::store::migrations::{self, Migration, MigrationError, MigrationState};
use datatracker::store::Store;

use crate::harness::{fresh_db_name, mongodb_uri};

async fn fresh_store() -> Store {
    Store::connect(&mongodb_uri(), &fresh_db_name()).await.unwrap()
}

#[tokio::test]
async fn migrations_apply_once_and_a_rerun_does_nothing() {
    let store = fresh_store().await;
    let all = migrations::embedded();
    let first = migrations::migrate(&store, &all, Duration::from_secs(5)).await.unwrap();
    assert_eq!(first.len(), all.len());
    let second = migrations::migrate(&store, &all, Duration::from_secs(5)).await.unwrap();
    assert!(second.is_empty());
    let records = store.db().collection::<bson::Document>("migrations").count_documents(doc! {}).await.unwrap();
    assert_eq!(records as usize, all.len());
    let status = migrations::status(&store, &all).await.unwrap();
    assert!(status.iter().all(|s| matches!(s.state, MigrationState::Applied(_))));
}

#[tokio::test]
async fn a_changed_applied_migration_is_refused() {
    let store = fresh_store().await;
    let mut all = migrations::embedded();
    migrations::migrate(&store, &all, Duration::from_secs(5)).await.unwrap();
    all[0].text.push(' ');
    let err = migrations::migrate(&store, &all, Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(err, MigrationError::Drift { .. }), "{err}");
    assert!(err.to_string().contains(&all[0].name));
}

#[tokio::test]
async fn a_failing_migration_is_not_recorded_and_stops() {
    let store = fresh_store().await;
    let mut all = migrations::embedded();
    let bad = r#"{"description": "bad", "commands": [{"create": "ok_before_failure"}, {"noSuchCommand": 1}]}"#;
    all.push(Migration::new(99, "0099_bad", bad));
    all.push(Migration::new(
        100,
        "0100_after",
        r#"{"description": "after", "commands": [{"create": "never_created"}]}"#,
    ));
    let err = migrations::migrate(&store, &all, Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(err, MigrationError::Failed { ref name, .. } if name == "0099_bad"), "{err}");
    let recorded =
        store.db().collection::<bson::Document>("migrations").find_one(doc! { "_id": "0099_bad" }).await.unwrap();
    assert!(recorded.is_none());
    let names = store.db().list_collection_names().await.unwrap();
    assert!(!names.contains(&"never_created".to_string()));
    let status = migrations::status(&store, &all).await.unwrap();
    assert_eq!(status.iter().find(|s| s.name == "0099_bad").unwrap().state, MigrationState::Pending);
}

#[tokio::test]
async fn a_held_lock_stops_a_second_migrator() {
    let store = fresh_store().await;
    let now = bson::DateTime::now();
    let later = bson::DateTime::from_millis(now.timestamp_millis() + 600_000);
    store
        .db()
        .collection::<bson::Document>("migration_lock")
        .insert_one(doc! { "_id": "migrate", "owner": "other-instance", "acquiredAt": now, "expiresAt": later })
        .await
        .unwrap();
    let err = migrations::migrate(&store, &migrations::embedded(), Duration::from_millis(500)).await.unwrap_err();
    assert!(matches!(err, MigrationError::LockHeld { ref owner, .. } if owner == "other-instance"), "{err}");
    let applied = store.db().collection::<bson::Document>("migrations").count_documents(doc! {}).await.unwrap();
    assert_eq!(applied, 0);
}

#[tokio::test]
async fn an_expired_lock_is_taken_over() {
    let store = fresh_store().await;
    let past = bson::DateTime::from_millis(bson::DateTime::now().timestamp_millis() - 1000);
    store
        .db()
        .collection::<bson::Document>("migration_lock")
        .insert_one(doc! { "_id": "migrate", "owner": "crashed", "acquiredAt": past, "expiresAt": past })
        .await
        .unwrap();
    let applied = migrations::migrate(&store, &migrations::embedded(), Duration::from_millis(500)).await.unwrap();
    assert!(!applied.is_empty());
}

#[tokio::test]
async fn validators_reject_bad_documents_written_directly() {
    let store = fresh_store().await;
    migrations::migrate(&store, &migrations::embedded(), Duration::from_secs(5)).await.unwrap();
    let id = bson::Binary { subtype: bson::spec::BinarySubtype::Uuid, bytes: uuid::Uuid::new_v4().as_bytes().to_vec() };
    let orders = store.db().collection::<bson::Document>("orders");
    let empty_title =
        doc! { "_id": id.clone(), "title": "", "editors": [id.clone()], "organisation": id.clone(), "version": 1 };
    assert!(orders.insert_one(empty_title).await.is_err(), "empty title must be refused");
    let no_editors = doc! { "_id": id.clone(), "title": "t", "editors": [], "organisation": id.clone(), "version": 1 };
    assert!(orders.insert_one(no_editors).await.is_err(), "an order without editors must be refused");
    let good =
        doc! { "_id": id.clone(), "title": "t", "editors": [id.clone()], "organisation": id.clone(), "version": 1 };
    orders.insert_one(good).await.unwrap();
    let logs = store.db().collection::<bson::Document>("logs");
    let bad_log = doc! { "_id": id.clone(), "action": "RENAME", "dataType": "order", "entityId": id.clone(), "timestamp": bson::DateTime::now(), "user": "system" };
    assert!(logs.insert_one(bad_log).await.is_err());
}

#[tokio::test]
async fn unique_indexes_refuse_duplicate_verified_emails_only() {
    let store = fresh_store().await;
    migrations::migrate(&store, &migrations::embedded(), Duration::from_secs(5)).await.unwrap();
    let users = store.db().collection::<bson::Document>("users");
    let user = |email: &str, verified: bool| {
        let id =
            bson::Binary { subtype: bson::spec::BinarySubtype::Uuid, bytes: uuid::Uuid::new_v4().as_bytes().to_vec() };
        doc! { "_id": id, "name": "n", "email": email, "emailVerified": verified, "permissions": [], "authIds": [], "version": 1 }
    };
    users.insert_one(user("a@example.org", true)).await.unwrap();
    users.insert_one(user("b@example.org", true)).await.unwrap();
    users.insert_one(user("a@example.org", false)).await.unwrap();
    users.insert_one(user("a@example.org", false)).await.unwrap();
    let err = users.insert_one(user("a@example.org", true)).await.unwrap_err();
    let classified = datatracker::store::StoreError::classify(err);
    assert!(
        matches!(classified, datatracker::store::StoreError::Duplicate { ref index } if index == "users_verified_email_unique"),
        "{classified}"
    );
}
