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

use super::frame::{Frame, MISSING};
use super::query::Plan;
use super::suppress::Grid;

/// Per extended cell: students counted, and per measure (`cell * m + j`) the n and the sum of student values.
#[derive(Debug, Clone)]
pub(crate) struct Aggregates {
    /// Distinct students (frequency) or matched students (wave change) per extended cell.
    pub students: Vec<u64>,
    /// Students with a value, per cell and measure.
    pub n: Vec<u64>,
    /// Sum of student values, per cell and measure.
    pub sum: Vec<f64>,
}

impl Aggregates {
    fn zeroed(cells: usize, m: usize) -> Self {
        Aggregates { students: vec![0; cells], n: vec![0; cells * m], sum: vec![0.0; cells * m] }
    }

    /// Adds cell `from` of `other` into cell `to` of `self`.
    fn add_cell(&mut self, to: usize, other: &Aggregates, from: usize, m: usize) {
        self.students[to] += other.students[from];
        for j in 0..m {
            self.n[to * m + j] += other.n[from * m + j];
            self.sum[to * m + j] += other.sum[from * m + j];
        }
    }
}

/// The base index of a row on the extended grid and the offsets that turn dimension `i` into `Total`.
#[inline]
fn cell_of(frame: &Frame, plan: &Plan, grid: &Grid, r: usize, deltas: &mut [usize]) -> Option<usize> {
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
fn ext_cells(base: usize, deltas: &[usize], out: &mut Vec<usize>) {
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
fn for_each_ext(base: usize, deltas: &[usize], mut f: impl FnMut(usize)) {
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

/// Distinct students per extended cell.
pub(crate) fn count(frame: &Frame, plan: &Plan, grid: &Grid) -> Vec<u64> {
    let mut counts = vec![0u64; grid.cells];
    let mut stamp = vec![u32::MAX; grid.cells];
    let mut deltas = vec![0usize; plan.dims.len()];
    let mut exts = Vec::with_capacity(1 << plan.dims.len());
    for s in 0..frame.students() {
        let tag = s as u32;
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
            previous = base;
            ext_cells(base, &deltas, &mut exts);
            for &e in &exts {
                if stamp[e] != tag {
                    stamp[e] = tag;
                    counts[e] += 1;
                }
            }
        }
    }
    counts
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
pub(crate) fn means(frame: &Frame, plan: &Plan, grid: &Grid) -> Aggregates {
    if let Some(p) = plan.dims.iter().position(|&x| x == frame.wave) {
        return means_by_wave(frame, plan, grid, p);
    }
    let m = plan.measures.len();
    let d = plan.dims.len();
    let mut out =
        Aggregates { students: vec![0; grid.cells], n: vec![0; grid.cells * m], sum: vec![0.0; grid.cells * m] };
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
    for s in 0..frame.students() {
        let tag = s as u32;
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
                    let cell_means = &means[k * m..(k + 1) * m];
                    let n = &mut out.n[e * m..(e + 1) * m];
                    let total = &mut out.sum[e * m..(e + 1) * m];
                    for ((x, n), t) in cell_means.iter().zip(n).zip(total) {
                        let present = !x.is_nan();
                        *n += u64::from(present);
                        *t += if present { *x } else { 0.0 };
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
        for &e in &touched {
            out.students[e] += 1;
            for j in 0..m {
                let k = e * m + j;
                if tmp_cnt[k] > 0 {
                    out.n[k] += 1;
                    out.sum[k] += tmp_sum[k] / tmp_cnt[k] as f64;
                    tmp_sum[k] = 0.0;
                    tmp_cnt[k] = 0;
                }
            }
        }
    }
    out
}

/// [`means`] when `wave` (dimension `p`) is a table dimension: the same figures, computed faster.
///
/// A student has one row per wave, so he has at most one row in each inner cell and in each extended cell
/// that keeps `wave`: those cells are plain sums of rows, accumulated on the inner cells and spread to their
/// margins at the end. Extended cells that pool the waves get the student's mean over his rows in them, once:
/// when all his rows share every other dimension (the usual case) that mean is added to the one pooled cell
/// and spread too; otherwise it is merged per extended cell, as in the general path.
fn means_by_wave(frame: &Frame, plan: &Plan, grid: &Grid, p: usize) -> Aggregates {
    let m = plan.measures.len();
    let d = plan.dims.len();
    let mut inner = Aggregates::zeroed(grid.cells, m);
    let mut pooled = Aggregates::zeroed(grid.cells, m);
    let mut out = Aggregates::zeroed(grid.cells, m);
    let columns: Vec<&[f32]> = plan.measures.iter().map(|&j| frame.measures[j].values.as_slice()).collect();
    let mut deltas = vec![0usize; d];
    let mut rows: Vec<(usize, usize, usize)> = Vec::new();
    let (mut psum, mut pcnt) = (vec![0f64; m], vec![0u32; m]);
    let mut stamp = vec![u32::MAX; grid.cells];
    let mut tmp_sum = vec![0f64; grid.cells * m];
    let mut tmp_cnt = vec![0u32; grid.cells * m];
    let mut touched: Vec<usize> = Vec::new();
    let mut exts = Vec::with_capacity(1 << d);
    for s in 0..frame.students() {
        rows.clear();
        psum.fill(0.0);
        pcnt.fill(0);
        let mut moved = false;
        for r in frame.student_rows(s) {
            if !plan.passes(frame, r) {
                continue;
            }
            let Some(base) = cell_of(frame, plan, grid, r, &mut deltas) else {
                continue;
            };
            let collapsed = base + deltas[p];
            moved |= rows.first().is_some_and(|&(_, _, c)| c != collapsed);
            rows.push((base, r, collapsed));
            inner.students[base] += 1;
            let (n, sum) = (&mut inner.n[base * m..(base + 1) * m], &mut inner.sum[base * m..(base + 1) * m]);
            for (j, col) in columns.iter().enumerate() {
                let x = col[r];
                if !x.is_nan() {
                    let x = f64::from(x);
                    n[j] += 1;
                    sum[j] += x;
                    psum[j] += x;
                    pcnt[j] += 1;
                }
            }
        }
        let Some(&(_, _, first)) = rows.first() else {
            continue;
        };
        if !moved {
            pooled.students[first] += 1;
            for j in 0..m {
                if pcnt[j] > 0 {
                    pooled.n[first * m + j] += 1;
                    pooled.sum[first * m + j] += psum[j] / f64::from(pcnt[j]);
                }
            }
            continue;
        }
        let tag = s as u32;
        touched.clear();
        for &(base, r, _) in &rows {
            // Recompute this row's margin offsets (rare path: the student moved between waves).
            let _ = cell_of(frame, plan, grid, r, &mut deltas);
            ext_cells(base, &deltas, &mut exts);
            for (mask, &e) in exts.iter().enumerate() {
                if mask & (1 << p) == 0 {
                    continue;
                }
                if stamp[e] != tag {
                    stamp[e] = tag;
                    touched.push(e);
                }
                for (j, col) in columns.iter().enumerate() {
                    let x = col[r];
                    if !x.is_nan() {
                        tmp_sum[e * m + j] += f64::from(x);
                        tmp_cnt[e * m + j] += 1;
                    }
                }
            }
        }
        for &e in &touched {
            out.students[e] += 1;
            for j in 0..m {
                let k = e * m + j;
                if tmp_cnt[k] > 0 {
                    out.n[k] += 1;
                    out.sum[k] += tmp_sum[k] / f64::from(tmp_cnt[k]);
                    tmp_sum[k] = 0.0;
                    tmp_cnt[k] = 0;
                }
            }
        }
    }
    // Spread inner cells (wave kept) and pooled cells (wave = Total) to every margin above them that leaves
    // `wave` as it is.
    let mut local = vec![0usize; d];
    for idx in 0..grid.cells {
        let (has_inner, has_pooled) = (inner.students[idx] > 0, pooled.students[idx] > 0);
        if !has_inner && !has_pooled {
            continue;
        }
        for (i, l) in local.iter_mut().enumerate() {
            *l = (idx / grid.strides[i]) % (grid.sizes[i] + 1);
        }
        let others: Vec<usize> =
            (0..d).filter(|&i| i != p).map(|i| (grid.sizes[i] - local[i]) * grid.strides[i]).collect();
        for mask in 0..(1usize << others.len()) {
            let target =
                idx + others.iter().enumerate().filter(|(b, _)| mask & (1 << b) != 0).map(|(_, v)| v).sum::<usize>();
            if has_inner {
                out.add_cell(target, &inner, idx, m);
            }
            if has_pooled {
                out.add_cell(target, &pooled, idx, m);
            }
        }
    }
    out
}

/// Matched students, n and sums of per-student changes `to − from` per extended cell and measure.
pub(crate) fn wave_change(frame: &Frame, plan: &Plan, grid: &Grid, from: u16, to: u16) -> Aggregates {
    let m = plan.measures.len();
    let mut out =
        Aggregates { students: vec![0; grid.cells], n: vec![0; grid.cells * m], sum: vec![0.0; grid.cells * m] };
    let waves = &frame.dims[frame.wave].codes;
    let mut deltas = vec![0usize; plan.dims.len()];
    for s in 0..frame.students() {
        let rows = frame.student_rows(s);
        let find = |w: u16| rows.clone().find(|&r| waves[r] == w);
        let (Some(a), Some(b)) = (find(from), find(to)) else {
            continue;
        };
        if !plan.passes(frame, a) || !plan.passes(frame, b) {
            continue;
        }
        let Some(base) = cell_of(frame, plan, grid, a, &mut deltas) else {
            continue;
        };
        for_each_ext(base, &deltas, |e| {
            out.students[e] += 1;
            for (j, &mi) in plan.measures.iter().enumerate() {
                let col = &frame.measures[mi].values;
                let (x, y) = (col[a], col[b]);
                if !x.is_nan() && !y.is_nan() {
                    out.n[e * m + j] += 1;
                    out.sum[e * m + j] += (y - x) as f64;
                }
            }
        });
    }
    out
}
