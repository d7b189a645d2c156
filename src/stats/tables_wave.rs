//! Means with `wave` as a table dimension, and wave change on the matched panel.

use std::ops::Range;

use super::aggregate::{Acc, Aggregates, Budget, CHECK_EVERY};
use super::error::StatsError;
use super::frame::Frame;
use super::parts;
use super::query::Plan;
use super::suppress::Grid;
use super::tables::{cell_of, ext_cells, for_each_ext};

/// [`super::tables::means`] when `wave` (dimension `p`) is a table dimension: the same figures, computed faster.
///
/// A student has one row per wave, so he has at most one row in each inner cell and in each extended cell
/// that keeps `wave`: those cells are plain sums of rows, accumulated on the inner cells and spread to their
/// margins at the end. Extended cells that pool the waves get the student's mean over his rows in them, once:
/// when all his rows share every other dimension (the usual case) that mean is added to the one pooled cell
/// and spread too; otherwise it is merged per extended cell, as in the general path.
///
/// Computed on parts of the students ([`parts`]) with up to `threads` threads; the parts' inner and pooled
/// cells are added up before they are spread.
pub(crate) fn means_by_wave(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    p: usize,
    threads: usize,
    budget: &Budget,
) -> Result<Aggregates, StatsError> {
    let ranges = parts::split(frame.students());
    let (inner, pooled, mut out) = parts::map_merge(
        &ranges,
        threads,
        |r| by_wave_part(frame, plan, grid, p, r, budget),
        |a, b| {
            a.0.merge(b.0);
            a.1.merge(b.1);
            a.2.merge(b.2);
        },
    )?;
    spread(grid, p, &inner, &pooled, &mut out);
    Ok(out)
}

/// A part's (inner cells, pooled cells, cells of students who moved between waves).
type ByWave = (Aggregates, Aggregates, Aggregates);

/// Marks a row outside the table, or a student without a pooled cell (no rows, or moved between waves).
const NONE: u32 = u32::MAX;

