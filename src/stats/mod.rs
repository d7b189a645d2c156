//! Safe statistics over the confidential questionnaire frame.
//!
//! The frame (student × wave rows) is loaded from CSV or Parquet with polars, validated and converted into a
//! compact columnar [`Frame`] that is shared read-only ([`StatsService`] swaps an `Arc<Frame>` on reload).
//! Tables are frequency (distinct students), means and wave change, always computed with all their margins
//! (each margin from the microdata), then protected by cell-key perturbation ([`perturb`], [`ptable`],
//! [`keys`]). All functions here are synchronous and CPU-bound: call them from a blocking pool
//! (`tokio::task::spawn_blocking`) with a [`Budget`].
//!
//! Rules, in short (details in [`query`], [`perturb`], [`audit`] and [`output`]):
//! * dimensions and filters only on allowed categorical columns and their known categories; measures only on
//!   allowed numeric columns; never `uid`; filters are membership only; at most `max_variables` variables
//!   crossed (group columns, value column, filters and scope), at most `max_cells` cells;
//! * a user scope is applied before anything else; a scope that cannot be applied denies everything;
//! * a table whose population is below `min_population` students is refused;
//! * every count is perturbed by the cell key of its students; a true or perturbed count below `min_n` is
//!   suppressed; zeros are published;
//! * a mean is published only when its n is, and not at the scale's ends, with zero variance or dominated
//!   (p%-rule); its sum is perturbed ([`perturb`]);
//! * a wave change is refused when the panel and a wave's cross-section differ by 1 to `min_n − 1` students;
//! * the differencing audit ([`audit`]) refuses a table whose population differs from an answered one by 1
//!   to `min_n − 1` students.

pub(crate) mod aggregate;
pub mod audit;
pub mod error;
pub mod frame;
pub mod generate;
pub mod keys;
pub mod load;
pub mod output;
mod parts;
pub mod perturb;
pub mod ptable;
pub mod query;
mod service;
pub mod suppress;
pub mod tables;
mod tables_wave;

use std::path::PathBuf;

pub use aggregate::Budget;
pub use error::StatsError;
pub use frame::Frame;
pub use keys::StatsSecret;
pub use output::{StatsTable, SuppressedCell, TableRow, TOTAL};
pub use query::{Filter, FrequencyInput, MeansInput, WaveChangeInput};
pub use service::{StatsService, StatsStatus};

use perturb::{MeanCell, MeanRules, MeanScale};
use ptable::PTable;
use suppress::Grid;

/// Settings of the statistics engine (the service's settings document each as a variable).
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSettings {
    /// The data file (CSV or Parquet); `None` means "serve a generated sample".
    pub data_path: Option<PathBuf>,
    /// Minimum number of distinct students for a published count or mean.
    pub min_n: u32,
    /// Categorical columns allowed as dimensions and filters.
    pub dimensions: Vec<String>,
    /// Numeric columns allowed as measures.
    pub measures: Vec<String>,
    /// The secret record keys are derived from (never logged).
    pub secret: StatsSecret,
    /// Maximum absolute noise `D` of a count.
    pub noise_max: u32,
    /// Variance `V` of the count noise.
    pub noise_variance: f64,
    /// The p of the means' p%-rule, in percent.
    pub dominance_percent: f64,
    /// Most cells of a table, margins included.
    pub max_cells: usize,
    /// Most variables crossed in a table (group columns, value column, filter columns, scope columns).
    pub max_variables: usize,
    /// Fewest students a table may describe (after scope and filters).
    pub min_population: u64,
    /// Most statistics tables in one GraphQL request (aliases count).
    pub max_tables_per_request: usize,
    /// Most statistics tables computed at once by one instance.
    pub concurrency: usize,
    /// Threads one table is computed with (its parts of the students run in parallel).
    pub threads: usize,
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
            secret: StatsSecret::new("datatracker-default-stats-secret-for-tests-only"),
            noise_max: 3,
            noise_variance: 1.5,
            dominance_percent: 10.0,
            max_cells: 20_000,
            max_variables: 4,
            min_population: 20,
            max_tables_per_request: 5,
            concurrency: 2,
            threads: 2,
        }
    }
}

