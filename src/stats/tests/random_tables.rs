//! Tables on generated data against the naive computation and the independent checker.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::{checker, fixture, naive};
use crate::stats::generate::Sample;
use crate::stats::{
    frequency, means, wave_change, Filter, Frame, FrequencyInput, MeansInput, StatsError, StatsSettings, StatsTable,
    WaveChangeInput,
};

const DIMS: &[&str] = &["school", "yearGroup", "class", "sex", "ethnicity", "wave", "d_city", "d_country"];

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn random_filter(rng: &mut StdRng, frame: &Frame, avoid: &[String]) -> Vec<Filter> {
    if rng.gen_bool(0.4) {
        return Vec::new();
    }
    let free: Vec<&&str> = DIMS.iter().filter(|d| !avoid.iter().any(|a| a == **d)).collect();
    let Some(col) = free.choose(rng) else {
        return Vec::new();
    };
    let cats = &frame.dimensions()[frame.dim_index(col).unwrap()].categories;
    let k = rng.gen_range(1..=2.min(cats.len()));
    let values = cats.choose_multiple(rng, k).cloned().collect();
    vec![Filter { column: (**col).to_owned(), values }]
}

/// Checks one frequency table: counts equal the naive ones, nothing published below min_n, and every
/// suppressed cell undetermined. Returns the number of suppressed cells.
fn check_frequency(sample: &Sample, table: &StatsTable, input: &FrequencyInput, scope: &[Filter], min_n: f64) -> usize {
    let mut dims = input.group_by.clone();
    dims.extend(input.value_column.clone());
    let filters: Vec<Filter> = scope.iter().chain(&input.filters).cloned().collect();
    let expected = naive::counts(sample, &dims, &filters);
    let cells = checker::cells(table, input.value_column.is_some());
    for (labels, v) in &cells {
        let truth = expected.get(labels).copied().unwrap_or(0) as f64;
        match v {
            Some(v) => {
                assert_eq!(*v, truth, "count of {labels:?} in {input:?}");
                assert!(*v == 0.0 || *v >= min_n, "published small cell {labels:?}={v} in {input:?}");
            }
            None => assert!(truth > 0.0, "a zero cell was suppressed: {labels:?} in {input:?}"),
        }
        if truth > 0.0 && truth < min_n {
            assert!(v.is_none(), "primary {labels:?} published in {input:?}");
        }
    }
    let truth = |l: &[String]| expected.get(l).copied().unwrap_or(0) as f64;
    let weak = checker::weak_relations(&cells, &truth, min_n);
    assert!(weak.is_empty(), "suppressed sums below min_n at {weak:?} in {input:?}");
    let open = checker::determined(&cells);
    assert!(
        open.is_empty(),
        "suppressed cells {:?} are determined in {input:?}",
        open.iter().map(|&i| &cells[i].0).collect::<Vec<_>>()
    );
    cells.iter().filter(|c| c.1.is_none()).count()
}

#[test]
fn frequency_tables_match_naive_counts_and_pass_the_checker_on_random_tables() {
    let mut suppressed_total = 0;
    let mut tables = 0;
    for seed in 0..6u64 {
        let (sample, frame, settings) = fixture(250 + 60 * seed as usize, 3, seed);
        let mut rng = StdRng::seed_from_u64(1000 + seed);
        for _ in 0..30 {
            let k = rng.gen_range(0..=3);
            let mut dims: Vec<String> = strings(DIMS).choose_multiple(&mut rng, k).cloned().collect();
            let value_column = (rng.gen_bool(0.5) && !dims.is_empty()).then(|| dims.remove(0));
            let input = FrequencyInput {
                group_by: dims.clone(),
                value_column: value_column.clone(),
                filters: random_filter(&mut rng, &frame, &dims),
            };
            let table = match frequency(&frame, &settings, &[], &input) {
                Ok(t) => t,
                Err(StatsError::BadInput { field, .. }) if field == "groupBy" => continue, // too many cells
                Err(e) => panic!("{e}"),
            };
            tables += 1;
            suppressed_total += check_frequency(&sample, &table, &input, &[], settings.min_n as f64);
        }
    }
    assert!(tables > 100, "too few tables checked: {tables}");
    assert!(suppressed_total > 100, "suppression never happened enough to test: {suppressed_total}");
}

