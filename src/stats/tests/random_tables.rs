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

/// What differencing inside published tables gave an attacker: estimates of suppressed cells from a
/// published margin minus its published components, and how many were exactly right.
#[derive(Default)]
struct Differencing {
    estimates: usize,
    exact: usize,
}

/// Checks one frequency table: published counts within ±D of the naive ones, zeros exactly zero, nothing
/// published below min_n, every small cell suppressed. Then plays the attacker: every suppressed cell that is
/// the only hidden component of a published margin is estimated as margin − published components.
/// Returns the number of suppressed cells.
fn check_frequency(
    sample: &Sample,
    table: &StatsTable,
    input: &FrequencyInput,
    scope: &[Filter],
    min_n: f64,
    attack: &mut Differencing,
) -> usize {
    let mut dims = input.group_by.clone();
    dims.extend(input.value_column.clone());
    let filters: Vec<Filter> = scope.iter().chain(&input.filters).cloned().collect();
    let expected = naive::counts(sample, &dims, &filters);
    let cells = checker::cells(table, input.value_column.is_some());
    for (labels, v) in &cells {
        let truth = expected.get(labels).copied().unwrap_or(0) as f64;
        match v {
            Some(v) => {
                assert!((v - truth).abs() <= 3.0, "count of {labels:?} in {input:?}: {v} vs {truth}");
                assert_eq!(*v == 0.0, truth == 0.0, "zeros stay zeros and only zeros are 0: {labels:?}");
                assert!(*v == 0.0 || *v >= min_n, "published small cell {labels:?}={v} in {input:?}");
            }
            None => assert!(truth > 0.0, "a zero cell was suppressed: {labels:?} in {input:?}"),
        }
        if truth > 0.0 && truth < min_n {
            assert!(v.is_none(), "primary {labels:?} published in {input:?}");
        }
    }
    let index: std::collections::HashMap<&[String], Option<f64>> =
        cells.iter().map(|(l, v)| (l.as_slice(), *v)).collect();
    for (labels, total) in &cells {
        let Some(total) = total else { continue };
        for d in 0..labels.len() {
            if labels[d] != crate::stats::TOTAL {
                continue;
            }
            let parts: Vec<(&Vec<String>, Option<f64>)> = cells
                .iter()
                .filter(|(l, _)| l[d] != crate::stats::TOTAL && (0..l.len()).all(|i| i == d || l[i] == labels[i]))
                .map(|(l, v)| (l, *v))
                .collect();
            let hidden: Vec<&Vec<String>> = parts.iter().filter(|p| p.1.is_none()).map(|p| p.0).collect();
            if hidden.len() == 1 {
                let estimate = total - parts.iter().filter_map(|p| p.1).sum::<f64>();
                let truth = expected.get(hidden[0]).copied().unwrap_or(0) as f64;
                attack.estimates += 1;
                attack.exact += usize::from(estimate == truth);
                assert!(index.contains_key(hidden[0].as_slice()));
            }
        }
    }
    cells.iter().filter(|c| c.1.is_none()).count()
}

#[test]
fn frequency_tables_match_naive_counts_and_pass_the_checker_on_random_tables() {
    let mut suppressed_total = 0;
    let mut tables = 0;
    let mut attack = Differencing::default();
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
                Err(StatsError::Refused) => continue, // population below the minimum
                Err(e) => panic!("{e}"),
            };
            tables += 1;
            suppressed_total += check_frequency(&sample, &table, &input, &[], settings.min_n as f64, &mut attack);
        }
    }
    assert!(tables > 100, "too few tables checked: {tables}");
    assert!(suppressed_total > 100, "suppression never happened enough to test: {suppressed_total}");
    // Differencing inside tables (margin − published components) gives a noisy value, not the cell: the
    // attacker cannot tell the rare exact hits from the misses.
    assert!(attack.estimates > 50, "too few differencing attempts: {}", attack.estimates);
    let exact = attack.exact as f64 / attack.estimates as f64;
    assert!(exact < 0.5, "differencing recovers suppressed cells exactly too often: {exact:.2}");
}

#[test]
fn a_scope_restricts_counts_like_a_filter_and_stays_protected() {
    let (sample, frame, settings) = fixture(600, 3, 7);
    let school = frame.dimensions()[frame.dim_index("school").unwrap()].categories[0].clone();
    let scope = vec![Filter { column: "school".into(), values: vec![school] }];
    for (g, v) in [(vec!["yearGroup"], Some("sex")), (vec!["class", "ethnicity"], None), (vec![], Some("wave"))] {
        let input = FrequencyInput { group_by: strings(&g), value_column: v.map(str::to_owned), filters: vec![] };
        let table = frequency(&frame, &settings, &scope, &input).unwrap();
        check_frequency(&sample, &table, &input, &scope, settings.min_n as f64, &mut Differencing::default());
    }
}

/// Means/wave-change tables: published n within ±D of the truth and never below min_n, a published mean
/// within `R·0.8/n'` of the truth and never equal to it, nothing published for a small n.
fn check_means(
    table: &StatsTable,
    expected: &dyn Fn(&str) -> naive::MeanCells,
    measures: &[String],
    ranges: &[f64],
    min_n: f64,
) -> usize {
    let mut published = 0;
    for (j, m) in measures.iter().enumerate() {
        let truth = expected(m);
        for row in &table.rows {
            let (mean, n) = (row.cells[2 * j], row.cells[2 * j + 1]);
            let (t_mean, t_n) = truth.get(&row.groups).copied().unwrap_or((f64::NAN, 0));
            if let Some(n) = n {
                assert!((n - t_n as f64).abs() <= 3.0, "n of {m} at {:?}: {n} vs {t_n}", row.groups);
                assert_eq!(n == 0.0, t_n == 0, "zeros stay zeros");
                assert!(n == 0.0 || n >= min_n, "small n published");
            }
            if let Some(mean) = mean {
                let n = n.expect("a mean is published with its n");
                let bound = ranges[j] * crate::stats::perturb::SUM_NOISE_MAX / n + 1e-6;
                assert!((mean - t_mean).abs() <= bound, "mean of {m} at {:?}: {mean} vs {t_mean}", row.groups);
                assert_ne!(mean, t_mean, "a perturbed mean never equals sum / true n");
                published += 1;
            }
            if t_n > 0 && (t_n as f64) < min_n {
                assert!(mean.is_none() && n.is_none());
            }
        }
    }
    published
}

fn ranges(frame: &Frame, measures: &[String]) -> Vec<f64> {
    measures.iter().map(|m| frame.measures()[frame.measure_index(m).unwrap()].range()).collect()
}

#[test]
fn means_match_naive_means_of_student_means_and_respect_the_count_table() {
    let settings = StatsSettings::default();
    let mut published = 0;
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
            let expected = |m: &str| naive::means(&sample, &dims, m, &filters);
            published += check_means(&table, &expected, &measures, &ranges(&frame, &measures), settings.min_n as f64);
        }
    }
    assert!(published > 100, "too few means published: {published}");
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
        let expected = |m: &str| naive::wave_change(&sample, &dims, m, "1", "3", &filters);
        check_means(&table, &expected, &measures, &ranges(&frame, &measures), settings.min_n as f64);
        assert!(table.rows.iter().any(|r| r.cells[0].is_some()), "nothing published");
    }
}
