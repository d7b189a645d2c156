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

/// The base index of a row on the extended grid and the offsets that turn dimension `i` into `Total`.
#[inline]
fn cell_of(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    r: usize,
    deltas: &mut [usize],
) -> Option<usize> {
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
    for s in 0..frame.students() {
        let tag = s as u32;
        for r in frame.student_rows(s) {
            if !plan.passes(frame, r) {
                continue;
            }
            let Some(base) = cell_of(frame, plan, grid, r, &mut deltas) else {
                continue;
            };
            for_each_ext(base, &deltas, |e| {
                if stamp[e] != tag {
                    stamp[e] = tag;
                    counts[e] += 1;
                }
            });
        }
    }
    counts
}

/// Students, n and sums of student means per extended cell and measure.
pub(crate) fn means(frame: &Frame, plan: &Plan, grid: &Grid) -> Aggregates {
    let m = plan.measures.len();
    let mut out = Aggregates {
        students: vec![0; grid.cells],
        n: vec![0; grid.cells * m],
        sum: vec![0.0; grid.cells * m],
    };
    let mut stamp = vec![u32::MAX; grid.cells];
    let mut tmp_sum = vec![0f64; grid.cells * m];
    let mut tmp_cnt = vec![0u32; grid.cells * m];
    let mut touched: Vec<usize> = Vec::new();
    let mut deltas = vec![0usize; plan.dims.len()];
    let columns: Vec<&[f32]> = plan
        .measures
        .iter()
        .map(|&j| frame.measures[j].values.as_slice())
        .collect();
    let mut values = vec![0f64; m];
    let mut valid = vec![0u32; m];
    for s in 0..frame.students() {
        let tag = s as u32;
        touched.clear();
        for r in frame.student_rows(s) {
            if !plan.passes(frame, r) {
                continue;
            }
            let Some(base) = cell_of(frame, plan, grid, r, &mut deltas) else {
                continue;
            };
            for ((v, ok), col) in values.iter_mut().zip(valid.iter_mut()).zip(&columns) {
                let x = col[r];
                let present = !x.is_nan();
                *v = if present { x as f64 } else { 0.0 };
                *ok = u32::from(present);
            }
            for_each_ext(base, &deltas, |e| {
                if stamp[e] != tag {
                    stamp[e] = tag;
                    touched.push(e);
                }
                // Branch-free so the compiler can vectorise over the measures.
                let sums = &mut tmp_sum[e * m..(e + 1) * m];
                sums.iter_mut().zip(&values).for_each(|(s, v)| *s += v);
                let counts = &mut tmp_cnt[e * m..(e + 1) * m];
                counts.iter_mut().zip(&valid).for_each(|(c, v)| *c += v);
            });
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

/// Matched students, n and sums of per-student changes `to − from` per extended cell and measure.
pub(crate) fn wave_change(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    from: u16,
    to: u16,
) -> Aggregates {
    let m = plan.measures.len();
    let mut out = Aggregates {
        students: vec![0; grid.cells],
        n: vec![0; grid.cells * m],
        sum: vec![0.0; grid.cells * m],
    };
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
