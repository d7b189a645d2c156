//! No request takes the service down: query cost counts lists, input sizes are checked before any work.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use datatracker::domain::permissions::Permission;
use serde_json::json;

use crate::harness::{spawn_app, GqlResponse};

fn assert_too_complex(r: &GqlResponse) {
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["reason"], "MAX_COMPLEXITY", "{}", r.body);
}

#[tokio::test]
async fn a_deep_nest_of_related_lists_is_refused_before_any_work() {
    let app = spawn_app().await;
    let u = app.actor("Una", &[]).await;
    let q = "{ datasets(first: 100) { edges { node { related { related { related { id } } } } } } }";
    let before = app.command_count();
    let r = app.gql_as(&u, q, json!({})).await;
    assert_too_complex(&r);
    assert!(app.command_count() - before <= 3, "refused after database work");
    let r =
        app.gql("{ collections { edges { node { datasets { collections { datasets { id } } } } } } }", json!({})).await;
    assert_too_complex(&r);
}

#[tokio::test]
async fn page_sizes_multiply_the_cost() {
    let app = spawn_app().await;
    let u = app.actor("Una", &[]).await;
    // One level of nesting at full size is fine for a signed-in caller ...
    let fine = "{ datasets(first: 100) { edges { node { id related { id title } } } } }";
    assert!(app.gql_as(&u, fine, json!({})).await.body.get("errors").is_none());
    // ... a second one is not, and a smaller `first` buys it back.
    let deep = "query($n: Int) { datasets(first: $n) { edges { node { related(first: 100) { related(first: 100) { id } } } } } }";
    assert_too_complex(&app.gql_as(&u, deep, json!({ "n": 100 })).await);
    assert!(app.gql_as(&u, deep, json!({ "n": 1 })).await.body.get("errors").is_none());
}

#[tokio::test]
async fn anonymous_callers_have_a_lower_budget() {
    let app = spawn_app().await;
    let u = app.actor("Una", &[]).await;
    let q =
        "{ datasets(first: 100) { edges { node { id title related { id title description } collections { id } } } } }";
    assert!(app.gql_as(&u, q, json!({})).await.body.get("errors").is_none(), "signed in: within budget");
    let r = app.gql(q, json!({})).await;
    assert_too_complex(&r);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("anonymous"));
}

#[tokio::test]
async fn nested_lists_are_capped_by_first() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let order = app.create_order(&o, "o").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(app.create_dataset(&o, &order, &format!("d{i}")).await);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let coll = app.create_collection(&o, "c", &refs).await;
    let r = app.gql("query($c: ID!) { collection(id: $c) { datasets(first: 2) { id } } }", json!({ "c": coll })).await;
    assert_eq!(r.data()["collection"]["datasets"].as_array().unwrap().len(), 2);
    let r = app.gql("query($d: ID!) { dataset(id: $d) { related(first: 1) { id } } }", json!({ "d": ids[0] })).await;
    assert_eq!(r.data()["dataset"]["related"].as_array().unwrap().len(), 1);
    let r = app.gql("query($d: ID!) { dataset(id: $d) { related(first: -1) { id } } }", json!({ "d": ids[0] })).await;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"));
}

/// Sends a mutation whose one list variable is `n` items long; the answer must be a fast BAD_USER_INPUT
/// naming `field`.
async fn refused_fast(
    app: &crate::harness::TestApp,
    who: &crate::harness::Actor,
    q: &str,
    var: &str,
    value: serde_json::Value,
    field: &str,
) {
    let started = Instant::now();
    let r = app.gql_as(who, q, json!({ var: value })).await;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{field}: {}", r.body);
    assert_eq!(r.error_field(), Some(field), "{}", r.body);
    assert!(started.elapsed() < Duration::from_secs(2), "{field}: refused slowly");
}

