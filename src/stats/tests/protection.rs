//! Cell-key perturbation and protected means: consistency across wordings, no averaging, the noise's
//! distribution, the means' rules and the wave-change panel rule.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::fixture;
use crate::stats::keys::RecordKeys;
use crate::stats::load::load_file;
use crate::stats::ptable::PTable;
use crate::stats::{
    frequency, means, wave_change, Filter, Frame, FrequencyInput, MeansInput, StatsError, StatsSettings, StatsTable,
    WaveChangeInput, TOTAL,
};

fn f(column: &str, values: &[&str]) -> Filter {
    Filter { column: column.into(), values: values.iter().map(|v| (*v).to_owned()).collect() }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

/// The value of the row whose groups are `groups`, column `column`.
fn at(t: &StatsTable, groups: &[&str], column: &str) -> Option<f64> {
    let c = t.columns.iter().position(|x| x == column).unwrap();
    t.rows.iter().find(|r| r.groups == groups).unwrap_or_else(|| panic!("no row {groups:?}")).cells[c]
}

#[test]
fn the_same_cell_gets_the_same_published_count_whatever_the_wording() {
    let (_, frame, settings) = fixture(1200, 3, 11);
    let school = frame.dimensions()[frame.dim_index("school").unwrap()].categories[1].clone();
    let sc = school.as_str();
    let q = |scope: &[Filter], group_by: &[&str], value_column: Option<&str>, filters: Vec<Filter>| {
        let input = FrequencyInput { group_by: s(group_by), value_column: value_column.map(str::to_owned), filters };
        frequency(&frame, &settings, scope, &input).unwrap()
    };
    let wordings = [
        at(&q(&[], &["school", "sex"], None, vec![]), &[sc, "F"], "n"),
        at(&q(&[], &["sex", "school"], None, vec![]), &["F", sc], "n"),
        at(&q(&[], &["school"], Some("sex"), vec![]), &[sc], "F"),
        at(&q(&[], &["sex"], None, vec![f("school", &[sc])]), &["F"], "n"),
        at(&q(&[], &["school"], None, vec![f("sex", &["F"])]), &[sc], "n"),
        at(&q(&[f("school", &[sc])], &[], None, vec![f("sex", &["F"])]), &[], "n"),
        at(&q(&[], &[], None, vec![f("sex", &["F"]), f("school", &[sc])]), &[], "n"),
        at(&q(&[], &["sex"], Some("yearGroup"), vec![f("school", &[sc])]), &["F"], TOTAL),
    ];
    assert!(wordings[0].is_some(), "the cell is published");
    assert!(wordings.iter().all(|w| *w == wordings[0]), "{wordings:?}");
    // A margin is the same cell as the total of a filtered table.
    let margin = at(&q(&[], &["school", "sex"], None, vec![]), &[sc, TOTAL], "n");
    assert_eq!(margin, at(&q(&[], &[], None, vec![f("school", &[sc])]), &[], "n"));
}

#[test]
fn repeating_or_rewording_a_query_gives_no_new_information() {
    let (_, frame, settings) = fixture(800, 3, 12);
    let input =
        FrequencyInput { group_by: s(&["school", "yearGroup"]), value_column: Some("sex".into()), filters: vec![] };
    let first = frequency(&frame, &settings, &[], &input).unwrap();
    for _ in 0..5 {
        assert_eq!(frequency(&frame, &settings, &[], &input).unwrap(), first);
    }
    let m = MeansInput { group_by: s(&["school"]), value_columns: s(&["phq9_1"]), filters: vec![] };
    let a = means(&frame, &settings, &[], &m).unwrap();
    let reworded = MeansInput { group_by: s(&["school"]), value_columns: s(&["phq9_2", "phq9_1"]), filters: vec![] };
    let b = means(&frame, &settings, &[], &reworded).unwrap();
    let by_wave = MeansInput { group_by: s(&["school", "wave"]), value_columns: s(&["phq9_1"]), filters: vec![] };
    let c = means(&frame, &settings, &[], &by_wave).unwrap();
    let mut published = 0;
    for row in &a.rows {
        let groups: Vec<&str> = row.groups.iter().map(String::as_str).collect();
        assert_eq!(at(&a, &groups, "phq9_1"), at(&b, &groups, "phq9_1"));
        assert_eq!(at(&a, &groups, "phq9_1_n"), at(&b, &groups, "phq9_1_n"));
        // The same students pooled over the waves, through the other computation path.
        let pooled = [groups[0], TOTAL];
        assert_eq!(at(&a, &groups, "phq9_1"), at(&c, &pooled, "phq9_1"), "{groups:?}");
        assert_eq!(at(&a, &groups, "phq9_1_n"), at(&c, &pooled, "phq9_1_n"));
        published += usize::from(at(&a, &groups, "phq9_1").is_some());
    }
    assert!(published >= 3);
}

#[test]
fn the_noise_over_many_cells_is_unbiased_with_the_tables_variance() {
    let settings = StatsSettings::default();
    let t = PTable::new(settings.noise_max, settings.noise_variance);
    let uids: Vec<String> = (0..20_000).map(|i| format!("S{i:07}")).collect();
    let keys = RecordKeys::derive(&settings.secret, &uids);
    let mut rng = StdRng::seed_from_u64(5);
    let ids: Vec<usize> = (0..uids.len()).collect();
    let noises: Vec<f64> = (0..20_000)
        .map(|_| {
            let size = rng.gen_range(5..80);
            let key = ids.choose_multiple(&mut rng, size).fold(0u32, |k, &i| k.wrapping_add(keys.count[i]));
            t.noise(size as u64, key) as f64
        })
        .collect();
    let mean = noises.iter().sum::<f64>() / noises.len() as f64;
    let var = noises.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / noises.len() as f64;
    assert!(mean.abs() < 0.05, "bias {mean}");
    assert!((var - 1.5).abs() < 0.1, "variance {var}");
    assert!(noises.iter().all(|x| x.abs() <= 3.0));
}

fn frame_from_csv(csv: &str, settings: &StatsSettings) -> Frame {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.csv");
    std::fs::write(&path, csv).unwrap();
    let (mut frame, _) = load_file(&path, &settings.dimensions, &settings.measures).unwrap();
    frame.derive_keys(&settings.secret);
    frame
}

/// `n` students of `school`, wave 1, with the given phq9_1 values.
fn students(csv: &mut String, school: &str, values: &[u8]) {
    for (i, v) in values.iter().enumerate() {
        csv.push_str(&format!("{school}{i},1,{school},{v}\n"));
    }
}

#[test]
fn means_are_suppressed_when_flat_at_a_bound_or_dominated_and_otherwise_perturbed() {
    let settings = StatsSettings::default();
    let mut csv = String::from("uid,wave,school,phq9_1\n");
    students(&mut csv, "Flat", &[2; 12]);
    students(&mut csv, "Top", &[3; 12]);
    students(&mut csv, "Bottom", &[0; 12]);
    students(&mut csv, "Dominated", &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
    students(&mut csv, "Mixed", &[0, 1, 2, 3, 1, 2, 0, 1, 2, 3, 1, 2]);
    students(&mut csv, "Small", &[1, 2, 3]);
    let frame = frame_from_csv(&csv, &settings);
    let t = means(
        &frame,
        &settings,
        &[],
        &MeansInput { group_by: s(&["school"]), value_columns: s(&["phq9_1"]), filters: vec![] },
    )
    .unwrap();
    for school in ["Flat", "Top", "Bottom", "Dominated"] {
        assert_eq!(at(&t, &[school], "phq9_1"), None, "{school}: mean suppressed");
        assert!(at(&t, &[school], "phq9_1_n").is_some(), "{school}: its n is a count like any other");
        assert!(t.suppressed.iter().any(|c| c.column == "phq9_1" && t.rows[c.row].groups == [school]));
    }
    assert_eq!(at(&t, &["Small"], "phq9_1"), None);
    assert_eq!(at(&t, &["Small"], "phq9_1_n"), None, "n below MIN_N: mean and n suppressed");
    let mixed = at(&t, &["Mixed"], "phq9_1").unwrap();
    let n = at(&t, &["Mixed"], "phq9_1_n").unwrap();
    let truth = 18.0 / 12.0;
    assert_ne!(mixed, truth, "a perturbed mean never equals sum / true n");
    assert!((mixed - truth).abs() <= 3.0 * 0.8 / n + 1e-6);
    assert!((n - 12.0).abs() <= 3.0);
    assert!((mixed * n - 18.0).abs() > 1e-9, "mean × n' is not the true sum");
}

#[test]
fn a_wave_change_whose_panel_is_a_few_students_from_a_wave_is_refused() {
    let settings = StatsSettings::default();
    let mut csv = String::from("uid,wave,school,phq9_1\n");
    for i in 0..40 {
        csv.push_str(&format!("p{i},1,A,{}\np{i},2,A,{}\n", i % 4, (i + 1) % 4));
    }
    let input = WaveChangeInput {
        from_wave: "1".into(),
        to_wave: "2".into(),
        group_by: vec![],
        value_columns: s(&["phq9_1"]),
        filters: vec![],
    };
    let whole = frame_from_csv(&csv, &settings);
    assert!(wave_change(&whole, &settings, &[], &input).unwrap().rows[0].cells[0].is_some());
    let mut near = csv.clone();
    near.push_str("x1,1,A,2\nx2,1,A,3\n"); // two students only in wave 1
    let near = frame_from_csv(&near, &settings);
    assert_eq!(wave_change(&near, &settings, &[], &input).unwrap_err(), StatsError::Refused);
    let mut far = csv;
    for i in 0..8 {
        far.push_str(&format!("y{i},1,A,1\n"));
    }
    let far = frame_from_csv(&far, &settings);
    assert!(wave_change(&far, &settings, &[], &input).is_ok(), "a difference of MIN_N or more is answered");
}

#[test]
fn the_query_model_limits_variables_cells_and_population() {
    let (_, frame, settings) = fixture(600, 3, 13);
    let too_many = FrequencyInput {
        group_by: s(&["school", "yearGroup", "sex"]),
        value_column: None,
        filters: vec![f("ethnicity", &["Mixed"]), f("d_city", &["Oxford"])],
    };
    match frequency(&frame, &settings, &[], &too_many) {
        Err(StatsError::BadInput { field, message }) => assert!(field == "filters" && message.contains("at most 4")),
        other => panic!("{other:?}"),
    }
    let scoped =
        FrequencyInput { group_by: s(&["yearGroup", "sex", "ethnicity"]), value_column: None, filters: vec![] };
    let scope = vec![f("school", &["Greenwood"])];
    assert!(frequency(&frame, &settings, &scope, &scoped).is_ok(), "scope counts as a variable: 4 is allowed");
    let mut five = scoped.clone();
    five.filters.push(f("d_country", &["England"]));
    assert!(matches!(frequency(&frame, &settings, &scope, &five), Err(StatsError::BadInput { .. })));
    let tiny = FrequencyInput {
        group_by: vec![],
        value_column: None,
        filters: vec![f("sex", &["I"]), f("school", &["Greenwood"])],
    };
    assert_eq!(frequency(&frame, &settings, &[], &tiny).unwrap_err(), StatsError::Refused);
    let small_cap = StatsSettings { max_cells: 10, ..settings.clone() };
    let big = FrequencyInput { group_by: s(&["class"]), value_column: None, filters: vec![] };
    assert!(matches!(frequency(&frame, &small_cap, &[], &big), Err(StatsError::BadInput { .. })));
}

#[test]
fn a_computation_past_its_deadline_stops() {
    let (_, frame, settings) = fixture(3000, 3, 14);
    let budget = crate::stats::Budget::until(std::time::Instant::now());
    let input = FrequencyInput { group_by: s(&["school"]), value_column: None, filters: vec![] };
    let err = crate::stats::frequency_within(&frame, &settings, &[], &input, &budget).unwrap_err();
    assert_eq!(err, StatsError::Cancelled);
    let budget = crate::stats::Budget::unlimited();
    budget.cancel();
    let m = MeansInput { group_by: s(&["school"]), value_columns: s(&["phq9_1"]), filters: vec![] };
    assert_eq!(crate::stats::means_within(&frame, &settings, &[], &m, &budget).unwrap_err(), StatsError::Cancelled);
}

#[test]
fn csv_cells_never_start_a_formula() {
    let settings = StatsSettings { min_population: 0, min_n: 2, ..StatsSettings::default() };
    let mut csv = String::from("uid,wave,school,phq9_1\n");
    students(&mut csv, "=HYPERLINK(1)", &[0, 1, 2, 3, 1, 2, 0, 1, 2, 3]);
    students(&mut csv, "@cmd", &[0, 1, 2, 3, 1, 2, 0, 1, 2, 3]);
    students(&mut csv, "-2+3", &[0, 1, 2, 3, 1, 2, 0, 1, 2, 3]);
    let frame = frame_from_csv(&csv, &settings);
    let t =
        frequency(&frame, &settings, &[], &FrequencyInput { group_by: s(&["school"]), ..Default::default() }).unwrap();
    let out = t.csv();
    for line in out.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            let number = cell.parse::<f64>().is_ok() && !cell.starts_with('+');
            assert!(number || !cell.starts_with(['=', '+', '-', '@']), "{cell} in {out}");
        }
    }
    assert!(out.contains("'=HYPERLINK(1)") && out.contains("'@cmd") && out.contains("'-2+3"), "{out}");
}