#[test]
fn a_scope_restricts_counts_like_a_filter_and_stays_protected() {
    let (sample, frame, settings) = fixture(600, 3, 7);
    let school = frame.dimensions()[frame.dim_index("school").unwrap()].categories[0].clone();
    let scope = vec![Filter { column: "school".into(), values: vec![school] }];
    for (g, v) in [(vec!["yearGroup"], Some("sex")), (vec!["class", "ethnicity"], None), (vec![], Some("wave"))] {
        let input = FrequencyInput { group_by: strings(&g), value_column: v.map(str::to_owned), filters: vec![] };
        let table = frequency(&frame, &settings, &scope, &input).unwrap();
        check_frequency(&sample, &table, &input, &scope, settings.min_n as f64);
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

/// Means/wave-change tables: published means equal the naive ones, n ≥ min_n, the count cell is published,
/// and the n-table of each measure passes the checker.
fn check_means(
    table: &StatsTable,
    count_table: &StatsTable,
    group_by: &[String],
    expected: &dyn Fn(&str) -> naive::MeanCells,
    measures: &[String],
    min_n: f64,
) {
    for (j, m) in measures.iter().enumerate() {
        let truth = expected(m);
        let mut n_cells = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            let (mean, n) = (row.cells[2 * j], row.cells[2 * j + 1]);
            let (t_mean, t_n) = truth.get(&row.groups).copied().unwrap_or((f64::NAN, 0));
            if let Some(n) = n {
                assert_eq!(n, t_n as f64, "n of {m} at {:?}", row.groups);
                assert!(n == 0.0 || n >= min_n, "small n published");
            }
            if let Some(mean) = mean {
                assert!(close(mean, t_mean), "mean of {m} at {:?}: {mean} vs {t_mean}", row.groups);
                assert!(count_table.rows[r].cells[0].is_some(), "mean published while its count is suppressed");
            }
            if t_n > 0 && (t_n as f64) < min_n {
                assert!(mean.is_none() && n.is_none());
            }
            n_cells.push((row.groups.clone(), n));
        }
        let open = checker::determined(&n_cells);
        assert!(
            open.is_empty(),
            "n of {m} recomputable at {:?} for {group_by:?}",
            open.iter().map(|&i| &n_cells[i].0).collect::<Vec<_>>()
        );
    }
}

#[test]
fn means_match_naive_means_of_student_means_and_respect_the_count_table() {
    let settings = StatsSettings::default();
    for seed in 0..4u64 {
        let (sample, frame, _) = fixture(400, 4, 50 + seed);
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..8 {
            let k = rng.gen_range(0..=2);
            let dims: Vec<String> = strings(DIMS).choose_multiple(&mut rng, k).cloned().collect();
            let filters = random_filter(&mut rng, &frame, &dims);
            let measures = strings(&["phq9_1", "phq9_9", "d_age"]);
            let input =
                MeansInput { group_by: dims.clone(), value_columns: measures.clone(), filters: filters.clone() };
            let Ok(table) = means(&frame, &settings, &[], &input) else {
                continue;
            };
            let counts = frequency(
                &frame,
                &settings,
                &[],
                &FrequencyInput { group_by: dims.clone(), value_column: None, filters: filters.clone() },
            )
            .unwrap();
            let expected = |m: &str| naive::means(&sample, &dims, m, &filters);
            check_means(&table, &counts, &dims, &expected, &measures, settings.min_n as f64);
        }
    }
}

#[test]
fn wave_change_matches_naive_matched_panel_changes() {
    let (sample, frame, settings) = fixture(700, 3, 99);
    for dims in [vec![], vec!["school"], vec!["sex", "yearGroup"]] {
        let dims = strings(&dims);
        let filters = vec![Filter { column: "d_country".into(), values: vec!["England".into()] }];
        let measures = strings(&["phq9_2", "phq9_9"]);
        let input = WaveChangeInput {
            from_wave: "1".into(),
            to_wave: "3".into(),
            group_by: dims.clone(),
            value_columns: measures.clone(),
            filters: filters.clone(),
        };
        let table = wave_change(&frame, &settings, &[], &input).unwrap();
        // The count cells of a wave change are matched students; check those published against naive too.
        let expected = |m: &str| naive::wave_change(&sample, &dims, m, "1", "3", &filters);
        let all_published = StatsTable {
            rows: table
                .rows
                .iter()
                .map(|r| crate::stats::TableRow { groups: r.groups.clone(), cells: vec![Some(0.0)] })
                .collect(),
            ..table.clone()
        };
        check_means(&table, &all_published, &dims, &expected, &measures, settings.min_n as f64);
        assert!(table.rows.iter().any(|r| r.cells[0].is_some()), "nothing published");
    }
}
