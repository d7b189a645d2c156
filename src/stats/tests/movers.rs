//! Means when students change school between waves: margins that pool the waves must take each student's
//! mean over all his rows in them, once (hand-computed expectations, on the aggregates before protection).

use crate::stats::aggregate::{Aggregates, Budget};
use crate::stats::load::load_file;
use crate::stats::query::{plan, Plan};
use crate::stats::suppress::Grid;
use crate::stats::{tables, StatsSettings, TOTAL};

fn cell(agg: &Aggregates, plan: &Plan, grid: &Grid, groups: [&str; 2]) -> (f64, u64) {
    let e = (0..grid.cells)
        .find(|&e| {
            let idx = grid.decode(e);
            (0..2).all(|d| plan.labels[d].get(idx[d]).map_or(TOTAL, String::as_str) == groups[d])
        })
        .unwrap_or_else(|| panic!("no cell {groups:?}"));
    (agg.acc[e].sum / agg.acc[e].n as f64, agg.acc[e].n)
}

#[test]
fn pooled_margins_weigh_each_student_once_even_when_he_moves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movers.csv");
    // s1 moves from A to B; s2 stays in A; s3 has one wave in B.
    std::fs::write(&path, "uid,wave,school,phq9_1\ns1,1,A,0\ns1,2,B,3\ns2,1,A,1\ns2,2,A,1\ns3,1,B,2\n").unwrap();
    let settings = StatsSettings { min_n: 1, min_population: 0, ..StatsSettings::default() };
    let (mut frame, _) = load_file(&path, &settings.dimensions, &settings.measures).unwrap();
    frame.derive_keys(&settings.secret);
    for group_by in [vec!["school".to_owned(), "wave".to_owned()], vec!["wave".to_owned(), "school".to_owned()]] {
        let p = plan(&frame, &settings, &[], &group_by, None, &["phq9_1".to_owned()], &[]).unwrap();
        let grid = Grid::new(&p.sizes());
        let agg = tables::means(&frame, &p, &grid, 2, &Budget::unlimited()).unwrap();
        let at = |a: &str, b: &str| {
            if group_by[0] == "school" {
                cell(&agg, &p, &grid, [a, b])
            } else {
                cell(&agg, &p, &grid, [b, a])
            }
        };
        assert_eq!(at("A", "1"), (0.5, 2));
        assert_eq!(at("B", "2"), (3.0, 1));
        assert_eq!(at("A", "Total"), (0.5, 2), "s1 once with his A row, s2 once");
        assert_eq!(at("B", "Total"), (2.5, 2));
        assert_eq!(at("Total", "1"), (1.0, 3));
        assert_eq!(at("Total", "2"), (2.0, 2));
        assert_eq!(at("Total", "Total"), (1.5, 3), "s1 counts once with mean 1.5");
        assert_eq!(agg.population, vec![0, 1, 2]);
    }
}
