//! A straightforward computation over the generated rows (HashMaps and HashSets), independent of the
//! compact frame, the grid and the stamps.

use std::collections::{HashMap, HashSet};

use crate::stats::generate::Sample;
use crate::stats::{Filter, TOTAL};

/// The label of a categorical column at a row.
pub fn label(s: &Sample, column: &str, row: usize) -> Option<String> {
    Some(match column {
        "uid" => s.uid[row].clone(),
        "wave" => s.wave[row].to_string(),
        "school" => s.school[row].clone(),
        "yearGroup" => s.year_group[row].to_string(),
        "class" => s.class[row].clone(),
        "sex" => s.sex[row].clone(),
        "ethnicity" => s.ethnicity[row].clone(),
        "d_city" => s.d_city[row].clone(),
        "d_country" => s.d_country[row].clone(),
        _ => return None,
    })
}

/// The value of a numeric column at a row.
pub fn value(s: &Sample, column: &str, row: usize) -> Option<f64> {
    if column == "d_age" {
        return Some(s.d_age[row] as f64);
    }
    let item: usize = column.strip_prefix("phq9_")?.parse().ok()?;
    s.phq9[item - 1][row].map(|v| v as f64)
}

fn passes(s: &Sample, filters: &[Filter], row: usize) -> bool {
    filters.iter().all(|f| label(s, &f.column, row).is_some_and(|l| f.values.contains(&l)))
}

/// Every key of a row with any subset of dimensions replaced by `Total`.
fn keys(labels: &[String]) -> Vec<Vec<String>> {
    let d = labels.len();
    (0..1usize << d)
        .map(|mask| (0..d).map(|i| if mask & (1 << i) != 0 { TOTAL.to_owned() } else { labels[i].clone() }).collect())
        .collect()
}

/// Distinct students per cell (margins included), keyed by labels.
pub fn counts(s: &Sample, dims: &[String], filters: &[Filter]) -> HashMap<Vec<String>, usize> {
    let mut cells: HashMap<Vec<String>, HashSet<&str>> = HashMap::new();
    for row in 0..s.rows() {
        if !passes(s, filters, row) {
            continue;
        }
        let labels: Vec<String> = dims.iter().filter_map(|d| label(s, d, row)).collect();
        for key in keys(&labels) {
            cells.entry(key).or_default().insert(&s.uid[row]);
        }
    }
    cells.into_iter().map(|(k, v)| (k, v.len())).collect()
}

/// Mean and n per cell, keyed by labels.
pub type MeanCells = HashMap<Vec<String>, (f64, usize)>;

/// Per cell: (mean over students of the student's mean, n students with a value).
pub fn means(s: &Sample, dims: &[String], measure: &str, filters: &[Filter]) -> MeanCells {
    let mut cells: HashMap<Vec<String>, HashMap<&str, (f64, usize)>> = HashMap::new();
    for row in 0..s.rows() {
        if !passes(s, filters, row) {
            continue;
        }
        let Some(v) = value(s, measure, row) else {
            continue;
        };
        let labels: Vec<String> = dims.iter().filter_map(|d| label(s, d, row)).collect();
        for key in keys(&labels) {
            let e = cells.entry(key).or_default().entry(&s.uid[row]).or_default();
            e.0 += v;
            e.1 += 1;
        }
    }
    cells
        .into_iter()
        .map(|(k, students)| {
            let n = students.len();
            let total: f64 = students.values().map(|(sum, c)| sum / *c as f64).sum();
            (k, (total / n as f64, n))
        })
        .collect()
}

/// Per cell: (mean change to − from over matched students, n).
pub fn wave_change(s: &Sample, dims: &[String], measure: &str, from: &str, to: &str, filters: &[Filter]) -> MeanCells {
    let mut by_student: HashMap<(&str, String), usize> = HashMap::new();
    for row in 0..s.rows() {
        by_student.insert((&s.uid[row], s.wave[row].to_string()), row);
    }
    let mut cells: HashMap<Vec<String>, (f64, usize)> = HashMap::new();
    for (&(uid, ref wave), &a) in &by_student {
        if wave != from {
            continue;
        }
        let Some(&b) = by_student.get(&(uid, to.to_owned())) else {
            continue;
        };
        if !passes(s, filters, a) || !passes(s, filters, b) {
            continue;
        }
        let (Some(x), Some(y)) = (value(s, measure, a), value(s, measure, b)) else {
            continue;
        };
        let labels: Vec<String> = dims.iter().filter_map(|d| label(s, d, a)).collect();
        for key in keys(&labels) {
            let e = cells.entry(key).or_default();
            e.0 += y - x;
            e.1 += 1;
        }
    }
    cells.into_iter().map(|(k, (sum, n))| (k, (sum / n as f64, n))).collect()
}
