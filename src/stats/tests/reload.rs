//! Loading and hot reload: a broken file keeps the old frame; CSV and Parquet give the same tables.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::stats::generate::{generate, write_dataframe, write_sample};
use crate::stats::{FrequencyInput, MeansInput, StatsError, StatsService, StatsSettings};

fn service() -> StatsService {
    StatsService::new(StatsSettings::default())
}

fn good(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    write_sample(&path, 300, 3, 5).unwrap();
    path
}

/// Loads a good file, then `broken`, and checks the old frame still serves with the error recorded.
fn assert_reload_keeps_old_frame(broken: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let svc = service();
    let ok = svc.reload_from(&good(dir.path(), "good.csv")).unwrap();
    assert!(ok.rows > 0 && ok.last_error.is_none());
    let before = svc.frequency(&[], &FrequencyInput { group_by: vec!["school".into()], ..Default::default() }).unwrap();
    let err = svc.reload_from(broken).unwrap_err();
    assert!(matches!(err, StatsError::Load(_)), "{err:?}");
    let status = svc.status();
    assert_eq!(status.rows, ok.rows);
    assert_eq!(status.checksum, ok.checksum);
    assert!(status.last_error.is_some() && status.last_error_at.is_some());
    let after = svc.frequency(&[], &FrequencyInput { group_by: vec!["school".into()], ..Default::default() }).unwrap();
    assert_eq!(before, after);
}

fn with_df(name: &str, edit: impl FnOnce(DataFrame) -> DataFrame) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut df = edit(generate(200, 2, 3).to_dataframe().unwrap());
    write_dataframe(&path, &mut df).unwrap();
    (dir, path)
}

#[test]
fn a_missing_file_keeps_the_old_frame() {
    assert_reload_keeps_old_frame(Path::new("/nonexistent/data.csv"));
}

#[test]
fn a_missing_required_column_keeps_the_old_frame() {
    let (_d, path) = with_df("no_uid.parquet", |df| df.drop("uid").unwrap());
    assert_reload_keeps_old_frame(&path);
}

#[test]
fn duplicate_uid_wave_rows_keep_the_old_frame() {
    let (_d, path) = with_df("dup.csv", |df| {
        let head = df.head(Some(3));
        df.vstack(&head).unwrap()
    });
    assert_reload_keeps_old_frame(&path);
}

#[test]
fn a_measure_of_the_wrong_type_keeps_the_old_frame() {
    let (_d, path) = with_df("wrongtype.parquet", |mut df| {
        let n = df.height();
        let text: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
        df.with_column(Column::new("phq9_1".into(), text)).unwrap();
        df
    });
    assert_reload_keeps_old_frame(&path);
}

#[test]
fn garbage_bytes_keep_the_old_frame() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["garbage.parquet", "garbage.csv"] {
        let path = dir.path().join(name);
        std::fs::write(&path, b"\x00\xff\x13PAR1 not a table \xfe\n\x01,\x02").unwrap();
        assert_reload_keeps_old_frame(&path);
    }
}

#[test]
fn queries_before_any_load_say_no_frame() {
    let svc = service();
    assert!(!svc.is_ready());
    let err = svc.frequency(&[], &FrequencyInput::default()).unwrap_err();
    assert_eq!(err, StatsError::NoFrame);
}

#[test]
fn csv_and_parquet_load_to_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (service(), service());
    let sa = a.reload_from(&good(dir.path(), "s.csv")).unwrap();
    let sb = b.reload_from(&good(dir.path(), "s.parquet")).unwrap();
    assert_eq!((sa.rows, sa.students, &sa.waves), (sb.rows, sb.students, &sb.waves));
    assert_ne!(sa.checksum, sb.checksum);
    assert_eq!(a.columns().unwrap(), b.columns().unwrap());
    let f = FrequencyInput {
        group_by: vec!["school".into(), "yearGroup".into()],
        value_column: Some("sex".into()),
        filters: vec![],
    };
    assert_eq!(a.frequency(&[], &f).unwrap(), b.frequency(&[], &f).unwrap());
    let m = MeansInput { group_by: vec!["wave".into()], value_columns: vec!["phq9_3".into()], filters: vec![] };
    assert_eq!(a.means(&[], &m).unwrap(), b.means(&[], &m).unwrap());
}

#[test]
fn a_reload_swaps_in_the_new_frame_while_old_handles_stay_valid() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service();
    svc.reload_from(&good(dir.path(), "a.csv")).unwrap();
    let old = svc.frame().unwrap();
    let bigger = dir.path().join("b.parquet");
    write_sample(&bigger, 500, 3, 6).unwrap();
    let status = svc.reload_from(&bigger).unwrap();
    assert_eq!(status.rows, svc.frame().unwrap().rows());
    assert_ne!(old.rows(), status.rows);
    assert!(old.rows() > 0);
}
