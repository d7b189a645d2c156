//! Statistics over GraphQL: authentication, columns, disclosure control, scopes, filters, reloads.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app, spawn_app_with};

const TABLE: &str = "groupColumns columns rows { groups cells } suppressed { row column } csv";

fn cells(table: &Value) -> Vec<Option<f64>> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["cells"].as_array().unwrap().iter().map(|c| c.as_f64()))
        .collect()
}

#[tokio::test]
async fn statistics_need_a_logged_in_user() {
    let app = spawn_app().await;
    let r = app.gql("{ statsColumns { name } }", json!({})).await;
    assert_eq!(r.error_code(), Some("UNAUTHENTICATED"));
    let r = app.gql(&format!("{{ frequencyTable(input: {{groupBy: [\"school\"]}}) {{ {TABLE} }} }}"), json!({})).await;
    assert_eq!(r.error_code(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn columns_list_roles_and_categories_but_never_uid_or_counts() {
    let app = spawn_app().await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    let r = app.gql_as(&u, "{ statsColumns { name role categories } }", json!({})).await;
    let cols = r.data()["statsColumns"].as_array().unwrap();
    assert!(cols.iter().all(|c| c["name"] != "uid"));
    let school = cols.iter().find(|c| c["name"] == "school").unwrap();
    assert_eq!(school["role"], "DIMENSION");
    assert!(!school["categories"].as_array().unwrap().is_empty());
    let phq = cols.iter().find(|c| c["name"] == "phq9_1").unwrap();
    assert_eq!(phq["role"], "MEASURE");
}

#[tokio::test]
async fn a_frequency_table_publishes_no_cell_below_min_n_and_margins() {
    let app = spawn_app().await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    let q = format!(
        "{{ frequencyTable(input: {{groupBy: [\"school\", \"yearGroup\"], valueColumn: \"sex\"}}) {{ {TABLE} }} }}"
    );
    let r = app.gql_as(&u, &q, json!({})).await;
    let t = &r.data()["frequencyTable"];
    assert_eq!(t["groupColumns"], json!(["school", "yearGroup"]));
    assert_eq!(t["columns"].as_array().unwrap().last().unwrap(), "Total");
    let published: Vec<f64> = cells(t).into_iter().flatten().collect();
    assert!(!published.is_empty());
    assert!(published.iter().all(|&n| n == 0.0 || n >= 5.0), "a published cell is below MIN_N: {published:?}");
    let rows = t["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["groups"] == json!(["Total", "Total"])), "grand total row");
    for s in t["suppressed"].as_array().unwrap() {
        let row = &rows[s["row"].as_u64().unwrap() as usize];
        let col = t["columns"].as_array().unwrap().iter().position(|c| c == &s["column"]).unwrap();
        assert_eq!(row["cells"][col], Value::Null, "a listed suppressed cell is null");
    }
    let csv = t["csv"].as_str().unwrap();
    assert!(csv.starts_with("school,yearGroup,"), "{csv}");
    assert_eq!(csv.lines().count(), rows.len() + 1);
}

#[tokio::test]
async fn disallowed_columns_and_identifiers_are_refused_naming_the_allowed_ones() {
    let app = spawn_app().await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    for input in [
        "{groupBy: [\"uid\"]}",
        "{groupBy: [\"nonexistent\"]}",
        "{groupBy: [\"school\"], filters: [{column: \"uid\", values: [\"s1\"]}]}",
        "{groupBy: [\"phq9_1\"]}",
    ] {
        let r = app.gql_as(&u, &format!("{{ frequencyTable(input: {input}) {{ csv }} }}"), json!({})).await;
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{input}: {}", r.body);
        assert!(
            r.body["errors"][0]["message"].as_str().unwrap().contains("school"),
            "names the allowed columns: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn a_scope_restricts_every_table_and_a_broken_scope_fails_closed() {
    let app = spawn_app().await;
    let um = app.actor("UM", &[Permission::UserManagement, Permission::DataManagement, Permission::StatsRead]).await;
    let scoped = app.actor("Scoped", &[]).await;
    let cols = app.gql_as(&um, "{ statsColumns { name categories } }", json!({})).await;
    let schools: Vec<String> =
        cols.data()["statsColumns"].as_array().unwrap().iter().find(|c| c["name"] == "school").unwrap()["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
    let first = schools[0].clone();
    app.gql_as(&um, "mutation($id: ID!, $s: String!) { updateUser(id: $id, input: {scope: [{column: \"school\", values: [$s]}]}) { id } }", json!({ "id": scoped.id, "s": first }))
        .await
        .data();
    let me = app.gql_as(&scoped, "{ me { scope { column values } } }", json!({})).await;
    assert_eq!(me.data()["me"]["scope"], json!([{ "column": "school", "values": [first] }]));
    let q = format!("{{ frequencyTable(input: {{groupBy: [\"school\"]}}) {{ {TABLE} }} }}");
    let r = app.gql_as(&scoped, &q, json!({})).await;
    let groups: Vec<String> = r.data()["frequencyTable"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["groups"][0].as_str().unwrap().to_owned())
        .collect();
    assert!(groups.iter().all(|g| g == &first || g == "Total"), "{groups:?}");

    app.gql_as(
        &um,
        "mutation($id: ID!) { updateUser(id: $id, input: {scope: [{column: \"schul\", values: [\"x\"]}]}) { id } }",
        json!({ "id": scoped.id }),
    )
    .await
    .data();
    let r = app.gql_as(&scoped, &q, json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"), "a scope on a missing column denies everything: {}", r.body);
    let status = app.gql_as(&um, "{ statsStatus { lastScopeDenial } }", json!({})).await;
    assert!(status.data()["statsStatus"]["lastScopeDenial"].as_str().unwrap().contains("schul"));
}

#[tokio::test]
async fn means_and_wave_change_answer_with_n_and_suppression() {
    let app = spawn_app().await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    let r = app.gql_as(&u, &format!("{{ meansTable(input: {{groupBy: [\"school\", \"wave\"], valueColumns: [\"phq9_1\", \"phq9_2\"]}}) {{ {TABLE} }} }}"), json!({})).await;
    let t = &r.data()["meansTable"];
    assert_eq!(t["columns"], json!(["phq9_1", "phq9_1_n", "phq9_2", "phq9_2_n"]));
    for row in t["rows"].as_array().unwrap() {
        let c = row["cells"].as_array().unwrap();
        if let (Some(mean), Some(n)) = (c[0].as_f64(), c[1].as_f64()) {
            assert!(n >= 5.0, "a published mean rests on at least MIN_N students");
            assert!((0.0..=3.0).contains(&mean));
        }
    }
    let r = app.gql_as(&u, &format!("{{ waveChange(input: {{fromWave: \"1\", toWave: \"2\", groupBy: [\"school\"], valueColumns: [\"phq9_1\"]}}) {{ {TABLE} }} }}"), json!({})).await;
    let t = &r.data()["waveChange"];
    assert_eq!(t["groupColumns"], json!(["school"]));
    assert!(t["rows"].as_array().unwrap().len() > 1);
}

#[tokio::test]
async fn a_broken_reload_keeps_the_previous_frame_serving() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frame.csv");
    datatracker::stats::generate::write_sample(&path, 300, 2, 3).unwrap();
    let path_str = path.to_str().unwrap().to_owned();
    let app = spawn_app_with(&[("DATATRACKER_DATA_PATH", &path_str)]).await;
    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    let plain = app.actor("Plain", &[Permission::StatsRead]).await;
    let before = app.gql_as(&dm, "{ statsStatus { rows students checksum source lastError } }", json!({})).await;
    let before = before.data()["statsStatus"].clone();
    assert_eq!(before["source"], path_str);
    let r = app.gql_as(&plain, "mutation { reloadStatsFrame { rows } }", json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    std::fs::write(&path, "uid,wave\n1,1\n1,1\n").unwrap();
    let r = app.gql_as(&dm, "mutation { reloadStatsFrame { rows } }", json!({})).await;
    assert!(r.body.get("errors").is_some(), "a broken file is an error: {}", r.body);
    let after = app.gql_as(&dm, "{ statsStatus { rows students checksum lastError } }", json!({})).await;
    let after = &after.data()["statsStatus"];
    assert_eq!(after["rows"], before["rows"]);
    assert_eq!(after["checksum"], before["checksum"]);
    assert!(after["lastError"].is_string());
    let q = app.gql_as(&plain, "{ frequencyTable(input: {groupBy: []}) { rows { cells } } }", json!({})).await;
    assert!(q.data()["frequencyTable"]["rows"][0]["cells"][0].as_f64().unwrap() > 0.0, "still serving");
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 200);
}
