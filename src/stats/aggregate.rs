//! Per-cell accumulators and the work budget of a table computation.
//!
//! Everything here merges by addition (wrapping addition for cell keys, a top-two merge for dominance), so a
//! margin can be filled from disjoint parts of itself and get exactly what a direct pass would give.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::error::StatsError;

/// What a mean cell of one measure accumulates: one cache line per (cell, measure), so that adding a
/// student's value touches one line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Acc {
    /// Students with a value.
    pub n: u64,
    /// Sum of student values.
    pub sum: f64,
    /// Sum of squared student values (zero-variance rule).
    pub sq: f64,
    /// Sum of the contributions as the dominance rule sees them.
    pub dsum: f64,
    /// The two largest contributions (dominance rule).
    pub top: [f64; 2],
    /// Cell key of the students with a value (count domain).
    pub nkey: u32,
    /// Cell key of the students with a value (sum domain).
    pub skey: u32,
}

impl Acc {
    #[inline]
    fn merge(&mut self, o: &Acc) {
        self.n += o.n;
        self.sum += o.sum;
        self.sq += o.sq;
        self.dsum += o.dsum;
        self.nkey = self.nkey.wrapping_add(o.nkey);
        self.skey = self.skey.wrapping_add(o.skey);
        push_top(&mut self.top, o.top[0]);
        push_top(&mut self.top, o.top[1]);
    }
}

/// Per extended cell: students counted, and per measure (`cell * m + j`) what the perturbation and the
/// disclosure rules of a mean need.
#[derive(Debug, Clone)]
pub(crate) struct Aggregates {
    /// Measures per cell.
    pub m: usize,
    /// Distinct students (means) or matched students (wave change) per extended cell.
    pub students: Vec<u64>,
    /// Per cell and measure (`cell * m + j`).
    pub acc: Vec<Acc>,
    /// Wave change only: per cell, students of the baseline wave's cross-section (after filters).
    pub cross_from: Vec<u64>,
    /// Wave change only: per cell, students of the follow-up wave's cross-section.
    pub cross_to: Vec<u64>,
    /// The table's population: every student counted somewhere, ascending.
    pub population: Vec<u32>,
}

impl Aggregates {
    /// Empty accumulators for `cells` extended cells and `m` measures.
    pub fn zeroed(cells: usize, m: usize) -> Self {
        Aggregates {
            m,
            students: vec![0; cells],
            acc: vec![Acc::default(); cells * m],
            cross_from: Vec::new(),
            cross_to: Vec::new(),
            population: Vec::new(),
        }
    }

    /// Adds one student to every cell in `touched`, with his mean per measure over the values gathered for
    /// that cell in `sum`/`cnt` (indexed `cell * m + measure`); the gathered values are reset for the next
    /// student. `lows` are the measures' scale minima (the dominance rule's zero).
    #[inline]
    pub fn add_gathered_student(
        &mut self,
        touched: &[usize],
        lows: &[f64],
        sum: &mut [f64],
        cnt: &mut [u32],
        keys: (u32, u32),
    ) {
        let m = self.m;
        for &e in touched {
            self.students[e] += 1;
            for (j, low) in lows.iter().enumerate() {
                let k = e * m + j;
                if cnt[k] > 0 {
                    let x = sum[k] / f64::from(cnt[k]);
                    self.add_value(e, j, x, x - low, keys);
                    sum[k] = 0.0;
                    cnt[k] = 0;
                }
            }
        }
    }

    /// Adds one student's value `x` of measure `j` to cell `e`; `dominance` is his contribution as the
    /// dominance rule sees it (non-negative); `keys` his (count, sum) record keys.
    #[inline]
    pub fn add_value(&mut self, e: usize, j: usize, x: f64, dominance: f64, keys: (u32, u32)) {
        let a = &mut self.acc[e * self.m + j];
        a.n += 1;
        a.sum += x;
        a.sq += x * x;
        a.dsum += dominance;
        a.nkey = a.nkey.wrapping_add(keys.0);
        a.skey = a.skey.wrapping_add(keys.1);
        push_top(&mut a.top, dominance);
    }

    /// Adds `other`, computed on a later part of the students (disjoint, with the same cells and measures).
    pub fn merge(&mut self, other: Aggregates) {
        for (a, b) in self.students.iter_mut().zip(&other.students) {
            *a += b;
        }
        for (a, b) in self.acc.iter_mut().zip(&other.acc) {
            a.merge(b);
        }
        for (mine, theirs) in [(&mut self.cross_from, &other.cross_from), (&mut self.cross_to, &other.cross_to)] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self.population.extend(other.population);
    }

    /// Adds cell `from` of `other` (disjoint students) into cell `to` of `self`.
    pub fn add_cell(&mut self, to: usize, other: &Aggregates, from: usize) {
        let m = self.m;
        self.students[to] += other.students[from];
        for (a, o) in self.acc[to * m..(to + 1) * m].iter_mut().zip(&other.acc[from * m..(from + 1) * m]) {
            a.merge(o);
        }
    }
}

#[inline]
fn push_top(top: &mut [f64; 2], c: f64) {
    if c > top[0] {
        top[1] = top[0];
        top[0] = c;
    } else if c > top[1] {
        top[1] = c;
    }
}

/// When a table computation must stop: a deadline and a cancellation flag (set when the request is
/// dropped). Loops call [`Budget::check`] every few thousand students.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    deadline: Option<Instant>,
    cancelled: Arc<AtomicBool>,
}

impl Budget {
    /// No deadline (tests, tools).
    pub fn unlimited() -> Self {
        Budget::default()
    }

    /// Stops at `deadline`.
    pub fn until(deadline: Instant) -> Self {
        Budget { deadline: Some(deadline), cancelled: Arc::default() }
    }

    /// Asks the computation to stop as soon as it checks.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// `Err(Cancelled)` once cancelled or past the deadline.
    #[inline]
    pub fn check(&self) -> Result<(), StatsError> {
        let late = self.deadline.is_some_and(|d| Instant::now() >= d);
        if late || self.cancelled.load(Ordering::Relaxed) {
            return Err(StatsError::Cancelled);
        }
        Ok(())
    }
}

/// Students between two budget checks.
pub(crate) const CHECK_EVERY: usize = 4096;
