//! Frames written by pandas, pyarrow and polars (tests/fixtures/frames, from scripts/gen-frame-fixtures.py)
//! load to the same frame as the plain reference CSV, whatever the column types; unusable columns are named.

use std::path::PathBuf;

use crate::stats::load::load_file;
use crate::stats::{Frame, StatsError, StatsSettings};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/frames").join(name)
}

fn load(name: &str) -> Result<Frame, StatsError> {
    let settings = StatsSettings::default();
    load_file(&fixture(name), &settings.dimensions, &settings.measures).map(|(f, _)| f)
}

/// Rows, students, each dimension's labels per row, each measure's (present values, sum).
type Summary = (usize, usize, Vec<(String, Vec<String>)>, Vec<(String, u64, f64)>);

/// What must be equal: shape, every dimension's labels row by row, every measure's values.
fn summary(frame: &Frame) -> Summary {
    let mut dims: Vec<(String, Vec<String>)> = frame
        .dimensions()
        .iter()
        .map(|d| {
            let labels = d.codes.iter().map(|&c| d.categories.get(c as usize).cloned().unwrap_or_default());
            (d.name.clone(), labels.collect())
        })
        .collect();
    dims.sort();
    let mut measures: Vec<(String, u64, f64)> = frame
        .measures()
        .iter()
        .map(|m| {
            let present: Vec<f64> = m.values.iter().filter(|x| !x.is_nan()).map(|&x| f64::from(x)).collect();
            (m.name.clone(), present.len() as u64, present.iter().sum())
        })
        .collect();
    measures.sort_by(|a, b| a.0.cmp(&b.0));
    (frame.rows(), frame.students(), dims, measures)
}

#[test]
fn frames_written_by_pandas_pyarrow_and_polars_load_like_the_reference() {
    let reference = summary(&load("reference.csv").unwrap());
    assert_eq!((reference.0, reference.1), (120, 60));
    assert_eq!(reference.3.len(), 10, "nine items and d_age");
    assert!(reference.3.iter().any(|m| m.1 < 120), "the reference has missing answers");
    for name in ["pandas.parquet", "pandas.csv", "pyarrow.parquet", "polars.parquet", "polars.csv"] {
        let frame = load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(summary(&frame), reference, "{name}");
    }
}

#[test]
fn an_unusable_column_is_named_in_a_clear_error() {
    for (name, column) in [("bad-text-measure.parquet", "phq9_2"), ("bad-list-dimension.parquet", "school")] {
        match load(name) {
            Err(StatsError::Load(message)) => assert!(message.contains(&format!("`{column}`")), "{name}: {message}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}
