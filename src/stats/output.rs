//! Published tables: typed rows, the seed-shaped CSV and the list of suppressed cells.
//!
//! Margins are rows (and, with a value column, a column) whose label is [`TOTAL`]; they come last on each
//! dimension. Rows are in the order of the categories (natural order), `Total` last. A suppressed cell is
//! `None` and listed in [`StatsTable::suppressed`] without a reason. A means cell with no data at all (n = 0)
//! is `None` with n published as 0 and is not listed as suppressed.

use serde::{Deserialize, Serialize};

use super::query::Plan;
use super::suppress::Grid;
use super::tables::Aggregates;

/// Label of a margin (total over a dimension).
pub const TOTAL: &str = "Total";

/// One row of a published table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// One label per group column (a category or [`TOTAL`]).
    pub groups: Vec<String>,
    /// One value per column of [`StatsTable::columns`]; `None` when suppressed (or, for a mean, without data).
    pub cells: Vec<Option<f64>>,
}

/// A suppressed cell: its row index and column name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedCell {
    /// Index into [`StatsTable::rows`].
    pub row: usize,
    /// Name of the column, as in [`StatsTable::columns`].
    pub column: String,
}

/// A published table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsTable {
    /// The group columns, in order.
    pub group_columns: Vec<String>,
    /// The value columns: `n`; or the value column's categories then `Total`; or per measure `m` and `m_n`.
    pub columns: Vec<String>,
    /// The rows, margins included.
    pub rows: Vec<TableRow>,
    /// Every suppressed cell.
    pub suppressed: Vec<SuppressedCell>,
}

impl StatsTable {
    /// The table as CSV: group columns, then value columns; suppressed cells empty.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<&str> = self.group_columns.iter().chain(&self.columns).map(String::as_str).collect();
        push_line(&mut out, header.into_iter().map(escape));
        for row in &self.rows {
            let groups = row.groups.iter().map(|g| escape(g));
            let cells = row.cells.iter().map(|c| match c {
                Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
                Some(v) => format!("{}", (v * 1e4).round() / 1e4),
                None => String::new(),
            });
            push_line(&mut out, groups.chain(cells));
        }
        out
    }
}

fn push_line(out: &mut String, fields: impl Iterator<Item = String>) {
    let line: Vec<String> = fields.collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

fn escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn label(plan: &Plan, dim: usize, index: usize) -> String {
    plan.labels[dim].get(index).cloned().unwrap_or_else(|| TOTAL.to_owned())
}

/// Builds a frequency table; with a value column (the plan's last dimension) its categories become columns.
pub(crate) fn frequency(
    plan: &Plan,
    grid: &Grid,
    group_names: &[String],
    value_column: bool,
    counts: &[u64],
    suppressed: &[bool],
) -> StatsTable {
    let columns: Vec<String> = if value_column {
        let last = plan.labels.len() - 1;
        (0..=plan.labels[last].len()).map(|i| label(plan, last, i)).collect()
    } else {
        vec!["n".to_owned()]
    };
    let width = columns.len();
    let mut rows = Vec::new();
    let mut hidden = Vec::new();
    for r in 0..grid.cells / width {
        let idx = grid.decode(r * width);
        let groups = (0..group_names.len()).map(|d| label(plan, d, idx[d])).collect();
        let mut cells = Vec::with_capacity(width);
        for (c, name) in columns.iter().enumerate() {
            let e = r * width + c;
            if suppressed[e] {
                cells.push(None);
                hidden.push(SuppressedCell { row: r, column: name.clone() });
            } else {
                cells.push(Some(counts[e] as f64));
            }
        }
        rows.push(TableRow { groups, cells });
    }
    StatsTable { group_columns: group_names.to_vec(), columns, rows, suppressed: hidden }
}

/// Builds a means (or wave-change) table: per measure a mean column `m` and an n column `m_n`.
pub(crate) fn means(
    plan: &Plan,
    grid: &Grid,
    group_names: &[String],
    measure_names: &[String],
    agg: &Aggregates,
    suppressed: &[Vec<bool>],
) -> StatsTable {
    let m = measure_names.len();
    let columns: Vec<String> = measure_names.iter().flat_map(|name| [name.clone(), format!("{name}_n")]).collect();
    let mut rows = Vec::with_capacity(grid.cells);
    let mut hidden = Vec::new();
    for e in 0..grid.cells {
        let idx = grid.decode(e);
        let groups = (0..group_names.len()).map(|d| label(plan, d, idx[d])).collect();
        let mut cells = Vec::with_capacity(2 * m);
        for (j, (name, hide)) in measure_names.iter().zip(suppressed).enumerate() {
            let n = agg.n[e * m + j];
            if hide.get(e).copied().unwrap_or(true) {
                cells.extend([None, None]);
                hidden.push(SuppressedCell { row: e, column: name.clone() });
                hidden.push(SuppressedCell { row: e, column: format!("{name}_n") });
            } else if n == 0 {
                cells.extend([None, Some(0.0)]);
            } else {
                cells.extend([Some(agg.sum[e * m + j] / n as f64), Some(n as f64)]);
            }
        }
        rows.push(TableRow { groups, cells });
    }
    StatsTable { group_columns: group_names.to_vec(), columns, rows, suppressed: hidden }
}
