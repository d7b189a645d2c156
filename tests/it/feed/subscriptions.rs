//! The `changes` subscription over graphql-transport-ws at `/graphql/ws`: replay then live, equal to the
//! query; bad credentials closed with 4403; a revoked key closed; a slow consumer closed and able to resume.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use datatracker::domain::permissions::Permission;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{spawn_app, Actor, TestApp};

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const SELECTION: &str = "cursor sequence action dataType entityId actorId dataset { title description }";

/// Opens `/graphql/ws` with the protocol and extra headers.
async fn open(app: &TestApp, headers: &[(&str, &str)]) -> Ws {
    let mut req = format!("ws://{}/graphql/ws", app.addr).into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    for (k, v) in headers {
        req.headers_mut().insert(k.parse::<http::HeaderName>().unwrap(), v.parse().unwrap());
    }
    let (ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(resp.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    ws
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// The next protocol message, or `Err(close code)` when the server closed.
async fn recv(ws: &mut Ws) -> Result<Value, u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("a message in time") {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(t.as_str()).unwrap()),
            Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| u16::from(f.code)).unwrap_or(1005)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(1006),
        }
    }
}

/// Connects and initialises with an API key in the init payload; asserts the ack.
async fn connect_as(app: &TestApp, who: &Actor) -> Ws {
    let mut ws = open(app, &[]).await;
    send(&mut ws, json!({ "type": "connection_init", "payload": { "x-api-user": who.id, "x-api-key": who.key } }))
        .await;
    assert_eq!(recv(&mut ws).await.unwrap()["type"], "connection_ack");
    ws
}

async fn subscribe(ws: &mut Ws, after: &str) {
    let query = format!("subscription($a: String) {{ changes(after: $a) {{ {SELECTION} }} }}");
    send(ws, json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": { "a": after } } }))
        .await;
}

/// The next change delivered on subscription "1".
async fn next_change(ws: &mut Ws) -> Value {
    let m = recv(ws).await.unwrap();
    assert_eq!(m["type"], "next", "{m}");
    assert!(m["payload"].get("errors").is_none(), "{m}");
    m["payload"]["data"]["changes"].clone()
}

/// The whole feed as `who` reads it with the query, with the same selection.
async fn query_all(app: &TestApp, who: &Actor, after: &str) -> Vec<Value> {
    let q = format!(
        "query($a: String) {{ changes(after: $a, first: 1000) {{ endCursor hasNextPage nodes {{ {SELECTION} }} }} }}"
    );
    let (mut after, mut all) = (after.to_owned(), Vec::new());
    loop {
        let r = app.gql_as(who, &q, json!({ "a": after })).await;
        let page = r.data()["changes"].clone();
        all.extend(page["nodes"].as_array().unwrap().iter().cloned());
        after = page["endCursor"].as_str().unwrap().to_owned();
        if page["hasNextPage"] != true {
            return all;
        }
    }
}

#[tokio::test]
async fn replay_then_live_equals_the_query() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[]).await;
    let order = app.create_order(&owner, "hidden order").await;
    for i in 0..3 {
        app.create_dataset(&owner, &order, &format!("before {i}")).await;
    }
    let mut ws = connect_as(&app, &reader).await;
    subscribe(&mut ws, "0").await;
    let replayed = query_all(&app, &reader, "0").await;
    let mut got = Vec::new();
    for _ in 0..replayed.len() {
        got.push(next_change(&mut ws).await);
    }
    for i in 0..4 {
        app.create_dataset(&owner, &order, &format!("live {i}")).await;
    }
    let ds = app.create_dataset(&owner, &order, "deleted later").await;
    app.gql_as(&owner, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": ds })).await.data();
    let expected = query_all(&app, &reader, "0").await;
    while got.len() < expected.len() {
        got.push(next_change(&mut ws).await);
    }
    assert_eq!(got, expected, "the subscription delivers what the query returns, in the same order");
    assert!(got.iter().any(|c| c["action"] == "DELETE"));
    assert!(got.iter().all(|c| c["dataType"] != "ORDER"), "the hidden order leaves no trace");
}

