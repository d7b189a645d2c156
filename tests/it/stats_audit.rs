//! Statistics that stay safe across queries, tried from outside: differencing pairs, quadruples and
//! mean × count, the shared differencing audit (across users, restarts and instances), per-request limits,
//! one refusal message, and categories within a scope.

#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::{json, Value};

use crate::harness::{spawn_app_in, spawn_app_with, Actor, TestApp};

/// A frame with 4 schools of 30 students in 2 waves: in each school, class `<S>1` has 29 students and
/// class `<S>2` one; each school has a few boys (`M`), the others are girls.
fn write_frame(dir: &std::path::Path) -> String {
    let mut csv = String::from("uid,wave,school,class,sex,phq9_1\n");
    for (k, school) in ["A", "B", "C", "D"].iter().enumerate() {
        for i in 0..30 {
            let class = if i == 0 { format!("{school}2") } else { format!("{school}1") };
            let sex = if i < 2 + k { "M" } else { "F" };
            for wave in 1..=2 {
                csv.push_str(&format!("{school}{i},{wave},{school},{class},{sex},{}\n", (i * 7 + wave + k) % 4));
            }
        }
    }
    let path = dir.join("frame.csv");
    std::fs::write(&path, csv).unwrap();
    path.to_str().unwrap().to_owned()
}

async fn app_with_frame(dir: &tempfile::TempDir) -> (TestApp, String) {
    let path = write_frame(dir.path());
    let app = spawn_app_with(&[("DATATRACKER_DATA_PATH", &path)]).await;
    (app, path)
}

fn filters(f: &[(&str, &[&str])]) -> Value {
    Value::Array(f.iter().map(|(c, v)| json!({ "column": c, "values": v })).collect())
}

async fn total(app: &TestApp, who: &Actor, f: &[(&str, &[&str])]) -> Result<Option<f64>, (String, String)> {
    let q = "query($f: [StatsFilterInput!]!) { frequencyTable(input: {groupBy: [], filters: $f}) { rows { cells } } }";
    let r = app.gql_as(who, q, json!({ "f": filters(f) })).await;
    match r.error_code() {
        None => Ok(r.data()["frequencyTable"]["rows"][0]["cells"][0].as_f64()),
        Some(code) => Err((code.to_owned(), r.body["errors"][0]["message"].as_str().unwrap().to_owned())),
    }
}

