//! Query inputs and their validation against the allowed columns and the user's scope.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::error::StatsError;
use super::frame::{Frame, MISSING};
use super::load::UID;
use super::StatsSettings;

/// Most table dimensions (group columns plus the value column).
pub const MAX_TABLE_DIMS: usize = 4;
/// Most filters in one table.
pub const MAX_FILTERS: usize = 16;

/// Membership filter on a categorical column: `column ∈ values` (one value = equality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// An allowed dimension.
    pub column: String,
    /// Category labels to keep.
    pub values: Vec<String>,
}

/// A frequency table: distinct students per cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrequencyInput {
    /// Row dimensions (may be empty: a single total).
    pub group_by: Vec<String>,
    /// Optional column dimension: one output column per category, plus `Total`.
    pub value_column: Option<String>,
    /// Filters, applied after the user's scope.
    pub filters: Vec<Filter>,
}

/// A means table: per cell and measure, the mean over students and its distinct-student n.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeansInput {
    /// Row dimensions (may be empty).
    pub group_by: Vec<String>,
    /// Allowed measures.
    pub value_columns: Vec<String>,
    /// Filters, applied after the user's scope.
    pub filters: Vec<Filter>,
}

/// Mean change between two waves over the students present in both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaveChangeInput {
    /// Baseline wave label (as listed by the `wave` column's categories, e.g. `"1"`).
    pub from_wave: String,
    /// Follow-up wave label.
    pub to_wave: String,
    /// Row dimensions, taken from the baseline row (may be empty; `wave` is not allowed).
    pub group_by: Vec<String>,
    /// Allowed measures.
    pub value_columns: Vec<String>,
    /// Filters; both the baseline and the follow-up row must pass them (and the scope).
    pub filters: Vec<Filter>,
}

/// A validated query, expressed in frame indices and codes.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Frame dimension index of each table dimension.
    pub dims: Vec<usize>,
    /// Per table dimension: frame code → local category index (or `MISSING` when excluded).
    pub local: Vec<Vec<u16>>,
    /// Per table dimension: the category labels kept, in order.
    pub labels: Vec<Vec<String>>,
    /// Every filtered frame dimension with its mask of allowed codes.
    pub filters: Vec<(usize, Vec<bool>)>,
    /// Frame measure indices.
    pub measures: Vec<usize>,
}

impl Plan {
    /// Whether row `r` passes every filter (scope included).
    #[inline]
    pub fn passes(&self, frame: &Frame, r: usize) -> bool {
        self.filters.iter().all(|(d, mask)| {
            let code = frame.dims[*d].codes[r];
            mask.get(code as usize).copied().unwrap_or(false)
        })
    }

    /// Category counts of the table dimensions.
    pub fn sizes(&self) -> Vec<usize> {
        self.labels.iter().map(Vec::len).collect()
    }
}

fn allowed_dims(frame: &Frame, settings: &StatsSettings) -> Vec<String> {
    settings.dimensions.iter().filter(|d| d.as_str() != UID && frame.dim_index(d).is_some()).cloned().collect()
}

fn allowed_measures(frame: &Frame, settings: &StatsSettings) -> Vec<String> {
    settings.measures.iter().filter(|m| m.as_str() != UID && frame.measure_index(m).is_some()).cloned().collect()
}

/// Resolves a dimension the user asked for, or explains which ones are allowed.
fn dimension(frame: &Frame, settings: &StatsSettings, field: &str, name: &str) -> Result<usize, StatsError> {
    let allowed = allowed_dims(frame, settings);
    match frame.dim_index(name) {
        Some(i) if name != UID && allowed.iter().any(|a| a == name) => Ok(i),
        _ => Err(StatsError::bad_input(
            field,
            format!("column `{name}` is not allowed in {field}; allowed columns: {}", allowed.join(", ")),
        )),
    }
}

/// Resolves a measure the user asked for, or explains which ones are allowed.
fn measure(frame: &Frame, settings: &StatsSettings, field: &str, name: &str) -> Result<usize, StatsError> {
    let allowed = allowed_measures(frame, settings);
    match frame.measure_index(name) {
        Some(i) if name != UID && allowed.iter().any(|a| a == name) => Ok(i),
        _ => Err(StatsError::bad_input(
            field,
            format!("column `{name}` is not allowed in {field}; allowed columns: {}", allowed.join(", ")),
        )),
    }
}

/// Checks a user scope without running a query: every column must be an allowed dimension of the frame.
pub fn check_scope(frame: &Frame, settings: &StatsSettings, scope: &[Filter]) -> Result<(), StatsError> {
    for f in scope {
        let ok = f.column != UID
            && settings.dimensions.iter().any(|d| d == &f.column)
            && frame.dim_index(&f.column).is_some();
        if !ok {
            return Err(StatsError::ScopeDenied {
                detail: format!("scope names column `{}`, which is not a dimension of the frame", f.column),
            });
        }
        if f.values.is_empty() {
            return Err(StatsError::ScopeDenied { detail: format!("scope on `{}` lists no values", f.column) });
        }
    }
    Ok(())
}

/// For each dimension in `dims`, which of its codes occur in rows passing `masks` (a scan of the frame).
fn present_codes(frame: &Frame, masks: &[(usize, Vec<bool>)], dims: &[usize]) -> Vec<Vec<bool>> {
    let mut present: Vec<Vec<bool>> = dims.iter().map(|&d| vec![false; frame.dims[d].categories.len()]).collect();
    for r in 0..frame.rows {
        let passes = masks.iter().all(|(d, m)| m.get(frame.dims[*d].codes[r] as usize).copied().unwrap_or(false));
        if passes {
            for (k, &d) in dims.iter().enumerate() {
                if let Some(p) = present[k].get_mut(frame.dims[d].codes[r] as usize) {
                    *p = true;
                }
            }
        }
    }
    present
}

