//! `changes` and `changeFeedInfo`: cursors, pages, types; the top-level lists' large pages.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use crate::harness::spawn_app;

#[tokio::test]
async fn pages_follow_the_sequence_and_end_cursors_move_past_hidden_entries() {
    let app = spawn_app().await;
    let info = app.gql("{ changeFeedInfo { oldestCursor newestCursor } }", json!({})).await;
    assert_eq!(info.data()["changeFeedInfo"], json!({ "oldestCursor": null, "newestCursor": null }));
    let empty = app.gql("{ changes { endCursor hasNextPage nodes { sequence } } }", json!({})).await;
    assert_eq!(empty.data()["changes"], json!({ "endCursor": "0", "hasNextPage": false, "nodes": [] }));
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let order = app.create_order(&owner, "hidden order").await;
    for i in 0..5 {
        app.create_dataset(&owner, &order, &format!("d{i}")).await;
    }
    let info = app.gql("{ changeFeedInfo { oldestCursor newestCursor } }", json!({})).await;
    let newest: i64 = info.data()["changeFeedInfo"]["newestCursor"].as_str().unwrap().parse().unwrap();
    assert_eq!(info.data()["changeFeedInfo"]["oldestCursor"], "1");
    // Anonymous: the user and order entries are scanned but hidden (the user is public: its ADD is shown).
    let q = "query($a: String, $f: Int) { changes(after: $a, first: $f) { endCursor hasNextPage nodes { sequence action dataType } } }";
    let mut after = "0".to_owned();
    let mut seen = Vec::new();
    loop {
        let r = app.gql(q, json!({ "a": after, "f": 2 })).await;
        let page = &r.data()["changes"];
        let end: i64 = page["endCursor"].as_str().unwrap().parse().unwrap();
        assert!(end > after.parse::<i64>().unwrap(), "the end cursor moves forward");
        for n in page["nodes"].as_array().unwrap() {
            seen.push((n["dataType"].as_str().unwrap().to_owned(), n["sequence"].as_str().unwrap().to_owned()));
        }
        after = end.to_string();
        if page["hasNextPage"] != true {
            break;
        }
    }
    assert_eq!(after, newest.to_string());
    assert_eq!(seen.iter().filter(|(t, _)| t == "DATASET").count(), 5);
    assert!(seen.iter().all(|(t, _)| t != "ORDER"), "the order is hidden from anonymous readers: {seen:?}");
    // Types narrow the feed.
    let r = app.gql_as(&owner, "{ changes(types: [ORDER]) { nodes { dataType entityId } } }", json!({})).await;
    assert_eq!(r.data()["changes"]["nodes"], json!([{ "dataType": "ORDER", "entityId": order }]));
    // Malformed and unknown cursors are the caller's fault.
    for bad in ["abc", "-1", "1.5", &(newest + 1).to_string()] {
        let r = app.gql(q, json!({ "a": bad, "f": 2 })).await;
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{bad}: {}", r.body);
        assert_eq!(r.error_field(), Some("after"));
    }
    let r = app.gql(q, json!({ "a": "0", "f": -1 })).await;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn lists_take_pages_of_a_thousand_and_count_only_when_asked() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let order = app.create_order(&owner, "o").await;
    for i in 0..3 {
        app.create_dataset(&owner, &order, &format!("d{i}")).await;
    }
    let q = "{ datasets(first: 1000) { totalCount pageInfo { hasNextPage } nodes { id } } }";
    let r = app.gql(q, json!({})).await;
    assert_eq!(r.data()["datasets"]["totalCount"], 3);
    assert_eq!(r.data()["datasets"]["nodes"].as_array().unwrap().len(), 3);
    // Without totalCount no count command is sent.
    let before = app.command_count();
    app.gql("{ datasets(first: 1000) { nodes { id } } }", json!({})).await.data();
    let without = app.command_count() - before;
    let before = app.command_count();
    app.gql(q, json!({})).await.data();
    let with = app.command_count() - before;
    assert!(with > without, "counting costs a command ({with} vs {without})");
    // The cost limit counts the page: a deep selection over 1,000 items is refused before any work.
    let deep = "{ datasets(first: 1000) { nodes { related { related { id } } } } }";
    let r = app.gql_as(&owner, deep, json!({})).await;
    assert_eq!(r.body["errors"][0]["extensions"]["reason"], "MAX_COMPLEXITY", "{}", r.body);
}

#[tokio::test]
async fn a_page_selected_through_nodes_costs_no_more_round_trips_when_it_grows() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::DataManagement]).await;
    let q =
        "{ datasets(first: 50) { nodes { id order { id title } collections { id } related { id } editors { id } } } }";
    let mut costs = Vec::new();
    // One order: `related` reads one bounded page per order on the page (tests/it/tracker/totals.rs).
    let order = app.create_order(&owner, "o").await;
    for n in [2, 12] {
        for i in 0..n {
            app.create_dataset(&owner, &order, &format!("d{i}")).await;
        }
        app.gql_as(&owner, q, json!({})).await.data();
        let before = app.command_count();
        app.gql_as(&owner, q, json!({})).await.data();
        costs.push(app.command_count() - before);
    }
    assert_eq!(costs[0], costs[1], "the round trips do not grow with the page: {costs:?}");
}
