//! Means when students change school between waves: margins that pool the waves must take each student's
//! mean over all his rows in them, once (hand-computed expectations).

use crate::stats::load::load_file;
use crate::stats::{means, MeansInput, StatsSettings};

fn cell(table: &crate::stats::StatsTable, groups: [&str; 2]) -> (Option<f64>, Option<f64>) {
    let row = table.rows.iter().find(|r| r.groups == groups).unwrap_or_else(|| panic!("no row {groups:?}"));
    (row.cells[0], row.cells[1])
}

#[test]
fn pooled_margins_weigh_each_student_once_even_when_he_moves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movers.csv");
    // s1 moves from A to B; s2 stays in A; s3 has one wave in B.
    std::fs::write(&path, "uid,wave,school,phq9_1\ns1,1,A,0\ns1,2,B,3\ns2,1,A,1\ns2,2,A,1\ns3,1,B,2\n").unwrap();
    let settings = StatsSettings { min_n: 1, ..StatsSettings::default() };
    let (frame, _) = load_file(&path, &settings.dimensions, &settings.measures).unwrap();
    let input = MeansInput {
        group_by: vec!["school".into(), "wave".into()],
        value_columns: vec!["phq9_1".into()],
        filters: vec![],
    };
    let t = means(&frame, &settings, &[], &input).unwrap();
    assert_eq!(t.columns, vec!["phq9_1", "phq9_1_n"]);
    assert_eq!(cell(&t, ["A", "1"]), (Some(0.5), Some(2.0)));
    assert_eq!(cell(&t, ["B", "2"]), (Some(3.0), Some(1.0)));
    assert_eq!(cell(&t, ["A", "Total"]), (Some(0.5), Some(2.0)), "s1 once with his A row, s2 once");
    assert_eq!(cell(&t, ["B", "Total"]), (Some(2.5), Some(2.0)));
    assert_eq!(cell(&t, ["Total", "1"]), (Some(1.0), Some(3.0)));
    assert_eq!(cell(&t, ["Total", "2"]), (Some(2.0), Some(2.0)));
    assert_eq!(cell(&t, ["Total", "Total"]), (Some(1.5), Some(3.0)), "s1 counts once with mean 1.5");
}
