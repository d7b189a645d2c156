//! Table computation on the compact columns.
//!
//! Every table is computed on its extended grid (inner cells plus all margins) in one pass over the
//! students: a row's cell index is a mixed-radix number over its dictionary codes, its 2^d extended cells
//! are that index with any subset of dimensions replaced by `Total`, and a per-cell "last student" stamp
//! counts each student once per cell. No hashing per row, no copy of the frame.
//!
//! * **Frequency**: distinct students per cell. A student with rows in several waves counts once per cell
//!   (unless `wave` is a dimension, when each wave is its own cell); margins are distinct students too.
//! * **Means**: a student's rows within one cell are averaged first (missing values skipped), then the cell's
//!   mean is the mean over its students; n = students with at least one value. So a student weighs once per
//!   cell however many waves he answered.
//! * **Wave change**: per student with rows in both waves (both passing the scope and filters), `to − from`
//!   per measure when both are present; cells come from the baseline row; n = matched students.
//!
//! Rows with a missing value in a table dimension are left out of that table (margins included).

use std::ops::Range;

use super::aggregate::{Aggregates, Budget, CHECK_EVERY};
use super::error::StatsError;
use super::frame::{Frame, MISSING};
use super::parts;
use super::query::Plan;
use super::suppress::Grid;

/// A frequency table before protection: distinct students and the cell key per extended cell.
#[derive(Debug, Clone)]
pub(crate) struct Counts {
    /// Distinct students per extended cell.
    pub counts: Vec<u64>,
    /// Cell key (sum of the students' count record keys, mod 2³²) per extended cell.
    pub keys: Vec<u32>,
    /// The table's population (students counted in some cell), ascending.
    pub population: Vec<u32>,
}

/// The base index of a row on the extended grid and the offsets that turn dimension `i` into `Total`.
#[inline]
pub(crate) fn cell_of(frame: &Frame, plan: &Plan, grid: &Grid, r: usize, deltas: &mut [usize]) -> Option<usize> {
    let mut base = 0;
    for (i, &d) in plan.dims.iter().enumerate() {
        let code = frame.dims[d].codes[r];
        let local = *plan.local[i].get(code as usize)?;
        if local == MISSING {
            return None;
        }
        let local = local as usize;
        base += local * grid.strides[i];
        deltas[i] = (grid.sizes[i] - local) * grid.strides[i];
    }
    Some(base)
}

/// Writes into `out` every extended cell containing the inner cell `base` (`out[mask]` replaces the
/// dimensions in `mask` by `Total`).
#[inline]
pub(crate) fn ext_cells(base: usize, deltas: &[usize], out: &mut Vec<usize>) {
    out.clear();
    out.push(base);
    for &delta in deltas {
        for k in 0..out.len() {
            let e = out[k] + delta;
            out.push(e);
        }
    }
}

/// Calls `f` for every extended cell that contains the inner cell `base`.
#[inline]
pub(crate) fn for_each_ext(base: usize, deltas: &[usize], mut f: impl FnMut(usize)) {
    let d = deltas.len();
    for mask in 0..(1usize << d) {
        let mut idx = base;
        for (i, &delta) in deltas.iter().enumerate() {
            if mask & (1 << i) != 0 {
                idx += delta;
            }
        }
        f(idx);
    }
}

/// Distinct students and cell keys per extended cell, computed on parts of the students ([`parts`]) with
/// up to `threads` threads.
pub(crate) fn count(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    threads: usize,
    budget: &Budget,
) -> Result<Counts, StatsError> {
    let ranges = parts::split(frame.students());
    parts::map_merge(&ranges, threads, |r| count_part(frame, plan, grid, r, budget), Counts::merge)
}

impl Counts {
    /// Adds the counts of a later part of the students.
    fn merge(&mut self, other: Counts) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (a, b) in self.keys.iter_mut().zip(&other.keys) {
            *a = a.wrapping_add(*b);
        }
        self.population.extend(other.population);
    }
}

fn count_part(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    students: Range<usize>,
    budget: &Budget,
) -> Result<Counts, StatsError> {
    let mut counts = vec![0u64; grid.cells];
    let mut keys = vec![0u32; grid.cells];
    let mut population = Vec::new();
    let mut stamp = vec![u32::MAX; grid.cells];
    let mut deltas = vec![0usize; plan.dims.len()];
    let mut exts = Vec::with_capacity(1 << plan.dims.len());
    for s in students {
        if s % CHECK_EVERY == 0 {
            budget.check()?;
        }
        let tag = s as u32;
        let key = frame.keys.count[s];
        let mut previous = usize::MAX;
        for r in frame.student_rows(s) {
            if !plan.passes(frame, r) {
                continue;
            }
            let Some(base) = cell_of(frame, plan, grid, r, &mut deltas) else {
                continue;
            };
            if base == previous {
                continue; // same inner cell as this student's previous row: nothing new
            }
            if previous == usize::MAX {
                population.push(tag);
            }
            previous = base;
            ext_cells(base, &deltas, &mut exts);
            for &e in &exts {
                if stamp[e] != tag {
                    stamp[e] = tag;
                    counts[e] += 1;
                    keys[e] = keys[e].wrapping_add(key);
                }
            }
        }
    }
    Ok(Counts { counts, keys, population })
}