/// One part in two passes: the first finds every row's inner cell and each student's pooled cell (and
/// gathers the rare students who moved between waves); the second adds the values one measure at a time,
/// so that the accumulators of one measure (one line per cell) stay in cache. Each accumulator receives
/// its students in student order, as a single pass would add them.
fn by_wave_part(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    p: usize,
    students: Range<usize>,
    budget: &Budget,
) -> Result<ByWave, StatsError> {
    let m = plan.measures.len();
    let d = plan.dims.len();
    let lows: Vec<f64> = plan.measures.iter().map(|&j| f64::from(frame.measures[j].min)).collect();
    let mut inner = Aggregates::zeroed(grid.cells, m);
    let mut pooled = Aggregates::zeroed(grid.cells, m);
    let mut out = Aggregates::zeroed(grid.cells, m);
    let columns: Vec<&[f32]> = plan.measures.iter().map(|&j| frame.measures[j].values.as_slice()).collect();
    let first_row = frame.student_rows(students.start).start;
    let last_row = if students.is_empty() { first_row } else { frame.student_rows(students.end - 1).end };
    let mut cell = vec![NONE; last_row.saturating_sub(first_row)];
    // Per cell: the record keys of its rows (inner) and of its students (pooled), for every measure at once.
    let mut inner_keys = vec![(0u32, 0u32); grid.cells];
    let mut pooled_keys = vec![(0u32, 0u32); grid.cells];
    let mut pooled_at = vec![NONE; students.len()];
    let mut deltas = vec![0usize; d];
    let mut rows: Vec<(usize, usize, usize)> = Vec::new();
    let mut stamp = vec![u32::MAX; grid.cells];
    let mut tmp_sum = vec![0f64; grid.cells * m];
    let mut tmp_cnt = vec![0u32; grid.cells * m];
    let mut touched: Vec<usize> = Vec::new();
    let mut exts = Vec::with_capacity(1 << d);
    // Students with a row in the table (the second pass visits only these: a scoped table skips the rest).
    let mut active: Vec<usize> = Vec::new();
    for s in students.clone() {
        if s % CHECK_EVERY == 0 {
            budget.check()?;
        }
        rows.clear();
        let mut moved = false;
        let keys = (frame.keys.count[s], frame.keys.sum[s]);
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
            add_keys(&mut inner_keys[base], keys);
            cell[r - first_row] = base as u32;
        }
        let Some(&(_, _, first)) = rows.first() else {
            continue;
        };
        out.population.push(s as u32);
        active.push(s);
        if !moved {
            pooled.students[first] += 1;
            add_keys(&mut pooled_keys[first], keys);
            pooled_at[s - students.start] = first as u32;
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
        out.add_gathered_student(&touched, &lows, &mut tmp_sum, &mut tmp_cnt, keys);
    }
    let (mut inner_lanes, mut pooled_lanes) = (vec![Lane::EMPTY; grid.cells], vec![Lane::EMPTY; grid.cells]);
    let (mut inner_gaps, mut pooled_gaps) = (vec![Gaps::default(); grid.cells], vec![Gaps::default(); grid.cells]);
    for (j, col) in columns.iter().enumerate() {
        let low = lows[j];
        inner_lanes.fill(Lane::EMPTY);
        pooled_lanes.fill(Lane::EMPTY);
        inner_gaps.fill(Gaps::default());
        pooled_gaps.fill(Gaps::default());
        for (i, &s) in active.iter().enumerate() {
            if i % CHECK_EVERY == 0 {
                budget.check()?;
            }
            let (mut psum, mut pcnt) = (0f64, 0u32);
            for r in frame.student_rows(s) {
                let base = cell[r - first_row];
                if base == NONE {
                    continue;
                }
                let x = col[r];
                if x.is_nan() {
                    inner_gaps[base as usize].add((frame.keys.count[s], frame.keys.sum[s]));
                    continue;
                }
                let x = f64::from(x);
                inner_lanes[base as usize].add(x, low);
                psum += x;
                pcnt += 1;
            }
            let at = pooled_at[s - students.start];
            if at != NONE {
                if pcnt > 0 {
                    pooled_lanes[at as usize].add(psum / f64::from(pcnt), low);
                } else {
                    pooled_gaps[at as usize].add((frame.keys.count[s], frame.keys.sum[s]));
                }
            }
        }
        for (agg, lanes, gaps, keys) in [
            (&mut inner, &inner_lanes, &inner_gaps, &inner_keys),
            (&mut pooled, &pooled_lanes, &pooled_gaps, &pooled_keys),
        ] {
            for c in 0..grid.cells {
                if agg.students[c] > 0 {
                    agg.acc[c * m + j] = lanes[c].finish(agg.students[c], &gaps[c], keys[c], low);
                }
            }
        }
    }
    Ok((inner, pooled, out))
}

#[inline]
fn add_keys(to: &mut (u32, u32), keys: (u32, u32)) {
    to.0 = to.0.wrapping_add(keys.0);
    to.1 = to.1.wrapping_add(keys.1);
}

/// One cell's sums for one measure while the values stream in (the second pass): what an [`Acc`] holds
/// except n and the keys, which follow from the cell's students less its [`Gaps`].
#[derive(Clone, Copy)]
struct Lane {
    sum: f64,
    sq: f64,
    dsum: f64,
    /// The two largest values (not yet less the scale minimum).
    top: [f64; 2],
}

impl Lane {
    const EMPTY: Lane = Lane { sum: 0.0, sq: 0.0, dsum: 0.0, top: [f64::NEG_INFINITY; 2] };

    #[inline]
    fn add(&mut self, x: f64, low: f64) {
        self.sum += x;
        self.sq += x * x;
        self.dsum += x - low;
        if x > self.top[1] {
            if x > self.top[0] {
                self.top = [x, self.top[0]];
            } else {
                self.top[1] = x;
            }
        }
    }