#[tokio::test]
async fn a_bad_credential_is_closed_with_4403() {
    let app = spawn_app().await;
    let who = app.actor("Someone", &[]).await;
    let mut ws = open(&app, &[]).await;
    send(&mut ws, json!({ "type": "connection_init", "payload": { "x-api-user": who.id, "x-api-key": "wrong" } }))
        .await;
    assert_eq!(recv(&mut ws).await, Err(4403));
    // Wrong key headers on the upgrade request: the same.
    let mut ws = open(&app, &[("x-api-user", &who.id), ("x-api-key", "wrong")]).await;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(recv(&mut ws).await, Err(4403));
    // The key headers on the upgrade request authenticate.
    let mut ws = open(&app, &[("x-api-user", &who.id), ("x-api-key", &who.key)]).await;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(recv(&mut ws).await.unwrap()["type"], "connection_ack");
}

#[tokio::test]
async fn a_revoked_key_ends_the_subscription() {
    let app = spawn_app().await;
    app.state.feed().set_recheck_interval(Duration::from_millis(300));
    let who = app.actor("Someone", &[]).await;
    let mut ws = connect_as(&app, &who).await;
    subscribe(&mut ws, "0").await;
    // Regenerating the key revokes the old one.
    let r = app.gql_as(&who, "mutation { generateApiKey { apiKey } }", json!({})).await;
    r.data();
    loop {
        match recv(&mut ws).await {
            Ok(m) => assert_eq!(m["type"], "next", "{m}"),
            Err(code) => {
                assert_eq!(code, 4403);
                break;
            }
        }
    }
}

#[tokio::test]
async fn a_slow_consumer_is_closed_and_resumes_from_its_cursor() {
    let app = spawn_app().await;
    app.state.feed().set_capacity(2);
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let order = app.create_order(&owner, "o").await;
    let mut ws = connect_as(&app, &owner).await;
    let start = query_all(&app, &owner, "0").await.last().unwrap()["cursor"].as_str().unwrap().to_owned();
    subscribe(&mut ws, &start).await;
    // The client reads nothing while large changes pile up: the socket's buffers fill, the server stops
    // taking batches for it, and the bounded channel overflows.
    let big = "x".repeat(99_000);
    let create = "mutation($o: ID!, $t: String!, $d: String!) { createDataset(orderId: $o, input: {title: $t, description: $d}) { id } }";
    for i in 0..160 {
        app.gql_as(&owner, create, json!({ "o": order, "t": format!("d{i}"), "d": big })).await.data();
    }
    let (mut got, mut lagged) = (Vec::new(), false);
    loop {
        match recv(&mut ws).await {
            Ok(m) if m["type"] == "next" && m["payload"].get("errors").is_some() => {
                assert_eq!(m["payload"]["errors"][0]["extensions"]["reason"], "SLOW_CONSUMER", "{m}");
                lagged = true;
            }
            Ok(m) if m["type"] == "next" => got.push(m["payload"]["data"]["changes"].clone()),
            Ok(m) if m["type"] == "complete" => break,
            Ok(m) => panic!("unexpected {m}"),
            Err(code) => panic!("closed with {code} before completing"),
        }
    }
    assert!(lagged, "the slow consumer was told it lagged ({} delivered)", got.len());
    assert!(got.len() < 160);
    // Resuming from the last cursor received gives exactly the rest.
    let last = got.last().map(|c| c["cursor"].as_str().unwrap().to_owned()).unwrap_or(start.clone());
    subscribe(&mut ws, &last).await;
    let rest = query_all(&app, &owner, &last).await;
    for _ in 0..rest.len() {
        got.push(next_change(&mut ws).await);
    }
    assert_eq!(got, query_all(&app, &owner, &start).await);
    assert_eq!(got.len(), 160);
}

