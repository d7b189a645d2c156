//! Allowed columns, identifiers and scopes (fail closed).

use super::fixture;
use crate::stats::{frequency, means, Filter, FrequencyInput, MeansInput, StatsError, StatsService, StatsSettings};

fn bad_field(err: StatsError) -> (String, String) {
    match err {
        StatsError::BadInput { field, message } => (field, message),
        other => panic!("expected BadInput, got {other:?}"),
    }
}

#[test]
fn uid_is_refused_as_group_value_filter_and_measure() {
    let (_, frame, settings) = fixture(100, 2, 1);
    let by = |g: &str| FrequencyInput { group_by: vec![g.into()], ..Default::default() };
    let (field, msg) = bad_field(frequency(&frame, &settings, &[], &by("uid")).unwrap_err());
    assert_eq!(field, "groupBy");
    assert!(msg.contains("allowed columns") && msg.contains("school") && !msg.contains("uid,"), "{msg}");
    let vc = FrequencyInput { value_column: Some("uid".into()), ..Default::default() };
    assert_eq!(bad_field(frequency(&frame, &settings, &[], &vc).unwrap_err()).0, "valueColumn");
    let f = FrequencyInput {
        filters: vec![Filter { column: "uid".into(), values: vec!["S0000001".into()] }],
        ..Default::default()
    };
    assert_eq!(bad_field(frequency(&frame, &settings, &[], &f).unwrap_err()).0, "filters");
    let m = MeansInput { value_columns: vec!["uid".into()], ..Default::default() };
    assert_eq!(bad_field(means(&frame, &settings, &[], &m).unwrap_err()).0, "valueColumns");
}

#[test]
fn measures_are_not_dimensions_and_dimensions_are_not_measures() {
    let (_, frame, settings) = fixture(100, 2, 1);
    let f = FrequencyInput {
        filters: vec![Filter { column: "phq9_1".into(), values: vec!["3".into()] }],
        ..Default::default()
    };
    assert_eq!(bad_field(frequency(&frame, &settings, &[], &f).unwrap_err()).0, "filters");
    let g = FrequencyInput { group_by: vec!["d_age".into()], ..Default::default() };
    assert_eq!(bad_field(frequency(&frame, &settings, &[], &g).unwrap_err()).0, "groupBy");
    let m = MeansInput { value_columns: vec!["school".into()], ..Default::default() };
    let (_, msg) = bad_field(means(&frame, &settings, &[], &m).unwrap_err());
    assert!(msg.contains("phq9_1"), "{msg}");
}

#[test]
fn a_column_outside_the_configured_whitelist_is_refused() {
    let (_, frame, mut settings) = fixture(100, 2, 1);
    settings.dimensions.retain(|d| d != "d_city");
    let g = FrequencyInput { group_by: vec!["d_city".into()], ..Default::default() };
    let (_, msg) = bad_field(frequency(&frame, &settings, &[], &g).unwrap_err());
    assert!(!msg.contains("d_city,") && msg.contains("school"), "{msg}");
}

#[test]
fn unknown_filter_values_and_empty_filters_are_refused() {
    let (_, frame, settings) = fixture(100, 2, 1);
    let f = |values: Vec<String>| FrequencyInput {
        filters: vec![Filter { column: "sex".into(), values }],
        ..Default::default()
    };
    assert_eq!(bad_field(frequency(&frame, &settings, &[], &f(vec!["X".into()])).unwrap_err()).0, "filters");
    assert_eq!(bad_field(frequency(&frame, &settings, &[], &f(vec![])).unwrap_err()).0, "filters");
}

#[test]
fn a_scope_on_a_missing_or_disallowed_column_denies_everything() {
    let (_, frame, settings) = fixture(100, 2, 1);
    let input = FrequencyInput::default();
    for column in ["schol", "uid", "phq9_1"] {
        let scope = vec![Filter { column: column.into(), values: vec!["Greenwood".into()] }];
        let err = frequency(&frame, &settings, &scope, &input).unwrap_err();
        assert!(matches!(err, StatsError::ScopeDenied { .. }), "{column}: {err:?}");
    }
    let empty = vec![Filter { column: "school".into(), values: vec![] }];
    assert!(matches!(frequency(&frame, &settings, &empty, &input), Err(StatsError::ScopeDenied { .. })));
}

#[test]
fn a_scope_with_an_unknown_value_matches_nothing() {
    let (_, frame, settings) = fixture(200, 2, 1);
    let scope = vec![Filter { column: "school".into(), values: vec!["Nowhere".into()] }];
    let err = frequency(&frame, &settings, &scope, &FrequencyInput::default()).unwrap_err();
    assert_eq!(err, StatsError::Refused, "an empty population is below the minimum population");
}

#[test]
fn the_service_reports_a_denied_scope_in_its_status() {
    let svc = StatsService::new(StatsSettings::default());
    svc.install_generated(100, 2, 1).unwrap();
    let scope = vec![Filter { column: "schol".into(), values: vec!["Greenwood".into()] }];
    assert!(svc.frequency(&scope, &FrequencyInput::default()).is_err());
    let status = svc.status();
    assert!(status.last_scope_denial.unwrap_or_default().contains("schol"));
}

#[test]
fn an_empty_group_by_gives_a_single_total() {
    let (sample, frame, settings) = fixture(150, 2, 2);
    let t = frequency(&frame, &settings, &[], &FrequencyInput::default()).unwrap();
    let students = sample.uid.iter().collect::<std::collections::HashSet<_>>().len();
    assert_eq!(t.rows.len(), 1);
    let published = t.rows[0].cells[0].unwrap();
    assert!((published - students as f64).abs() <= 3.0, "{published} vs {students}");
    assert_eq!(t.csv(), format!("n\n{published}\n"));
}