    /// The accumulator of a cell with `students` students (or rows), of whom `gaps` have no value, and
    /// the record keys `keys` of them all: as [`Aggregates::add_value`] would have built it value by value
    /// (the dominance rule counts a value by how far it is above the scale minimum; none is negative).
    fn finish(&self, students: u64, gaps: &Gaps, keys: (u32, u32), low: f64) -> Acc {
        let dominance = |t: f64| (t - low).max(0.0);
        Acc {
            n: students - gaps.n,
            sum: self.sum,
            sq: self.sq,
            dsum: self.dsum,
            top: [dominance(self.top[0]), dominance(self.top[1])],
            nkey: keys.0.wrapping_sub(gaps.keys.0),
            skey: keys.1.wrapping_sub(gaps.keys.1),
        }
    }
}

/// The students (or rows) of a cell without a value of the measure, and their record keys.
#[derive(Clone, Copy, Default)]
struct Gaps {
    n: u64,
    keys: (u32, u32),
}

impl Gaps {
    #[inline]
    fn add(&mut self, keys: (u32, u32)) {
        self.n += 1;
        add_keys(&mut self.keys, keys);
    }
}

/// Spreads inner cells (wave kept) and pooled cells (wave = Total) into `out`, to every margin above them
/// that leaves `wave` (dimension `p`) as it is.
fn spread(grid: &Grid, p: usize, inner: &Aggregates, pooled: &Aggregates, out: &mut Aggregates) {
    let d = grid.sizes.len();
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
                out.add_cell(target, inner, idx);
            }
            if has_pooled {
                out.add_cell(target, pooled, idx);
            }
        }
    }
}

/// Matched students, n and sums of per-student changes `to − from` per extended cell and measure, with
/// each wave's cross-section per cell (to compare the panel with it).
///
/// Computed on parts of the students ([`parts`]) with up to `threads` threads.
pub(crate) fn wave_change(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    waves: (u16, u16),
    threads: usize,
    budget: &Budget,
) -> Result<Aggregates, StatsError> {
    let ranges = parts::split(frame.students());
    parts::map_merge(&ranges, threads, |r| wave_change_part(frame, plan, grid, waves, r, budget), Aggregates::merge)
}

fn wave_change_part(
    frame: &Frame,
    plan: &Plan,
    grid: &Grid,
    (from, to): (u16, u16),
    students: Range<usize>,
    budget: &Budget,
) -> Result<Aggregates, StatsError> {
    let m = plan.measures.len();
    let mut out = Aggregates::zeroed(grid.cells, m);
    out.cross_from = vec![0; grid.cells];
    out.cross_to = vec![0; grid.cells];
    let waves = &frame.dims[frame.wave].codes;
    let columns: Vec<&[f32]> = plan.measures.iter().map(|&j| frame.measures[j].values.as_slice()).collect();
    let mut deltas = vec![0usize; plan.dims.len()];
    let mut cells: Vec<usize> = Vec::with_capacity(1 << plan.dims.len());
    for s in students {
        if s % CHECK_EVERY == 0 {
            budget.check()?;
        }
        let rows = frame.student_rows(s);
        let find = |w: u16| rows.clone().find(|&r| waves[r] == w).filter(|&r| plan.passes(frame, r));
        let (a, b) = (find(from), find(to));
        if let Some(a) = a {
            if let Some(base) = cell_of(frame, plan, grid, a, &mut deltas) {
                for_each_ext(base, &deltas, |e| out.cross_from[e] += 1);
            }
        }
        if let Some(b) = b {
            if let Some(base) = cell_of(frame, plan, grid, b, &mut deltas) {
                for_each_ext(base, &deltas, |e| out.cross_to[e] += 1);
            }
        }
        let (Some(a), Some(b)) = (a, b) else {
            continue;
        };
        let Some(base) = cell_of(frame, plan, grid, a, &mut deltas) else {
            continue;
        };
        out.population.push(s as u32);
        let keys = (frame.keys.count[s], frame.keys.sum[s]);
        cells.clear();
        for_each_ext(base, &deltas, |e| cells.push(e));
        for &e in &cells {
            out.students[e] += 1;
            for (j, col) in columns.iter().enumerate() {
                let (x, y) = (col[a], col[b]);
                if !x.is_nan() && !y.is_nan() {
                    let change = f64::from(y) - f64::from(x);
                    out.add_value(e, j, change, change.abs(), keys);
                }
            }
        }
    }
    Ok(out)
}
