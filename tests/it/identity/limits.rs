//! Failure limits that cannot be turned against a victim: per (address, user) pair and per address, every
//! spelling of a user counting as that user, the address from a trusted proxy header, shared by instances.

#![allow(clippy::unwrap_used)]

use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::json;

use crate::harness::{spawn_app_with, Actor, TestApp};

const LIMITS: [(&str, &str); 4] = [
    ("DATATRACKER_AUTH_MAX_FAILURES", "3"),
    ("DATATRACKER_AUTH_MAX_FAILURES_PER_ADDRESS", "6"),
    ("DATATRACKER_CLIENT_IP_HEADER", "X-Forwarded-For"),
    ("DATATRACKER_TRUSTED_PROXIES", "127.0.0.1"),
];

/// A `{ me { id } }` request naming `user` with `key`, from client address `from` (through the proxy).
async fn attempt(app: &TestApp, from: &str, user: &str, key: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/graphql", app.base))
        .header("x-forwarded-for", format!("203.0.113.250, {from}"))
        .header("x-api-user", user)
        .header("x-api-key", key)
        .json(&json!({ "query": "{ me { id } }" }))
        .send()
        .await
        .unwrap()
}

async fn status(app: &TestApp, from: &str, user: &str, key: &str) -> u16 {
    attempt(app, from, user, key).await.status().as_u16()
}

async fn with_auth_id(app: &TestApp, actor: &Actor, auth_id: &str) {
    let input = UserInput { auth_ids: Some(vec![auth_id.into()]), ..Default::default() };
    app.state.tracker().update_user(&Principal::System, &actor.id, input).await.unwrap();
}

#[tokio::test]
async fn failures_in_a_victims_name_do_not_lock_the_victim_out() {
    let app = spawn_app_with(&LIMITS).await;
    let victim = app.actor("Victim", &[]).await;
    for _ in 0..5 {
        let s = status(&app, "198.51.100.66", &victim.id, "wrong").await;
        assert!(s == 401 || s == 429, "{s}");
    }
    let resp = attempt(&app, "198.51.100.66", &victim.id, &victim.key).await;
    assert_eq!(resp.status(), 429, "the attacker's pair is blocked, even with the right key");
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(status(&app, "192.0.2.7", &victim.id, &victim.key).await, 200, "the victim elsewhere is not");
}

#[tokio::test]
async fn every_spelling_of_a_user_counts_as_that_user_and_the_address_has_its_own_limit() {
    let app = spawn_app_with(&LIMITS).await;
    let victim = app.actor("Victim", &[]).await;
    let bystander = app.actor("Bystander", &[]).await;
    with_auth_id(&app, &victim, "victim-sub::elixir").await;
    let from = "198.51.100.9";
    let braced = format!("{{{}}}", victim.id.to_uppercase());
    for spelling in [victim.id.to_uppercase(), "victim-sub::elixir".to_owned(), braced] {
        assert_eq!(status(&app, from, &spelling, "wrong").await, 401, "{spelling}");
    }
    assert_eq!(status(&app, from, &victim.id, &victim.key).await, 429, "three spellings, one user");
    assert_eq!(status(&app, from, &bystander.id, &bystander.key).await, 200, "the address is not blocked yet");
    for _ in 0..3 {
        status(&app, from, &bystander.id, "wrong").await;
    }
    let other = app.actor("Other", &[]).await;
    assert_eq!(status(&app, from, &other.id, &other.key).await, 429, "six failures block the address");
    assert_eq!(status(&app, "192.0.2.8", &other.id, &other.key).await, 200);
}

#[tokio::test]
async fn the_proxy_header_is_believed_only_from_a_trusted_proxy() {
    let app = spawn_app_with(&[
        ("DATATRACKER_AUTH_MAX_FAILURES", "2"),
        ("DATATRACKER_CLIENT_IP_HEADER", "X-Forwarded-For"),
        ("DATATRACKER_TRUSTED_PROXIES", "192.0.2.1"),
    ])
    .await;
    let a = app.actor("A", &[]).await;
    // The test client (127.0.0.1) is not a trusted proxy: changing the header does not escape the limit.
    for n in 0..2 {
        status(&app, &format!("198.51.100.{n}"), &a.id, "wrong").await;
    }
    assert_eq!(status(&app, "198.51.100.99", &a.id, &a.key).await, 429);
}

#[tokio::test]
async fn failure_counts_are_shared_by_every_instance() {
    let first = spawn_app_with(&LIMITS).await;
    let second = first.another_instance(&LIMITS).await;
    let victim = first.actor("Victim", &[]).await;
    for _ in 0..3 {
        assert_eq!(status(&first, "198.51.100.5", &victim.id, "wrong").await, 401);
    }
    assert_eq!(status(&second, "198.51.100.5", &victim.id, &victim.key).await, 429, "blocked on the other instance");
    assert_eq!(status(&second, "192.0.2.5", &victim.id, &victim.key).await, 200);
    let count =
        first.store.db().collection::<bson::Document>("auth_failures").count_documents(bson::doc! {}).await.unwrap();
    assert_eq!(count, 2, "one counter for the address and one for the pair");
}