#[tokio::test]
async fn a_cookie_upgrade_from_another_origin_is_refused() {
    let app = spawn_app().await;
    let mut req = format!("ws://{}/graphql/ws", app.addr).into_client_request().unwrap();
    let h = req.headers_mut();
    h.insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    h.insert("cookie", "dt_session=anything".parse().unwrap());
    h.insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|(_, r)| r.status())),
    }
    // The service's own origin may upgrade (the bad session is then refused in connection_init).
    let mut req = format!("ws://{}/graphql/ws", app.addr).into_client_request().unwrap();
    let h = req.headers_mut();
    h.insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    h.insert("cookie", "dt_session=anything".parse().unwrap());
    h.insert("origin", app.base.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(recv(&mut ws).await, Err(4403));
}

#[tokio::test]
async fn subscription_payloads_show_each_role_only_what_it_could_read_directly() {
    use super::redaction::*;
    let app = spawn_app().await;
    let w = world(&app).await;
    let plain = app.actor("Plain", &[]).await;
    let owners_read = app.actor("Owners reader", &[Permission::OwnersRead]).await;
    let dm = app.actor("Data manager", &[Permission::DataManagement]).await;
    let hidden = [PRIVATE_SECRET, PROTECTED_SECRET, w.private_ds.as_str(), w.protected_ds.as_str(), RULE_SECRET];
    let query = format!("subscription {{ changes(after: \"0\") {{ {NODE} }} }}");
    for (name, who) in
        [("anonymous", None), ("plain", Some(&plain)), ("OWNERS_READ", Some(&owners_read)), ("DM", Some(&dm))]
    {
        let mut ws = open(&app, &[]).await;
        let payload = match who {
            Some(a) => json!({ "x-api-user": a.id, "x-api-key": a.key }),
            None => json!({}),
        };
        send(&mut ws, json!({ "type": "connection_init", "payload": payload })).await;
        assert_eq!(recv(&mut ws).await.unwrap()["type"], "connection_ack");
        send(&mut ws, json!({ "id": "1", "type": "subscribe", "payload": { "query": query } })).await;
        let expected = all_changes(&app, who).await.len();
        let mut got = Vec::new();
        for _ in 0..expected {
            got.push(next_change(&mut ws).await);
        }
        let text = Value::Array(got).to_string();
        assert_absent(name, &text, &[EMAIL_SECRET]);
        if name == "DM" {
            assert!(text.contains(PRIVATE_SECRET) && text.contains(RULE_SECRET));
        } else {
            assert_absent(name, &text, &hidden);
        }
        if name == "anonymous" || name == "plain" {
            assert_absent(name, &text, &[ORDER_SECRET, w.order.as_str()]);
        }
    }
}

#[tokio::test]
async fn a_session_cookie_authenticates_and_a_logout_ends_the_subscription() {
    let app = spawn_app().await;
    app.state.feed().set_recheck_interval(Duration::from_millis(300));
    let who = app.actor("Someone", &[]).await;
    let login = app
        .http
        .post(format!("{}/login/apikey", app.base))
        .json(&json!({ "authId": who.id, "apiKey": who.key }))
        .send()
        .await
        .unwrap();
    let token: String = login.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let cookie = format!("dt_session={token}");
    let mut ws = open(&app, &[("cookie", &cookie), ("origin", &app.base)]).await;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(recv(&mut ws).await.unwrap()["type"], "connection_ack");
    subscribe(&mut ws, "0").await;
    let mine = next_change(&mut ws).await;
    assert!(mine["sequence"].is_string());
    let r = app.http.post(format!("{}/logout", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    loop {
        match recv(&mut ws).await {
            Ok(m) => assert_eq!(m["type"], "next", "{m}"),
            Err(code) => {
                assert_eq!(code, 4403, "the ended session closes the subscription");
                break;
            }
        }
    }
}

#[tokio::test]
async fn subscribing_before_connection_init_is_unauthorized() {
    let app = spawn_app().await;
    let mut ws = open(&app, &[]).await;
    subscribe(&mut ws, "0").await;
    assert_eq!(recv(&mut ws).await, Err(4401));
}
