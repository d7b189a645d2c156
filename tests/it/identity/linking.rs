//! Account linking only on proven email, no email oracle, and one account for concurrent first logins.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use super::provider::{app_with_provider, browser, callback_url, login};
use crate::harness::TestApp;

const ALICE_EMAIL: &str = "alice@uni-example.org";

async fn me(app: &TestApp, browser: &reqwest::Client) -> Value {
    let resp = browser
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": "{ me { id email authIds } }" }))
        .send()
        .await
        .unwrap();
    resp.json::<Value>().await.unwrap()["data"]["me"].clone()
}

async fn users_with_auth_id_prefix(app: &TestApp, prefix: &str) -> u64 {
    let re = format!("^{}", regex_escape(prefix));
    app.store
        .db()
        .collection::<bson::Document>("users")
        .count_documents(bson::doc! { "authIds": { "$regex": re } })
        .await
        .unwrap()
}

fn regex_escape(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("\\{c}") }).collect()
}

#[tokio::test]
async fn an_email_typed_into_ones_own_profile_never_links_a_provider_login() {
    let (app, _provider) = app_with_provider().await;
    let squatter = app.actor("Squatter", &[]).await;
    let r = app
        .gql_as(
            &squatter,
            "mutation($e: String!) { updateMe(input: {email: $e}) { email } }",
            json!({ "e": ALICE_EMAIL }),
        )
        .await;
    assert_eq!(r.data()["updateMe"]["email"], ALICE_EMAIL);
    let b = browser();
    assert_eq!(login(&app, &b, "alice", "/").await.status(), 303);
    let alice = me(&app, &b).await;
    assert_ne!(alice["id"], squatter.id, "the login was linked to the squatter's account");
    assert_eq!(alice["email"], ALICE_EMAIL, "the new account keeps the provider's verified email");
    let squatter_ids = app.gql_as(&squatter, "{ me { authIds } }", json!({})).await;
    assert_eq!(squatter_ids.data()["me"]["authIds"], json!([]));
}

#[tokio::test]
async fn an_email_set_without_user_management_never_links() {
    let (app, _provider) = app_with_provider().await;
    let adder = app.actor("Adder", &[Permission::Orders]).await; // ORDERS ⇒ USER_ADD, not USER_MANAGEMENT
    let r = app
        .gql_as(
            &adder,
            "mutation($e: String!) { createUser(input: {name: \"Fake Alice\", email: $e}) { id } }",
            json!({ "e": ALICE_EMAIL }),
        )
        .await;
    let fake = r.data()["createUser"]["id"].as_str().unwrap().to_owned();
    let b = browser();
    assert_eq!(login(&app, &b, "alice", "/").await.status(), 303);
    assert_ne!(me(&app, &b).await["id"], fake.as_str());
}

#[tokio::test]
async fn an_email_set_by_user_management_links() {
    let (app, _provider) = app_with_provider().await;
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    let r = app
        .gql_as(
            &um,
            "mutation($e: String!) { createUser(input: {name: \"Alice\", email: $e}) { id } }",
            json!({ "e": ALICE_EMAIL }),
        )
        .await;
    let alice = r.data()["createUser"]["id"].as_str().unwrap().to_owned();
    let b = browser();
    assert_eq!(login(&app, &b, "alice", "/").await.status(), 303);
    assert_eq!(me(&app, &b).await["id"], alice.as_str());
}

#[tokio::test]
async fn changing_ones_email_to_a_registered_one_answers_like_any_other_change() {
    let app = crate::harness::spawn_app().await;
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    app.gql_as(
        &um,
        "mutation($e: String!) { createUser(input: {name: \"Registered\", email: $e}) { id } }",
        json!({ "e": ALICE_EMAIL }),
    )
    .await
    .data();
    let prober = app.actor("Prober", &[]).await;
    let q = "mutation($e: String!) { updateMe(input: {email: $e}) { email } }";
    let taken = app.gql_as(&prober, q, json!({ "e": ALICE_EMAIL })).await;
    let free = app.gql_as(&prober, q, json!({ "e": "nobody-has-this@example.org" })).await;
    assert_eq!((taken.status, free.status), (200, 200));
    assert!(taken.body.get("errors").is_none(), "a registered email must not be revealed: {}", taken.body);
    assert_eq!(taken.data()["updateMe"]["email"], ALICE_EMAIL);
    assert!(free.body.get("errors").is_none());
}

#[tokio::test]
async fn an_unverified_provider_email_creates_a_separate_account() {
    let (app, _provider) = app_with_provider().await;
    let um = app.actor("UM", &[Permission::UserManagement]).await;
    let r = app
        .gql_as(
            &um,
            "mutation { createUser(input: {name: \"Carol\", email: \"carol@institute-example.org\"}) { id } }",
            json!({}),
        )
        .await;
    let carol = r.data()["createUser"]["id"].as_str().unwrap().to_owned();
    let b = browser();
    let resp = login(&app, &b, "carol", "/").await;
    assert_eq!(resp.status(), 303, "a new account, not an error page");
    let new = me(&app, &b).await;
    assert!(new["id"].is_string());
    assert_ne!(new["id"], carol.as_str());
}

#[tokio::test]
async fn concurrent_first_logins_of_one_person_end_in_one_account() {
    let (app, _provider) = app_with_provider().await;
    for (account, sub_prefix) in [("alice", "7d3f1c2a"), ("dave", "1a2b3c4d")] {
        if account == "dave" {
            let um = app.actor("UM", &[Permission::UserManagement]).await;
            app.gql_as(
                &um,
                "mutation { createUser(input: {name: \"Dave\", email: \"dave@uni-example.org\"}) { id } }",
                json!({}),
            )
            .await
            .data();
        }
        let browsers: Vec<reqwest::Client> = (0..6).map(|_| browser()).collect();
        let start = format!("{}/login/oidc/test/login", app.base);
        let mut callbacks = Vec::new();
        for b in &browsers {
            callbacks.push(callback_url(b, &start, account).await);
        }
        let answers =
            futures::future::join_all(browsers.iter().zip(&callbacks).map(|(b, url)| b.get(url).send())).await;
        for a in answers {
            let a = a.unwrap();
            assert_eq!(a.status(), 303, "{account}: {:?}", a.text().await);
        }
        let mut ids = Vec::new();
        for b in &browsers {
            ids.push(me(&app, b).await["id"].clone());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "{account}: {ids:?}");
        assert_eq!(users_with_auth_id_prefix(&app, sub_prefix).await, 1, "{account}");
    }
}
