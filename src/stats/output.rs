//! Published tables: typed rows, the seed-shaped CSV and the list of suppressed cells.
//!
//! Margins are rows (and, with a value column, a column) whose label is [`TOTAL`]; they come last on each
//! dimension. Rows are in the order of the categories (natural order), `Total` last. A suppressed cell is
//! `None` and listed in [`StatsTable::suppressed`] without a reason (whatever rule fired). A means cell with
//! no data at all (n = 0) is `None` with n published as 0 and is not listed as suppressed.
//!
//! CSV: a text field that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return) is prefixed with `'`, as the web app's CSV export does; a plain number (`-0.25`, a
//! negative mean change) is a number to a spreadsheet, not a formula, and is kept as it is.

use serde::{Deserialize, Serialize};

use super::perturb::MeanCell;
use super::query::Plan;
use super::suppress::Grid;

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

/// A published table. Two tables are equal when what they publish is (population and frame version aside).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatsTable {
    /// The group columns, in order.
    pub group_columns: Vec<String>,
    /// The value columns: `n`; or the value column's categories then `Total`; or per measure `m` and `m_n`.
    pub columns: Vec<String>,
    /// The rows, margins included.
    pub rows: Vec<TableRow>,
    /// Every suppressed cell.
    pub suppressed: Vec<SuppressedCell>,
    /// The students the table describes (for the differencing audit; never published).
    #[serde(skip)]
    pub(crate) population: roaring::RoaringBitmap,
    /// The version of the frame the table was computed on (set by the service).
    #[serde(skip)]
    pub(crate) frame_version: String,
}

impl PartialEq for StatsTable {
    fn eq(&self, other: &Self) -> bool {
        self.group_columns == other.group_columns
            && self.columns == other.columns
            && self.rows == other.rows
            && self.suppressed == other.suppressed
    }
}

impl StatsTable {
    /// The students the table describes (the differencing audit records it; never published).
    pub fn population(&self) -> &roaring::RoaringBitmap {
        &self.population
    }

    /// The version of the frame the table was computed on.
    pub fn frame_version(&self) -> &str {
        &self.frame_version
    }

    /// The table as CSV: group columns, then value columns; suppressed cells empty.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<&str> = self.group_columns.iter().chain(&self.columns).map(String::as_str).collect();
        push_line(&mut out, header.into_iter().map(escape));
        for row in &self.rows {
            let groups = row.groups.iter().map(|g| escape(g));
            let cells = row.cells.iter().map(|c| match c {
                Some(v) if v.fract() == 0.0 => neutralise(format!("{v:.0}")),
                Some(v) => neutralise(format!("{}", (v * 1e4).round() / 1e4)),
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

/// Whether `s` is a plain decimal number (`-0.25`, `12`).
fn plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Prefixes `'` to a field a spreadsheet would take for a formula (a plain number is kept).
fn neutralise(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number(&s) {
        format!("'{s}")
    } else {
        s
    }
}

fn escape(s: &str) -> String {
    let s = neutralise(s.to_owned());
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
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
    published: &[Option<u64>],
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
            match published[r * width + c] {
                Some(v) => cells.push(Some(v as f64)),
                None => {
                    cells.push(None);
                    hidden.push(SuppressedCell { row: r, column: name.clone() });
                }
            }
        }
        rows.push(TableRow { groups, cells });
    }
    unaudited(group_names, columns, rows, hidden)
}

/// Builds a means (or wave-change) table: per measure a mean column `m` and an n column `m_n`.
pub(crate) fn means(
    plan: &Plan,
    grid: &Grid,
    group_names: &[String],
    measure_names: &[String],
    published: &[Vec<MeanCell>],
) -> StatsTable {
    let m = measure_names.len();
    let columns: Vec<String> = measure_names.iter().flat_map(|name| [name.clone(), format!("{name}_n")]).collect();
    let mut rows = Vec::with_capacity(grid.cells);
    let mut hidden = Vec::new();
    for e in 0..grid.cells {
        let idx = grid.decode(e);
        let groups = (0..group_names.len()).map(|d| label(plan, d, idx[d])).collect();
        let mut cells = Vec::with_capacity(2 * m);
        for (name, cells_j) in measure_names.iter().zip(published) {
            let cell = cells_j.get(e).copied().unwrap_or(MeanCell { mean: None, n: None });
            match cell.n {
                None => {
                    hidden.push(SuppressedCell { row: e, column: name.clone() });
                    hidden.push(SuppressedCell { row: e, column: format!("{name}_n") });
                }
                Some(n) if n > 0 && cell.mean.is_none() => {
                    hidden.push(SuppressedCell { row: e, column: name.clone() });
                }
                Some(_) => {}
            }
            cells.extend([cell.mean, cell.n.map(|n| n as f64)]);
        }
        rows.push(TableRow { groups, cells });
    }
    unaudited(group_names, columns, rows, hidden)
}

/// A table before the service records its population and frame version.
fn unaudited(
    group_names: &[String],
    columns: Vec<String>,
    rows: Vec<TableRow>,
    hidden: Vec<SuppressedCell>,
) -> StatsTable {
    StatsTable {
        group_columns: group_names.to_vec(),
        columns,
        rows,
        suppressed: hidden,
        population: Default::default(),
        frame_version: String::new(),
    }
}