/// Validates a query and resolves it into a [`Plan`]. The scope is checked first (fail closed).
pub(crate) fn plan(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    group_by: &[String],
    value_column: Option<&str>,
    measures: &[String],
    filters: &[Filter],
) -> Result<Plan, StatsError> {
    check_scope(frame, settings, scope)?;
    if filters.len() > MAX_FILTERS {
        return Err(StatsError::bad_input("filters", format!("at most {MAX_FILTERS} filters")));
    }
    let mut masks: Vec<(usize, Vec<bool>)> = Vec::new();
    let restrict = |masks: &mut Vec<(usize, Vec<bool>)>, d: usize, values: &[String]| {
        let wanted: HashSet<&str> = values.iter().map(String::as_str).collect();
        let mask: Vec<bool> = frame.dims[d].categories.iter().map(|c| wanted.contains(c.as_str())).collect();
        match masks.iter_mut().find(|(i, _)| *i == d) {
            Some((_, m)) => m.iter_mut().zip(mask).for_each(|(a, b)| *a &= b),
            None => masks.push((d, mask)),
        }
    };
    for f in scope {
        if let Some(d) = frame.dim_index(&f.column) {
            restrict(&mut masks, d, &f.values); // unknown scope values match nothing
        }
    }
    let mut resolved = Vec::with_capacity(filters.len());
    for f in filters {
        let d = dimension(frame, settings, "filters", &f.column)?;
        if f.values.is_empty() {
            return Err(StatsError::bad_input("filters", format!("filter on `{}` lists no values", f.column)));
        }
        if f.values.len() > frame.dims[d].categories.len() {
            return Err(StatsError::bad_input(
                "filters",
                format!("the filter on `{}` lists more values than the column has categories", f.column),
            ));
        }
        resolved.push(d);
    }
    let mut dims = Vec::new();
    for name in group_by {
        dims.push(dimension(frame, settings, "groupBy", name)?);
    }
    if let Some(v) = value_column {
        dims.push(dimension(frame, settings, "valueColumn", v)?);
    }
    for (i, d) in dims.iter().enumerate() {
        if dims[..i].contains(d) {
            return Err(StatsError::bad_input("groupBy", format!("column `{}` is used twice", frame.dims[*d].name)));
        }
    }
    if dims.len() > MAX_TABLE_DIMS {
        return Err(StatsError::bad_input(
            "groupBy",
            format!("at most {MAX_TABLE_DIMS} table dimensions (group columns plus value column)"),
        ));
    }
    // A scoped user sees and may name only the categories present inside their scope (as `statsColumns`
    // lists them): a category outside it is "not a category" and is never a row, so neither errors nor empty
    // rows tell anything about the rest of the frame.
    let scanned: Vec<usize> = resolved.iter().chain(&dims).copied().collect();
    let visible = (!scope.is_empty()).then(|| present_codes(frame, &masks, &scanned));
    for (k, (f, &d)) in filters.iter().zip(&resolved).enumerate() {
        let dim = &frame.dims[d];
        let known: HashSet<&str> = match &visible {
            Some(v) => dim.categories.iter().zip(&v[k]).filter(|(_, &p)| p).map(|(c, _)| c.as_str()).collect(),
            None => dim.categories.iter().map(String::as_str).collect(),
        };
        if let Some(v) = f.values.iter().find(|v| !known.contains(v.as_str())) {
            let listed: Vec<&str> = dim.categories.iter().map(String::as_str).filter(|c| known.contains(c)).collect();
            return Err(StatsError::bad_input(
                "filters",
                format!("`{v}` is not a category of `{}`; categories: {}", f.column, listed.join(", ")),
            ));
        }
        restrict(&mut masks, d, &f.values);
    }
    let mut local = Vec::new();
    let mut labels = Vec::new();
    for (i, &d) in dims.iter().enumerate() {
        let dim = &frame.dims[d];
        let mask = masks.iter().find(|(i, _)| *i == d).map(|(_, m)| m);
        let seen = visible.as_ref().map(|v| &v[resolved.len() + i]);
        let mut map = vec![MISSING; dim.categories.len()];
        let mut kept = Vec::new();
        for (code, label) in dim.categories.iter().enumerate() {
            if mask.is_none_or(|m| m[code]) && seen.is_none_or(|s| s[code]) {
                map[code] = kept.len() as u16;
                kept.push(label.clone());
            }
        }
        local.push(map);
        labels.push(kept);
    }
    let cells: usize = labels.iter().map(|l| l.len() + 1).product();
    if cells > settings.max_cells {
        return Err(StatsError::bad_input(
            "groupBy",
            format!("the table would have {cells} cells; at most {} are allowed", settings.max_cells),
        ));
    }
    let mut variables: Vec<usize> = dims.clone();
    variables.extend(masks.iter().map(|(d, _)| *d));
    variables.sort_unstable();
    variables.dedup();
    if variables.len() > settings.max_variables {
        return Err(StatsError::bad_input(
            "filters",
            format!(
                "a table may cross at most {} variables, counting group columns, the value column, filters \
                 and your data scope; this one crosses {}",
                settings.max_variables,
                variables.len()
            ),
        ));
    }
    let mut meas = Vec::new();
    for name in measures {
        let m = measure(frame, settings, "valueColumns", name)?;
        if meas.contains(&m) {
            return Err(StatsError::bad_input("valueColumns", format!("column `{name}` is used twice")));
        }
        meas.push(m);
    }
    Ok(Plan { dims, local, labels, filters: masks, measures: meas })
}