async fn mean(app: &TestApp, who: &Actor, f: &[(&str, &[&str])]) -> Result<(f64, f64), (String, String)> {
    let q = "query($f: [StatsFilterInput!]!) { meansTable(input: {groupBy: [], valueColumns: [\"phq9_1\"], filters: $f}) { rows { cells } } }";
    let r = app.gql_as(who, q, json!({ "f": filters(f) })).await;
    match r.error_code() {
        None => {
            let c = &r.data()["meansTable"]["rows"][0]["cells"];
            Ok((c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        }
        Some(code) => Err((code.to_owned(), r.body["errors"][0]["message"].as_str().unwrap().to_owned())),
    }
}

#[tokio::test]
async fn a_differencing_pair_is_refused_for_every_user_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app_with_frame(&dir).await;
    let alice = app.actor("Alice", &[Permission::StatsRead]).await;
    let bob = app.actor("Bob", &[Permission::StatsRead]).await;
    // Alice: school A (30 students). Bob: school A without class A2 (29): the difference is one student.
    assert!(total(&app, &alice, &[("school", &["A"])]).await.unwrap().is_some());
    let refused = total(&app, &bob, &[("school", &["A"]), ("class", &["A1"])]).await.unwrap_err();
    assert_eq!(refused.0, "FORBIDDEN");
    let again = total(&app, &alice, &[("school", &["A"]), ("class", &["A1"])]).await.unwrap_err();
    assert_eq!(again, refused, "the same for the first asker");
    // A population below the minimum gets the very same refusal.
    let small = total(&app, &alice, &[("school", &["A"]), ("class", &["A2"])]).await.unwrap_err();
    assert_eq!(small, refused, "one refusal shape whatever the rule or the size");
    // The mean × count attack on the same pair: refused too.
    let (m, n) = mean(&app, &alice, &[("school", &["A"])]).await.unwrap();
    assert_eq!(mean(&app, &bob, &[("school", &["A"]), ("class", &["A1"])]).await.unwrap_err(), refused);
    let true_sum: f64 = (0..30).map(|i| ((i * 7 + 1) % 4) as f64).sum::<f64>() / 2.0
        + (0..30).map(|i| ((i * 7 + 2) % 4) as f64).sum::<f64>() / 2.0;
    assert!((m * n - true_sum).abs() > 1e-6, "mean × n is not the true sum");
}

#[tokio::test]
async fn quadruples_of_filtered_queries_do_not_give_back_a_small_count() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app_with_frame(&dir).await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    // Boys of school Y = (X∪Y − girls of X∪Y) − (X − girls of X): each answer is safe on its own.
    let mut exact = 0;
    let mut attempts = 0;
    // With X = D (5 boys) every pair of answers differs by 5 or more students, so the audit lets them through
    // and perturbation must do the work; with X = A (2 boys) the audit refuses the pair (X, X girls).
    let cases = [("D", "A", 2.0), ("D", "B", 3.0), ("D", "C", 4.0), ("A", "B", 3.0), ("A", "C", 4.0)];
    for (x, y, boys_y) in cases {
        let q1 = total(&app, &u, &[("school", &[x, y])]).await;
        let q2 = total(&app, &u, &[("school", &[x, y]), ("sex", &["F"])]).await;
        let q3 = total(&app, &u, &[("school", &[x])]).await;
        let q4 = total(&app, &u, &[("school", &[x]), ("sex", &["F"])]).await;
        let (Ok(Some(a)), Ok(Some(b)), Ok(Some(c)), Ok(Some(d))) = (q1, q2, q3, q4) else {
            continue; // refused or suppressed: the attack failed
        };
        attempts += 1;
        exact += usize::from((a - b) - (c - d) == boys_y);
    }
    assert!(attempts >= 3, "the perturbation-only quadruples were answered: {attempts}");
    assert!(exact * 2 < attempts, "the auditor recovered the small counts: {exact} of {attempts}");
}

const QUERY_A: &[(&str, &[&str])] = &[("school", &["B"])];
const QUERY_B: &[(&str, &[&str])] = &[("school", &["B"]), ("class", &["B1"])];

#[tokio::test]
async fn the_audit_survives_a_restart_and_is_shared_by_a_second_instance() {
    let dir = tempfile::tempdir().unwrap();
    let (app, path) = app_with_frame(&dir).await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    assert!(total(&app, &u, QUERY_A).await.is_ok());
    let second = app.second_instance(&[("DATATRACKER_DATA_PATH", &path)]).await;
    assert_eq!(total(&second, &u, QUERY_B).await.unwrap_err().0, "FORBIDDEN", "refused on the second instance");
    assert!(total(&second, &u, QUERY_A).await.is_ok(), "the answered table itself is still answered");
    let db = app.db_name.clone();
    drop(second);
    drop(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let restarted = spawn_app_in(listener, db, &[("DATATRACKER_DATA_PATH", &path)]).await;
    assert_eq!(total(&restarted, &u, QUERY_B).await.unwrap_err().0, "FORBIDDEN", "refused after a restart");
}

#[tokio::test]
async fn data_management_reads_the_audit_and_nobody_else() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app_with_frame(&dir).await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    total(&app, &u, QUERY_A).await.unwrap();
    total(&app, &u, &[("school", &["A", "B", "C"])]).await.unwrap();
    let q = "{ statsAudit { total entries { frame students bytes kind createdAt } } }";
    assert_eq!(app.gql_as(&u, q, json!({})).await.error_code(), Some("FORBIDDEN"));
    let r = app.gql_as(&dm, q, json!({})).await;
    let audit = &r.data()["statsAudit"];
    assert_eq!(audit["total"], 2);
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries[0]["students"], 90);
    assert!(entries.iter().all(|e| e["bytes"].as_u64().unwrap() < 64 * 1024 && e["kind"] == "frequency"));
}

