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
    let created = df.column("createdAt").unwrap().datetime().unwrap();
    assert_eq!(created.phys.get(1), Some(1_796_205_601_500_000), "2026-12-02T10:00:01.5Z in microseconds");
    assert_eq!(df.column("version").unwrap().i64().unwrap().get(2), None);
}

#[test]
fn times_are_utc_timestamps_also_inside_lists_and_structs() {
    let when = FieldSpec { list: true, ..s("at", Scalar::DateTime) };
    let event = FieldSpec { name: "event".into(), list: false, scalar: None, fields: vec![s("at", Scalar::DateTime)] };
    let fields = vec![s("createdAt", Scalar::DateTime), event, when];
    let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
    assert_eq!(dtype(&fields[0]), utc);
    assert_eq!(dtype(&fields[2]), DataType::List(Box::new(utc.clone())));
    let rows = vec![
        json!({"createdAt": "2026-12-02T10:00:00+01:00", "event": {"at": "1970-01-01T00:00:01Z"},
               "at": ["1970-01-01T00:00:00.000002Z", "not a time"]}),
        json!({"createdAt": "yesterday", "event": null, "at": []}),
    ];
    let df = frame(&rows, &fields).unwrap();
    assert_eq!(&**df.schema(), &schema(&fields));
    let created = df.column("createdAt").unwrap().datetime().unwrap();
    assert_eq!(created.phys.get(0), Some(1_796_202_000_000_000), "the offset is applied");
    assert_eq!(created.phys.get(1), None, "text that is no time is a null, not an error");
    let event = df.column("event").unwrap().struct_().unwrap().field_by_name("at").unwrap();
    assert_eq!(event.dtype(), &utc);
    assert_eq!(event.datetime().unwrap().phys.get(0), Some(1_000_000));
    let at = df.column("at").unwrap().list().unwrap();
    assert_eq!(at.inner_dtype(), &utc);
    let first = at.get_as_series(0).unwrap(); // (polars hands out the items' physical integers)
    assert_eq!((first.i64().unwrap().get(0), first.null_count()), (Some(2), 1));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("t.parquet");
    let mut sink = ParquetSink::create(&dest, &fields, "never".into()).unwrap();
    for r in rows {
        sink.push(r).unwrap();
    }
    sink.commit().unwrap();
    let back = ParquetReader::new(File::open(&dest).unwrap()).finish().unwrap();
    assert_eq!(&**back.schema(), &schema(&fields), "the file keeps the UTC timestamp type");
}

#[test]
fn update_declines_a_file_whose_times_are_text_so_it_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("orders.parquet");
    let old = DataFrame::new(
        1,
        vec![Column::new("createdAt".into(), ["2026-12-02T10:00:00Z"]), Column::new("id".into(), ["a"])],
    )
    .unwrap();
    ParquetWriter::new(File::create(&dest).unwrap()).finish(&mut old.clone()).unwrap();
    let fields = vec![s("createdAt", Scalar::DateTime), s("id", Scalar::String)];
    assert!(!update(&dest, &fields, &Batch::new(), "never".into()).unwrap());
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
        sink.push(json!({"id": id, "tagsUser": [id], "version": 1, "createdAt": "2026-12-02T10:00:00Z"})).unwrap();
    }
    sink.commit().unwrap();
    let batch = Batch::from([
        ("b".to_string(), None),
        (
            "c".to_string(),
            Some(
                json!({"id": "c", "tagsUser": ["x", "y"], "version": 2, "createdAt": "1970-01-01T00:00:00Z"})
                    .to_string(),
            ),
        ),
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
        let created = df.column("createdAt").unwrap().datetime().unwrap();
        assert_eq!((created.phys.get(0), created.phys.get(1)), (Some(1_796_205_600_000_000), Some(0)));
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