/// One student's rows gathered per inner cell.
#[derive(Default)]
struct StudentCells {
    base: Vec<usize>,
    deltas: Vec<usize>,
    sum: Vec<f64>,
    cnt: Vec<u32>,
}

impl StudentCells {
    fn clear(&mut self) {
        self.base.clear();
        self.deltas.clear();
        self.sum.clear();
        self.cnt.clear();
    }
}

/// Students, n and sums of student means per extended cell and measure.
///
/// Per student, rows are first gathered per inner cell; each extended cell then receives the student's mean
/// over his rows in it. Extended cells that keep `wave` get at most one of the student's inner cells (one
/// row per wave), so they are filled directly; the others are merged per student with a stamp.
/// Computed on parts of the students ([`parts`]) with up to `threads` threads.
pub(crate) fn means(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    threads: usize,
    budget: &Budget,
) -> Result<Aggregates, StatsError> {
    if let Some(p) = plan.dims.iter().position(|&x| x == frame.wave) {
        return super::tables_wave::means_by_wave(frame, plan, grid, p, threads, budget);
    }
    let ranges = parts::split(frame.students());
    parts::map_merge(&ranges, threads, |r| means_part(frame, plan, grid, r, budget), Aggregates::merge)
}

fn means_part(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    students: Range<usize>,
    budget: &Budget,
) -> Result<Aggregates, StatsError> {
    let m = plan.measures.len();
    let d = plan.dims.len();
    let mut out = Aggregates::zeroed(grid.cells, m);
    let lows: Vec<f64> = plan.measures.iter().map(|&j| f64::from(frame.measures[j].min)).collect();
    let wave_pos = plan.dims.iter().position(|&x| x == frame.wave);
    let direct: Vec<bool> = (0..1usize << d).map(|mask| wave_pos.is_some_and(|p| mask & (1 << p) == 0)).collect();
    let mut stamp = vec![u32::MAX; grid.cells];
    let mut tmp_sum = vec![0f64; grid.cells * m];
    let mut tmp_cnt = vec![0u32; grid.cells * m];
    let mut touched: Vec<usize> = Vec::new();
    let mut deltas = vec![0usize; d];
    let mut exts = Vec::with_capacity(1 << d);
    let columns: Vec<&[f32]> = plan.measures.iter().map(|&j| frame.measures[j].values.as_slice()).collect();
    let mut cells = StudentCells::default();
    let mut means: Vec<f64> = Vec::new();
    for s in students {
        if s % CHECK_EVERY == 0 {
            budget.check()?;
        }
        let tag = s as u32;
        let keys = (frame.keys.count[s], frame.keys.sum[s]);
        cells.clear();
        for r in frame.student_rows(s) {
            if !plan.passes(frame, r) {
                continue;
            }
            let Some(base) = cell_of(frame, plan, grid, r, &mut deltas) else {
                continue;
            };
            let k = match cells.base.iter().position(|&b| b == base) {
                Some(k) => k,
                None => {
                    cells.base.push(base);
                    cells.deltas.extend_from_slice(&deltas);
                    cells.sum.resize(cells.sum.len() + m, 0.0);
                    cells.cnt.resize(cells.cnt.len() + m, 0);
                    cells.base.len() - 1
                }
            };
            for (j, col) in columns.iter().enumerate() {
                let x = col[r];
                if !x.is_nan() {
                    cells.sum[k * m + j] += x as f64;
                    cells.cnt[k * m + j] += 1;
                }
            }
        }
        if cells.base.is_empty() {
            continue;
        }
        out.population.push(tag);
        let single = cells.base.len() == 1;
        // The student's mean per inner cell and measure (NaN when he has no value there).
        means.clear();
        means.extend(cells.sum.iter().zip(&cells.cnt).map(|(&x, &c)| match c {
            0 => f64::NAN,
            1 => x,
            c => x / c as f64,
        }));
        touched.clear();
        for (k, &base) in cells.base.iter().enumerate() {
            ext_cells(base, &cells.deltas[k * d..(k + 1) * d], &mut exts);
            let (sum, cnt) = (&cells.sum[k * m..(k + 1) * m], &cells.cnt[k * m..(k + 1) * m]);
            for (mask, &e) in exts.iter().enumerate() {
                if single || direct[mask] {
                    out.students[e] += 1;
                    for (j, &x) in means[k * m..(k + 1) * m].iter().enumerate() {
                        if !x.is_nan() {
                            out.add_value(e, j, x, x - lows[j], keys);
                        }
                    }
                } else {
                    if stamp[e] != tag {
                        stamp[e] = tag;
                        touched.push(e);
                    }
                    for j in 0..m {
                        tmp_sum[e * m + j] += sum[j];
                        tmp_cnt[e * m + j] += cnt[j];
                    }
                }
            }
        }
        out.add_gathered_student(&touched, &lows, &mut tmp_sum, &mut tmp_cnt, keys);
    }
    Ok(out)
}