#[tokio::test]
async fn a_request_may_ask_for_a_limited_number_of_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app_with_frame(&dir).await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    let table = "frequencyTable(input: {groupBy: [\"school\"]}) { csv }";
    let five: String = (0..5).map(|i| format!("t{i}: {table} ")).collect();
    let r = app.gql_as(&u, &format!("{{ {five} }}"), json!({})).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let six: String = (0..6).map(|i| format!("t{i}: {table} ")).collect();
    let r = app.gql_as(&u, &format!("{{ {six} }}"), json!({})).await;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("at most 5"));
}

#[tokio::test]
async fn a_scoped_user_sees_only_categories_inside_the_scope() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app_with_frame(&dir).await;
    let um = app.actor("UM", &[Permission::UserManagement, Permission::StatsRead]).await;
    let scoped = app.actor("Scoped", &[]).await;
    app.gql_as(
        &um,
        "mutation($id: ID!) { updateUser(id: $id, input: {scope: [{column: \"school\", values: [\"C\"]}]}) { id } }",
        json!({ "id": scoped.id }),
    )
    .await
    .data();
    let r = app.gql_as(&scoped, "{ statsColumns { name categories } }", json!({})).await;
    let cols = r.data()["statsColumns"].as_array().unwrap();
    let cats = |name: &str| cols.iter().find(|c| c["name"] == name).unwrap()["categories"].clone();
    assert_eq!(cats("school"), json!(["C"]));
    assert_eq!(cats("class"), json!(["C1", "C2"]));
    let r = app.gql_as(&um, "{ statsColumns { name categories } }", json!({})).await;
    let all = r.data()["statsColumns"].as_array().unwrap();
    assert_eq!(all.iter().find(|c| c["name"] == "school").unwrap()["categories"], json!(["A", "B", "C", "D"]));
}

#[tokio::test]
async fn a_burst_of_heavy_tables_is_cut_at_the_deadline_and_health_stays_fast() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.parquet");
    datatracker::stats::generate::write_sample(&path, 20_000, 5, 3).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let app = spawn_app_with(&[
        ("DATATRACKER_DATA_PATH", &path),
        ("DATATRACKER_STATS_CONCURRENCY", "1"),
        ("DATATRACKER_REQUEST_TIMEOUT_SECS", "1"),
    ])
    .await;
    let u = app.actor("U", &[Permission::StatsRead]).await;
    let items: Vec<String> = (1..=9).map(|i| format!("\"phq9_{i}\"")).collect();
    let q = format!(
        "{{ meansTable(input: {{groupBy: [\"school\", \"wave\"], valueColumns: [{}]}}) {{ columns }} }}",
        items.join(", ")
    );
    // Enough tables that one at a time cannot finish them before the deadline on any machine: from the time
    // one table takes here, a burst worth at least three seconds of work.
    let started = std::time::Instant::now();
    let one = app.gql_as(&u, &q, json!({})).await;
    let single = started.elapsed().as_secs_f64().max(0.001);
    let n = ((3.0 / single) as usize + 2).clamp(12, 400);
    assert!(one.body.get("errors").is_none() || one.error_code() == Some("SERVICE_UNAVAILABLE"), "{}", one.body);
    let burst = futures::future::join_all((0..n).map(|_| app.gql_as(&u, &q, json!({}))));
    let health = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let t = std::time::Instant::now();
        assert_eq!(app.get("/health").await.status(), 200);
        t.elapsed()
    };
    let (results, health) = tokio::join!(burst, health);
    let answered = results.iter().filter(|r| r.status == 200 && r.body.get("errors").is_none()).count();
    assert!(answered < n, "one table at a time and a 1 s deadline cannot answer {n} heavy tables");
    for r in results.iter().filter(|r| r.body.get("errors").is_some()) {
        assert_eq!(r.error_code(), Some("SERVICE_UNAVAILABLE"), "{}", r.body);
    }
    assert!(health < std::time::Duration::from_millis(500), "/health took {health:?} during the burst");
}

