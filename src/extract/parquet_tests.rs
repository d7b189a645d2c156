use serde_json::json;

use super::*;

fn s(name: &str, scalar: Scalar) -> FieldSpec {
    FieldSpec { name: name.into(), list: false, scalar: Some(scalar), fields: vec![] }
}

fn specs() -> Vec<FieldSpec> {
    let xref = FieldSpec {
        name: "crossReferences".into(),
        list: true,
        scalar: None,
        fields: vec![s("kind", Scalar::String), s("url", Scalar::String), s("value", Scalar::String)],
    };
    let order = FieldSpec { name: "order".into(), list: false, scalar: None, fields: vec![s("id", Scalar::String)] };
    let tags = FieldSpec { list: true, ..s("tagsUser", Scalar::String) };
    vec![s("createdAt", Scalar::DateTime), xref, s("id", Scalar::String), order, tags, s("version", Scalar::Int)]
}

#[test]
fn explicit_schema_with_lists_structs_and_nulls_round_trips() {
    let rows = vec![
        json!({"id": "a", "createdAt": "2026-12-02T10:00:00Z", "tagsUser": ["x", "y"], "version": 3,
               "crossReferences": [{"kind": "DOI", "value": "10.1/x", "url": null}], "order": {"id": "o1"}}),
        json!({"id": "b", "createdAt": "2026-12-02T10:00:01.5Z", "tagsUser": [], "version": 1,
               "crossReferences": [], "order": null}),
        json!({"id": "c"}),
    ];
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("datasets.parquet");
    let mut sink = ParquetSink::create(&dest, &specs(), "never".into()).unwrap();
    for r in rows {
        sink.push(r).unwrap();
    }
    assert!(!dest.exists());
    sink.commit().unwrap();
    let df = ParquetReader::new(File::open(&dest).unwrap()).finish().unwrap();
    assert_eq!(df.height(), 3);
    assert_eq!(&**df.schema(), &schema(&specs()));
    let order = df.column("order").unwrap();
    assert_eq!(order.null_count(), 2);
    let tags = df.column("tagsUser").unwrap().list().unwrap();
    assert_eq!(tags.get_as_series(0).unwrap().len(), 2);
    assert_eq!(tags.get_as_series(1).unwrap().len(), 0);
    assert!(tags.get_as_series(2).is_none());
    let xr = df.column("crossReferences").unwrap().list().unwrap().get_as_series(0).unwrap();
    let xr = xr.struct_().unwrap();
    assert_eq!(xr.field_by_name("value").unwrap().str().unwrap().get(0), Some("10.1/x"));
    assert_eq!(df.column("createdAt").unwrap().str().unwrap().get(1), Some("2026-12-02T10:00:01.5Z"));
    assert_eq!(df.column("version").unwrap().i64().unwrap().get(2), None);
}

#[test]
fn an_empty_file_still_has_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("orders.parquet");
    ParquetSink::create(&dest, &specs(), "never".into()).unwrap().commit().unwrap();
    let df = ParquetReader::new(File::open(&dest).unwrap()).finish().unwrap();
    assert_eq!(df.height(), 0);
    assert_eq!(df.width(), specs().len());
}

#[test]
fn lists_that_are_all_empty_stay_empty_not_null() {
    let rows = vec![json!({"id": "a", "tagsUser": [], "crossReferences": []}), json!({"id": "b"})];
    let df = frame(&rows, &specs()).unwrap();
    let tags = df.column("tagsUser").unwrap().list().unwrap();
    assert_eq!(tags.get_as_series(0).map(|s| s.len()), Some(0));
    assert!(tags.get_as_series(1).is_none());
    let xr = df.column("crossReferences").unwrap().list().unwrap();
    assert_eq!(xr.get_as_series(0).map(|s| s.len()), Some(0));
    assert_eq!(df.schema().get("crossReferences"), schema(&specs()).get("crossReferences"));
}

#[test]
fn update_replaces_changed_rows_drops_deleted_ones_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("datasets.parquet");
    let mut sink = ParquetSink::create(&dest, &specs(), "never".into()).unwrap();
    for id in ["a", "b", "c", "d"] {
        sink.push(json!({"id": id, "tagsUser": [id], "version": 1})).unwrap();
    }
    sink.commit().unwrap();
    let batch = Batch::from([
        ("b".to_string(), None),
        ("c".to_string(), Some(json!({"id": "c", "tagsUser": ["x", "y"], "version": 2}).to_string())),
        ("e".to_string(), Some(json!({"id": "e", "order": {"id": "o"}, "version": 1}).to_string())),
        ("z".to_string(), None),
    ]);
    for _ in 0..2 {
        assert!(update(&dest, &specs(), &batch, "never".into()).unwrap());
        let df = ParquetReader::new(File::open(&dest).unwrap()).finish().unwrap();
        let ids: Vec<_> = (0..df.height()).map(|i| df.column("id").unwrap().str().unwrap().get(i).unwrap()).collect();
        assert_eq!(ids, ["a", "c", "d", "e"]);
        assert_eq!(df.column("version").unwrap().i64().unwrap().get(1), Some(2));
        assert_eq!(df.column("tagsUser").unwrap().list().unwrap().get_as_series(1).unwrap().len(), 2);
        assert_eq!(&**df.schema(), &schema(&specs()));
    }
}

#[test]
fn update_declines_without_a_file_or_with_other_columns() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("orders.parquet");
    assert!(!update(&dest, &specs(), &Batch::new(), "never".into()).unwrap());
    ParquetSink::create(&dest, &specs()[..3], "never".into()).unwrap().commit().unwrap();
    assert!(!update(&dest, &specs(), &Batch::new(), "never".into()).unwrap());
}
