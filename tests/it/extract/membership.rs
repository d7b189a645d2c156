//! Collection membership in the extract: `collections.jsonl` and `collections.parquet` list in
//! `datasetIds` exactly the datasets the key may see (for two keys, with a planted PRIVATE dataset and a
//! PROTECTED one only one key is admitted to), a dataset the key loses (`REVOKE`) leaves every
//! collection's membership on the next run, also when datasets themselves are not extracted, and one it
//! is admitted to again comes back into its collections' membership.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use super::redaction::everything;
use super::*;
use crate::harness::spawn_app;

/// The `datasetIds` of `coll` in `<out>/collections.parquet`.
fn parquet_members(out: &Path, coll: &str) -> Vec<String> {
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(out.join("collections.parquet")).unwrap()).finish().unwrap();
    let ids = df.column("id").unwrap().str().unwrap();
    let row = (0..df.height()).find(|i| ids.get(*i) == Some(coll)).expect("the collection's row");
    let members = df.column("datasetIds").unwrap().list().unwrap().get_as_series(row).unwrap();
    let members = members.str().unwrap();
    (0..members.len()).map(|i| members.get(i).unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_key_extracts_only_the_members_it_may_see_and_follows_lost_and_regained_access() {
    let app = spawn_app().await;
    let owner = app.actor("Owner", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[]).await;
    let stranger = app.actor("Stranger", &[]).await;
    let order = app.create_order(&owner, "o").await;
    let create = "mutation($o: ID!, $t: String!, $a: AccessLevel!, $r: AccessRulesInput) {
        createDataset(orderId: $o, input: {title: $t, access: $a, accessRules: $r}) { id } }";
    let mut ids = Vec::new();
    for (t, a) in [("public", "PUBLIC"), ("protected", "PROTECTED"), ("private", "PRIVATE")] {
        let vars = json!({ "o": order, "t": t, "a": a, "r": { "users": [reader.id] } });
        ids.push(app.gql_as(&owner, create, vars).await.data()["createDataset"]["id"].as_str().unwrap().to_owned());
    }
    let (public, protected, private) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
    let coll = app.create_collection(&owner, "c", &[&private, &public, &protected]).await;

    let dir = tempfile::tempdir().unwrap();
    let (r_out, s_out, rc_out) = (dir.path().join("reader"), dir.path().join("stranger"), dir.path().join("rc"));
    run_ok(&app, Some(&reader), &r_out).await;
    run_ok(&app, Some(&stranger), &s_out).await;
    let only_collections = ["--types", "collections", "--page-size", "7"];
    let o = run(&app, Some(&reader), &rc_out, &only_collections).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (out, want) in
        [(&r_out, vec![&public, &protected]), (&s_out, vec![&public]), (&rc_out, vec![&public, &protected])]
    {
        assert_eq!(jsonl(out, "collections")[&coll]["datasetIds"], json!(want), "{}", out.display());
        assert_eq!(parquet_members(out, &coll), want.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
    let stranger_text = everything(&s_out);
    assert!(stranger_text.contains(&public));
    for hidden in [&protected, &private] {
        assert!(!stranger_text.contains(hidden.as_str()), "the stranger extracted {hidden}");
    }
    assert!(!everything(&r_out).contains(&private), "the reader extracted the private dataset's id");

    // The reader loses the protected dataset: its REVOKE takes it out of the membership.
    let q = "mutation($id: ID!, $r: AccessRulesInput) { updateDataset(id: $id, input: {accessRules: $r}) { id } }";
    app.gql_as(&owner, q, json!({ "id": protected, "r": { "users": [owner.id] } })).await.data();
    run_ok(&app, Some(&reader), &r_out).await;
    let o = run(&app, Some(&reader), &rc_out, &only_collections).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for out in [&r_out, &rc_out] {
        assert_eq!(jsonl(out, "collections")[&coll]["datasetIds"], json!([public]), "{}", out.display());
        assert_eq!(parquet_members(out, &coll), vec![public.clone()]);
        for state in ["collections.jsonl", "collections.parquet"] {
            let text = if state.ends_with("parquet") {
                parquet_text(&out.join(state)).1
            } else {
                std::fs::read_to_string(out.join(state)).unwrap()
            };
            assert!(!text.contains(&protected), "{}/{state} keeps the revoked dataset", out.display());
        }
    }
    assert!(!jsonl(&r_out, "datasets").contains_key(&protected));
    let fresh = dir.path().join("fresh");
    run_ok(&app, Some(&reader), &fresh).await;
    assert_eq!(jsonl(&r_out, "collections"), jsonl(&fresh, "collections"), "equal to a fresh export");

    // Admitted again: the dataset's EDIT brings it back, and its collections are read again.
    app.gql_as(&owner, q, json!({ "id": protected, "r": { "users": [reader.id] } })).await.data();
    run_ok(&app, Some(&reader), &r_out).await;
    assert!(jsonl(&r_out, "datasets").contains_key(&protected));
    assert_eq!(jsonl(&r_out, "collections")[&coll]["datasetIds"], json!([public, protected]));
    assert_eq!(parquet_members(&r_out, &coll), vec![public.clone(), protected.clone()]);
    let fresh = dir.path().join("fresh-again");
    run_ok(&app, Some(&reader), &fresh).await;
    assert_eq!(jsonl(&r_out, "collections"), jsonl(&fresh, "collections"), "equal to a fresh export");
}
