//! Tables computed on parts of the students, on several threads, equal the table computed in one pass.

use super::fixture;
use crate::stats::parts::PART_OVERRIDE;
use crate::stats::{self, Filter, FrequencyInput, MeansInput, StatsTable, WaveChangeInput};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// The same figures: counts exactly, means to 1e-9 (sums over parts are added in another grouping).
fn assert_same(a: &StatsTable, b: &StatsTable, what: &str) {
    assert_eq!(a.columns, b.columns, "{what}");
    assert_eq!(a.suppressed, b.suppressed, "{what}");
    assert_eq!(a.population(), b.population(), "{what}");
    assert_eq!(a.rows.len(), b.rows.len(), "{what}");
    for (ra, rb) in a.rows.iter().zip(&b.rows) {
        assert_eq!(ra.groups, rb.groups, "{what}");
        for (x, y) in ra.cells.iter().zip(&rb.cells) {
            match (x, y) {
                (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{what}: {x} vs {y} in {:?}", ra.groups),
                _ => assert_eq!(x, y, "{what} in {:?}", ra.groups),
            }
        }
    }
}

#[test]
fn parts_and_threads_give_the_table_of_one_pass() {
    let (_, frame, settings) = fixture(3_000, 4, 11);
    let measures = strings(&["phq9_1", "phq9_2", "phq9_9"]);
    let filters = vec![Filter { column: "sex".into(), values: strings(&["F"]) }];
    let tables = |threads: usize, part: Option<usize>| {
        PART_OVERRIDE.with(|p| p.set(part));
        let s = stats::StatsSettings { threads, min_n: 3, min_population: 0, ..settings.clone() };
        let freq = FrequencyInput {
            group_by: strings(&["school", "yearGroup"]),
            value_column: Some("sex".into()),
            filters: vec![],
        };
        let means = |group_by: &[&str], filters: &[Filter]| MeansInput {
            group_by: strings(group_by),
            value_columns: measures.clone(),
            filters: filters.to_vec(),
        };
        let change = WaveChangeInput {
            group_by: strings(&["school"]),
            value_columns: measures.clone(),
            from_wave: frame.waves()[0].clone(),
            to_wave: frame.waves()[2].clone(),
            filters: vec![],
        };
        let out = vec![
            stats::frequency(&frame, &s, &[], &freq).unwrap(),
            stats::means(&frame, &s, &[], &means(&["school", "wave"], &[])).unwrap(),
            stats::means(&frame, &s, &[], &means(&["school", "yearGroup"], &filters)).unwrap(),
            stats::wave_change(&frame, &s, &[], &change).unwrap(),
        ];
        PART_OVERRIDE.with(|p| p.set(None));
        out
    };
    let one_pass = tables(1, None);
    for (threads, part) in [(1, Some(700)), (2, Some(700)), (2, Some(1)), (3, Some(999)), (2, None)] {
        for (i, (a, b)) in one_pass.iter().zip(tables(threads, part)).enumerate() {
            assert_same(a, &b, &format!("table {i}, threads {threads}, part {part:?}"));
        }
    }
    // The split does happen: 3,000 students in parts of 700 are 5 parts.
    assert_eq!(crate::stats::parts::ranges(frame.students(), 700).len(), 5);
}