impl StatsSettings {
    /// The perturbation table of these settings (shared).
    pub fn ptable(&self) -> std::sync::Arc<PTable> {
        PTable::shared(self.noise_max, self.noise_variance)
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

/// [`columns`] as seen by a user with `scope`: each dimension lists only the categories present in rows
/// inside the scope (so a scoped user learns no label from outside it). An empty scope sees everything.
pub fn columns_in_scope(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
) -> Result<Vec<ColumnInfo>, StatsError> {
    let mut cols = columns(frame, settings);
    if scope.is_empty() {
        return Ok(cols);
    }
    let plan = query::plan(frame, settings, scope, &[], None, &[], &[])?;
    let mut present: Vec<Vec<bool>> = frame.dims.iter().map(|d| vec![false; d.categories.len()]).collect();
    for r in 0..frame.rows {
        if plan.passes(frame, r) {
            for (d, dim) in frame.dims.iter().enumerate() {
                if let Some(p) = present[d].get_mut(dim.codes[r] as usize) {
                    *p = true;
                }
            }
        }
    }
    for col in &mut cols {
        if let Some(d) = frame.dim_index(&col.name) {
            let dim = &frame.dims[d];
            col.categories =
                dim.categories.iter().zip(&present[d]).filter(|(_, &p)| p).map(|(c, _)| c.clone()).collect();
        }
    }
    Ok(cols)
}

/// Fails closed when the frame has no record keys (nothing can be perturbed).
fn check_keys(frame: &Frame) -> Result<(), StatsError> {
    if !frame.has_keys() {
        return Err(StatsError::Load("the frame's record keys are not derived".into()));
    }
    Ok(())
}

/// Refuses a population below `min_population`.
fn check_population(settings: &StatsSettings, population: &[u32]) -> Result<(), StatsError> {
    if (population.len() as u64) < settings.min_population {
        return Err(StatsError::Refused);
    }
    Ok(())
}

fn bitmap(population: &[u32]) -> roaring::RoaringBitmap {
    roaring::RoaringBitmap::from_sorted_iter(population.iter().copied()).unwrap_or_default()
}

/// A protected frequency table (distinct students per cell, with margins), without deadline.
pub fn frequency(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &FrequencyInput,
) -> Result<StatsTable, StatsError> {
    frequency_within(frame, settings, scope, input, &Budget::unlimited())
}

/// A protected frequency table, stopping when `budget` runs out.
pub fn frequency_within(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &FrequencyInput,
    budget: &Budget,
) -> Result<StatsTable, StatsError> {
    let plan =
        query::plan(frame, settings, scope, &input.group_by, input.value_column.as_deref(), &[], &input.filters)?;
    check_keys(frame)?;
    let grid = Grid::new(&plan.sizes());
    let c = tables::count(frame, &plan, &grid, settings.threads, budget)?;
    check_population(settings, &c.population)?;
    let published = perturb::counts(&settings.ptable(), settings.min_n.into(), &c.counts, &c.keys);
    let mut table = output::frequency(&plan, &grid, &input.group_by, input.value_column.is_some(), &published);
    table.population = bitmap(&c.population);
    Ok(table)
}

/// A protected means table (per cell and measure: mean over students, distinct-student n), without deadline.
pub fn means(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &MeansInput,
) -> Result<StatsTable, StatsError> {
    means_within(frame, settings, scope, input, &Budget::unlimited())
}

/// A protected means table, stopping when `budget` runs out.
pub fn means_within(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &MeansInput,
    budget: &Budget,
) -> Result<StatsTable, StatsError> {
    if input.value_columns.is_empty() {
        return Err(StatsError::bad_input("valueColumns", "name at least one measure"));
    }
    let plan = query::plan(frame, settings, scope, &input.group_by, None, &input.value_columns, &input.filters)?;
    check_keys(frame)?;
    let grid = Grid::new(&plan.sizes());
    let agg = tables::means(frame, &plan, &grid, settings.threads, budget)?;
    check_population(settings, &agg.population)?;
    let published = protect_means(frame, settings, &plan, &agg, "means", None);
    let mut table = output::means(&plan, &grid, &input.group_by, &input.value_columns, &published);
    table.population = bitmap(&agg.population);
    Ok(table)
}

/// A protected wave-change table (mean of `to − from` over students present in both waves), without deadline.
pub fn wave_change(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &WaveChangeInput,
) -> Result<StatsTable, StatsError> {
    wave_change_within(frame, settings, scope, input, &Budget::unlimited())
}

/// A protected wave-change table, stopping when `budget` runs out. Refused when the matched panel and
/// either wave's cross-section differ by 1 to `min_n − 1` students; a cell where they do is suppressed.
pub fn wave_change_within(
    frame: &Frame,
    settings: &StatsSettings,
    scope: &[Filter],
    input: &WaveChangeInput,
    budget: &Budget,
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
    check_keys(frame)?;
    let grid = Grid::new(&plan.sizes());
    let agg = tables_wave::wave_change(frame, &plan, &grid, (from, to), settings.threads, budget)?;
    check_population(settings, &agg.population)?;
    let min_n = u64::from(settings.min_n);
    let close = |cross: u64, panel: u64| (1..min_n).contains(&cross.saturating_sub(panel));
    let near: Vec<bool> = (0..grid.cells)
        .map(|e| close(agg.cross_from[e], agg.students[e]) || close(agg.cross_to[e], agg.students[e]))
        .collect();
    if near.last().copied().unwrap_or(false) {
        return Err(StatsError::Refused); // the whole panel is a small difference away from a cross-section
    }
    let published = protect_means(frame, settings, &plan, &agg, "wave-change", Some(&near));
    let mut table = output::means(&plan, &grid, &input.group_by, &input.value_columns, &published);
    table.population = bitmap(&agg.population);
    Ok(table)
}

/// Published means per measure; `near` marks cells to suppress whole (wave change: panel close to a wave).
fn protect_means(
    frame: &Frame,
    settings: &StatsSettings,
    plan: &query::Plan,
    agg: &aggregate::Aggregates,
    kind: &str,
    near: Option<&[bool]>,
) -> Vec<Vec<MeanCell>> {
    let ptable = settings.ptable();
    let rules = MeanRules { ptable: &ptable, min_n: settings.min_n.into(), p: settings.dominance_percent / 100.0 };
    plan.measures
        .iter()
        .enumerate()
        .map(|(j, &mi)| {
            let measure = &frame.measures[mi];
            let range = measure.range();
            let (lo, hi) = match near {
                None => (f64::from(measure.min), f64::from(measure.max)),
                Some(_) => (-range, range),
            };
            let scale = MeanScale { lo, hi, range, tag: keys::tag(&format!("{kind}:{}", measure.name)) };
            let mut cells = perturb::means(&rules, agg, j, &scale);
            if let Some(near) = near {
                for (cell, &hide) in cells.iter_mut().zip(near) {
                    if hide && cell.n != Some(0) {
                        *cell = MeanCell { mean: None, n: None };
                    }
                }
            }
            cells
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
