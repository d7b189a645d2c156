//! A first run exports exactly the data; a later run applies only the changes; history, Parquet, the
//! checkpoint's source check and the exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use super::*;
use crate::harness::spawn_app;

#[tokio::test]
async fn full_export_then_incremental_changes_equal_a_fresh_export() {
    let app = spawn_app().await;
    let admin = app.actor("Admin", &[Permission::DataManagement, Permission::UserManagement]).await;
    let order = app.create_order(&admin, "Order one").await;
    let mut ds = Vec::new();
    for i in 0..12 {
        let r = app
            .gql_as(
                &admin,
                "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t, tagsUser: [\"a\", \"b\"],
                   crossReferences: [{kind: \"DOI\", value: \"10.1/x\"}]}) { id } }",
                json!({ "o": order, "t": format!("Dataset {i}") }),
            )
            .await;
        ds.push(r.data()["createDataset"]["id"].as_str().unwrap().to_string());
    }
    let coll = app.create_collection(&admin, "Collection", &[&ds[0], &ds[1]]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");

    let summary = run_ok(&app, Some(&admin), &out).await;
    assert_eq!(summary["mode"], "full");
    assert_eq!(summary["types"]["datasets"]["rows"], 12);
    let datasets = jsonl(&out, "datasets");
    assert_eq!(datasets.keys().cloned().collect::<Vec<_>>(), {
        let mut s = ds.clone();
        s.sort();
        s
    });
    let d0 = &datasets[&ds[0]];
    assert_eq!(d0["title"], "Dataset 0");
    assert_eq!(d0["tagsUser"], json!(["a", "b"]));
    assert_eq!(d0["crossReferences"][0]["value"], "10.1/x");
    assert_eq!(d0["order"]["id"], order.as_str());
    assert_eq!(jsonl(&out, "orders").len(), 1);
    assert_eq!(jsonl(&out, "collections").len(), 1);
    assert!(jsonl(&out, "users").contains_key(&admin.id));
    let (rows, _) = parquet_text(&out.join("datasets.parquet"));
    assert_eq!(rows, 12);
    {
        use polars::prelude::*;
        let df = ParquetReader::new(std::fs::File::open(out.join("datasets.parquet")).unwrap()).finish().unwrap();
        assert_eq!(df.column("tagsUser").unwrap().dtype(), &DataType::List(Box::new(DataType::String)));
        assert!(
            matches!(df.column("crossReferences").unwrap().dtype(), DataType::List(inner) if matches!(**inner, DataType::Struct(_)))
        );
        assert!(matches!(df.column("order").unwrap().dtype(), DataType::Struct(_)));
        let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
        assert_eq!(df.column("createdAt").unwrap().dtype(), &utc, "times are UTC timestamps");
        let first = df.column("createdAt").unwrap().datetime().unwrap().phys.get(0).unwrap();
        let text = jsonl(&out, "datasets").values().next().unwrap()["createdAt"].as_str().unwrap().to_owned();
        let micros = chrono::DateTime::parse_from_rfc3339(&text).unwrap().timestamp_micros();
        assert_eq!(first, micros, "the JSON lines keep the RFC 3339 text of the same time");
    }
    assert_eq!(jsonl(&out, "collections")[&coll]["datasetIds"], json!([ds[0], ds[1]]));
    assert!(history(&out, "datasets").is_empty(), "no change after the start: no history");

    // Changes: edit, delete, add.
    app.gql_as(
        &admin,
        "mutation($id: ID!) { updateDataset(id: $id, input: {title: \"Renamed\"}) { id } }",
        json!({ "id": ds[2] }),
    )
    .await
    .data();
    app.gql_as(&admin, "mutation($id: ID!) { deleteDataset(id: $id) }", json!({ "id": ds[3] })).await.data();
    let added = app.create_dataset(&admin, &order, "Added later").await;
    app.gql_as(
        &admin,
        "mutation($id: ID!) { updateCollection(id: $id, input: {title: \"Coll 2\"}) { id } }",
        json!({ "id": coll }),
    )
    .await
    .data();

    let summary = run_ok(&app, Some(&admin), &out).await;
    assert_eq!(summary["mode"], "incremental");
    assert_eq!(summary["types"]["datasets"]["deleted"], 1);
    assert_eq!(summary["types"]["datasets"]["upserted"], 2);
    let datasets = jsonl(&out, "datasets");
    assert_eq!(datasets.len(), 12);
    assert_eq!(datasets[&ds[2]]["title"], "Renamed");
    assert!(!datasets.contains_key(&ds[3]));
    assert_eq!(datasets[&added]["title"], "Added later");
    assert_eq!(jsonl(&out, "collections")[&coll]["title"], "Coll 2");
    let h = history(&out, "datasets");
    let actions: Vec<&str> = h.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["EDIT", "DELETE", "ADD"], "{h:?}");
    for e in &h {
        assert!(e["sequence"].as_str().unwrap().parse::<u64>().is_ok());
        assert_eq!(e["actorId"], admin.id.as_str());
        assert!(e["timestamp"].is_string());
    }
    assert_eq!(h[2]["entity"]["title"], "Added later");
    let (rows, text) = parquet_text(&out.join("datasets.parquet"));
    assert_eq!(rows, 12);
    assert!(text.contains("Renamed"));
    assert!(out.join("history/datasets").read_dir().unwrap().any(|e| e
        .unwrap()
        .path()
        .extension()
        .is_some_and(|x| x == "parquet")));

    // Nothing new: nothing to do.
    let summary = run_ok(&app, Some(&admin), &out).await;
    assert_eq!(summary["types"]["datasets"]["fetched"], 0);

    // The incremental output equals a fresh full export.
    let fresh = dir.path().join("fresh");
    run_ok(&app, Some(&admin), &fresh).await;
    for t in ["orders", "datasets", "collections", "users"] {
        assert_eq!(jsonl(&out, t), jsonl(&fresh, t), "{t}");
    }
}

#[tokio::test]
async fn another_key_url_or_a_bad_key_is_refused_with_its_exit_code() {
    let app = spawn_app().await;
    let admin = app.actor("Admin", &[Permission::DataManagement]).await;
    let other = app.actor("Other", &[Permission::DataManagement]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&app, Some(&admin), &out).await;

    let o = run(&app, Some(&other), &out, &[]).await;
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("API user or key"));
    let o = run(&app, Some(&other), &out, &["--full"]).await;
    assert_eq!(o.status.code(), Some(0), "--full starts over: {}", String::from_utf8_lossy(&o.stderr));

    let bad = crate::harness::Actor { id: admin.id.clone(), key: "not-the-key".into() };
    let o = run(&app, Some(&bad), &dir.path().join("bad"), &[]).await;
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));

    // The default page (1,000) is more than an anonymous caller's cost budget allows: halved until it fits.
    for i in 0..3 {
        app.create_dataset(&admin, &app.create_order(&admin, &format!("O{i}")).await, "Public").await;
    }
    let o = run(&app, None, &dir.path().join("anon"), &["--json"]).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["types"]["datasets"]["rows"], 3);
    assert_eq!(s["types"]["users"]["forbidden"], true);

    let o = run(&app, Some(&admin), &dir.path().join("c"), &["--types", "widgets"]).await;
    assert_eq!(o.status.code(), Some(2));

    // Nobody listening: incomplete (a rerun resumes), after the retries.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let d = dir.path().join("d");
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_datatracker"))
            .args(["extract", "--retries", "1", "--url", &url, "--out"])
            .arg(d)
            .env_remove("DATATRACKER_API_KEY")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));

    // The key is never a command-line argument.
    let o = Command::new(env!("CARGO_BIN_EXE_datatracker")).args(["extract", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("--api-key-file") && !help.contains("--api-key "), "{help}");
}