#[tokio::test]
async fn input_lists_and_strings_are_bounded_and_named() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders, Permission::UserManagement]).await;
    let order = app.create_order(&o, "o").await;
    let many = |n: usize, s: &str| json!(vec![s.to_owned(); n]);
    let uuid = uuid::Uuid::new_v4().to_string();
    let upd_order =
        |f: &str, t: &str| format!("mutation($v: {t}) {{ updateOrder(id: \"{order}\", input: {{{f}: $v}}) {{ id }} }}");
    refused_fast(&app, &o, &upd_order("tagsUser", "[String!]"), "v", many(51, "x"), "tagsUser").await;
    refused_fast(&app, &o, &upd_order("tagsStandard", "[String!]"), "v", many(51, "x"), "tagsStandard").await;
    refused_fast(&app, &o, &upd_order("editors", "[ID!]"), "v", many(51, &uuid), "editors").await;
    refused_fast(&app, &o, &upd_order("authors", "[ID!]"), "v", many(500, &uuid), "authors").await;
    refused_fast(&app, &o, &upd_order("title", "String"), "v", json!("é".repeat(501)), "title").await;
    refused_fast(&app, &o, &upd_order("editors", "[ID!]"), "v", many(20_000, &uuid), "variables.v").await;
    let xrefs: Vec<_> = (0..51).map(|i| json!({ "kind": "DOI", "value": format!("10.1/{i}") })).collect();
    let coll = app.create_collection(&o, "c", &[]).await;
    let upd_coll = format!("mutation($v: [CrossReferenceInput!]) {{ updateCollection(id: \"{coll}\", input: {{crossReferences: $v}}) {{ id }} }}");
    refused_fast(&app, &o, &upd_coll, "v", json!(xrefs), "crossReferences").await;
    let long_value = json!([{ "kind": "DOI", "value": "x".repeat(3000) }]);
    refused_fast(&app, &o, &upd_coll, "v", long_value, "crossReferences").await;
    let search = "query($v: String) { datasets(filter: {search: $v}) { totalCount } }";
    refused_fast(&app, &o, search, "v", json!("a".repeat(201)), "filter.search").await;
    let tags = "query($v: [String!]) { datasets(filter: {tagsUser: $v}) { totalCount } }";
    refused_fast(&app, &o, tags, "v", many(51, "t"), "filter.tagsUser").await;
    let me = "mutation($v: String) { updateMe(input: {affiliation: $v}) { id } }";
    refused_fast(&app, &o, me, "v", json!("ü".repeat(501)), "affiliation").await;
    let scope = "mutation($u: ID!, $v: [ScopeFilterInput!]) { updateUser(id: $u, input: {scope: $v}) { id } }";
    let other = app.actor("Other", &[]).await;
    let filters = vec![json!({ "column": "c", "values": ["a"] }); 51];
    let r = app.gql_as(&o, scope, json!({ "u": other.id, "v": filters })).await;
    assert_eq!(r.error_field(), Some("scope"), "{}", r.body);
    let r = app.gql_as(&o, "{ apiVersion }", json!({})).await;
    assert!(r.body.get("errors").is_none(), "the service is still fine");
}

#[tokio::test]
async fn any_unicode_in_an_orcid_is_refused_not_a_panic() {
    let app = spawn_app().await;
    let u = app.actor("Una", &[]).await;
    // Four bytes but two characters per group: the old check counted bytes and then indexed characters.
    for orcid in ["éé-0000-0000-0000", "0000-0000-0000-00é", "ßß-ßß-ßß-ßß", "𝟘𝟘𝟘𝟘-0000-0000-0000"]
    {
        let r = app
            .gql_as(&u, "mutation($v: String) { updateMe(input: {orcid: $v}) { orcid } }", json!({ "v": orcid }))
            .await;
        assert_eq!(r.status, 200, "{orcid}: {}", r.body);
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{orcid}: {}", r.body);
        assert_eq!(r.error_field(), Some("orcid"));
    }
}

#[tokio::test]
async fn an_oversized_query_document_is_refused_naming_the_query() {
    let app = spawn_app().await;
    let q = format!("{{ apiVersion }} # {}", "x".repeat(200_000));
    let r = app.gql(&q, json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_field(), Some("query"));
}