#[tokio::test]
async fn a_scoped_user_cannot_probe_categories_outside_the_scope_through_filters() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app_with_frame(&dir).await;
    let um = app.actor("UM", &[Permission::UserManagement, Permission::StatsRead]).await;
    let scoped = app.actor("Scoped", &[]).await;
    app.gql_as(
        &um,
        "mutation($id: ID!) { updateUser(id: $id, input: {scope: [{column: \"school\", values: [\"C\"]}]}) { id } }",
        json!({ "id": scoped.id }),
    )
    .await
    .data();
    // Class A1 exists (in school A, outside the scope); class Z9 does not: the same answer, naming only C's.
    let outside = total(&app, &scoped, &[("class", &["A1"])]).await.unwrap_err();
    let missing = total(&app, &scoped, &[("class", &["Z9"])]).await.unwrap_err();
    assert_eq!(outside.0, "BAD_USER_INPUT");
    assert_eq!(outside.1.replace("A1", "Z9"), missing.1);
    assert!(missing.1.contains("C1, C2") && !missing.1.contains("A1") && !missing.1.contains("B1"), "{}", missing.1);
    // Nor through the rows of a table grouped by another column: only the scope's classes are rows.
    let r =
        app.gql_as(&scoped, "{ frequencyTable(input: {groupBy: [\"class\"]}) { rows { groups } } }", json!({})).await;
    let rows: Vec<String> = r.data()["frequencyTable"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["groups"][0].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rows, ["C1", "C2", "Total"]);
}

/// The value of `column` in the row whose groups are `groups`.
fn cell_of(table: &Value, groups: &[&str], column: &str) -> Value {
    let c = table["columns"].as_array().unwrap().iter().position(|x| x == column).unwrap();
    let row = table["rows"].as_array().unwrap().iter().find(|r| r["groups"] == json!(groups)).unwrap();
    row["cells"][c].clone()
}

#[tokio::test]
async fn the_same_cell_is_published_alike_through_every_wording_over_graphql() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = app_with_frame(&dir).await;
    let um = app.actor("UM", &[Permission::UserManagement, Permission::StatsRead]).await;
    let scoped = app.actor("Scoped", &[]).await;
    app.gql_as(
        &um,
        "mutation($id: ID!) { updateUser(id: $id, input: {scope: [{column: \"school\", values: [\"B\"]}]}) { id } }",
        json!({ "id": scoped.id }),
    )
    .await
    .data();
    let ask = |who: &Actor, input: &str| {
        let q = format!("{{ frequencyTable(input: {input}) {{ columns rows {{ groups cells }} }} }}");
        let who = Actor { id: who.id.clone(), key: who.key.clone() };
        let app = &app;
        async move { app.gql_as(&who, &q, json!({})).await.data()["frequencyTable"].clone() }
    };
    let wordings = [
        cell_of(&ask(&um, r#"{groupBy: ["school", "sex"]}"#).await, &["B", "F"], "n"),
        cell_of(&ask(&um, r#"{groupBy: ["sex", "school"]}"#).await, &["F", "B"], "n"),
        cell_of(&ask(&um, r#"{groupBy: ["school"], valueColumn: "sex"}"#).await, &["B"], "F"),
        cell_of(&ask(&um, r#"{groupBy: ["sex"], filters: [{column: "school", values: ["B"]}]}"#).await, &["F"], "n"),
        cell_of(&ask(&um, r#"{groupBy: ["school"], filters: [{column: "sex", values: ["F"]}]}"#).await, &["B"], "n"),
        cell_of(&ask(&scoped, r#"{groupBy: ["sex"]}"#).await, &["F"], "n"),
        cell_of(&ask(&scoped, r#"{groupBy: ["sex"]}"#).await, &["F"], "n"),
    ];
    assert!(wordings[0].is_number(), "{wordings:?}");
    assert!(wordings.iter().all(|w| *w == wordings[0]), "{wordings:?}");
}
