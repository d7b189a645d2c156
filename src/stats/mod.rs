//! Safe statistics over the confidential questionnaire frame.
//!
//! The frame (student × wave rows) is loaded from CSV or Parquet with polars, validated and converted into a
//! compact columnar [`Frame`] that is shared read-only ([`StatsService`] swaps an `Arc<Frame>` on reload).
//! Tables are frequency (distinct students), means and wave change, always computed with all their margins,
//! then protected by primary and complementary suppression ([`suppress`]). All functions here are synchronous
//! and CPU-bound: call them from a blocking pool (`tokio::task::spawn_blocking`).
//!
//! Rules, in short (details in [`tables`], [`suppress`] and [`output`]):
//! * dimensions and filters only on allowed categorical columns; measures only on allowed numeric columns;
//!   never `uid`; filters are membership only;
//! * a user scope is applied before anything else; a scope that cannot be applied denies everything;
//! * a count below `min_n` distinct students is suppressed, zeros are published, complements are added
//!   until no suppressed cell (margins included) is a linear combination of published cells;
//! * a mean is published only when its count cell is published, its n ≥ `min_n`, and the n-table of that
//!   measure (protected like a count table) leaves it published.

pub mod error;
pub mod frame;
pub mod generate;
pub mod load;
pub mod output;
pub mod query;
mod service;
pub mod suppress;
pub mod tables;

use std::path::PathBuf;

pub use error::StatsError;
pub use frame::Frame;
pub use output::{StatsTable, SuppressedCell, TableRow, TOTAL};
pub use query::{Filter, FrequencyInput, MeansInput, WaveChangeInput};
pub use service::{StatsService, StatsStatus};

use suppress::Grid;

/// Settings of the statistics engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsSettings {
    /// The data file (CSV or Parquet); `None` means "serve a generated sample".
    pub data_path: Option<PathBuf>,
    /// Minimum number of distinct students for a published count or mean.
    pub min_n: u32,
    /// Categorical columns allowed as dimensions and filters.
    pub dimensions: Vec<String>,
    /// Numeric columns allowed as measures.
    pub measures: Vec<String>,
}

impl Default for StatsSettings {
    /// The seed's whitelists and `MIN_N = 5`.
    fn default() -> Self {
        let dimensions = ["school", "yearGroup", "class", "sex", "ethnicity", "wave", "d_city", "d_country"];
        let mut measures: Vec<String> = (1..=9).map(|i| format!("phq9_{i}")).collect();
        measures.push("d_age".to_owned());
        StatsSettings {
            data_path: None,
            min_n: 5,
            dimensions: dimensions.iter().map(|s| (*s).to_owned()).collect(),
            measures,
        }
    }
}

/// Role of an allowed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ColumnRole {
    /// Categorical: usable in `groupBy`, `valueColumn` and filters.
    Dimension,
    /// Numeric: usable in `valueColumns`.
    Measure,
}

/// An allowed column of the loaded frame (never with counts).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Its role.
    pub role: ColumnRole,
    /// Category labels for dimensions; empty for measures.
    pub categories: Vec<String>,
}

/// The allowed columns of `frame`, dimensions first, in settings order.
pub fn columns(frame: &Frame, settings: &StatsSettings) -> Vec<ColumnInfo> {
    let dims = settings.dimensions.iter().filter_map(|name| {
        let d = frame.dim_index(name)?;
        (name != load::UID).then(|| ColumnInfo {
            name: name.clone(),
            role: ColumnRole::Dimension,
            categories: frame.dims[d].categories.clone(),
        })
    });
    let measures = settings.measures.iter().filter_map(|name| {
        frame.measure_index(name)?;
        (name != load::UID).then(|| ColumnInfo {
            name: name.clone(),
            role: ColumnRole::Measure,
            categories: Vec::new(),
        })
    });
    dims.chain(measures).collect()
}

/// A protected frequency table (distinct students per cell, with margins).
pub fn frequency(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &FrequencyInput,
) -> Result<StatsTable, StatsError> {
    let plan =
        query::plan(frame, settings, scope, &input.group_by, input.value_column.as_deref(), &[], &input.filters)?;
    let grid = Grid::new(&plan.sizes());
    let counts = tables::count(frame, &plan, &grid);
    let suppressed = suppress::protect(&grid, &counts, &[], settings.min_n.into());
    Ok(output::frequency(&plan, &grid, &input.group_by, input.value_column.is_some(), &counts, &suppressed))
}

/// A protected means table (per cell and measure: mean over students, distinct-student n).
pub fn means(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &MeansInput,
) -> Result<StatsTable, StatsError> {
    if input.value_columns.is_empty() {
        return Err(StatsError::bad_input("valueColumns", "name at least one measure"));
    }
    let plan = query::plan(frame, settings, scope, &input.group_by, None, &input.value_columns, &input.filters)?;
    let grid = Grid::new(&plan.sizes());
    let agg = tables::means(frame, &plan, &grid);
    let suppressed = protect_means(&grid, &agg, plan.measures.len(), settings.min_n.into());
    Ok(output::means(&plan, &grid, &input.group_by, &input.value_columns, &agg, &suppressed))
}

/// A protected wave-change table (mean of `to − from` over students present in both waves).
pub fn wave_change(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &WaveChangeInput,
) -> Result<StatsTable, StatsError> {
    if input.value_columns.is_empty() {
        return Err(StatsError::bad_input("valueColumns", "name at least one measure"));
    }
    if input.group_by.iter().any(|g| g == load::WAVE) {
        return Err(StatsError::bad_input("groupBy", "`wave` cannot be a group column of a wave change"));
    }
    let plan = query::plan(frame, settings, scope, &input.group_by, None, &input.value_columns, &input.filters)?;
    let waves = &frame.dims[frame.wave];
    let wave_code = |field: &str, label: &str| {
        waves.code_of(label).ok_or_else(|| {
            StatsError::bad_input(field, format!("`{label}` is not a wave; waves: {}", waves.categories.join(", ")))
        })
    };
    let from = wave_code("fromWave", &input.from_wave)?;
    let to = wave_code("toWave", &input.to_wave)?;
    if from == to {
        return Err(StatsError::bad_input("toWave", "the two waves must differ"));
    }
    let grid = Grid::new(&plan.sizes());
    let agg = tables::wave_change(frame, &plan, &grid, from, to);
    let suppressed = protect_means(&grid, &agg, plan.measures.len(), settings.min_n.into());
    Ok(output::means(&plan, &grid, &input.group_by, &input.value_columns, &agg, &suppressed))
}

/// Suppression pattern per measure: the count table is protected first; then, per measure, the n-table is
/// protected with every suppressed count cell forced (a mean × n is a sum, additive like a count, so the
/// same linear argument protects the sums).
fn protect_means(grid: &Grid, agg: &tables::Aggregates, m: usize, min_n: u64) -> Vec<Vec<bool>> {
    let counts = suppress::protect(grid, &agg.students, &[], min_n);
    (0..m)
        .map(|j| {
            let n: Vec<u64> = (0..grid.cells).map(|e| agg.n[e * m + j]).collect();
            suppress::protect(grid, &n, &counts, min_n)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
