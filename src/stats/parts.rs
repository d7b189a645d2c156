//! A table computation split over parts of the students, run on several threads and merged in order.
//!
//! Every table is a sum over students, so it can be computed on disjoint ranges of students and added up.
//! The ranges depend only on the number of students (never on the thread count), and the parts are merged
//! in their order, so a frame gives the same floating-point sums — to the last bit — on any machine and
//! with any number of threads.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::error::StatsError;

/// Most students in one part.
pub(crate) const PART_STUDENTS: usize = 65_536;

#[cfg(test)]
thread_local! {
    /// Tests: a smaller part size, so that small frames are split too.
    pub(crate) static PART_OVERRIDE: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// The parts of `students` the tables are computed on ([`PART_STUDENTS`] students at most each).
pub(crate) fn split(students: usize) -> Vec<Range<usize>> {
    #[cfg(test)]
    if let Some(part) = PART_OVERRIDE.with(std::cell::Cell::get) {
        return ranges(students, part);
    }
    ranges(students, PART_STUDENTS)
}

/// `students` split into ⌈students / part⌉ consecutive ranges of near-equal size (one empty range when
/// there are no students).
pub(crate) fn ranges(students: usize, part: usize) -> Vec<Range<usize>> {
    let n = students.div_ceil(part.max(1)).max(1);
    (0..n).map(|i| students * i / n..students * (i + 1) / n).collect()
}

/// Computes `compute` on every range of `ranges` with up to `threads` threads and folds the results in range
/// order with `merge` (the first range's result is the accumulator). The first error ends the work.
pub(crate) fn map_merge<T: Send>(
    ranges: &[Range<usize>],
    threads: usize,
    compute: impl Fn(Range<usize>) -> Result<T, StatsError> + Sync,
    mut merge: impl FnMut(&mut T, T),
) -> Result<T, StatsError> {
    let mut acc: Option<T> = None;
    let mut fold = |t: T| match &mut acc {
        None => acc = Some(t),
        Some(a) => merge(a, t),
    };
    let threads = threads.clamp(1, ranges.len().max(1));
    if threads == 1 {
        for r in ranges {
            fold(compute(r.clone())?);
        }
    } else {
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<(usize, Result<T, StatsError>)>();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let (tx, next, compute) = (tx.clone(), &next, &compute);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = ranges.get(i) else { break };
                    let result = compute(r.clone());
                    let failed = result.is_err();
                    if tx.send((i, result)).is_err() || failed {
                        // On an error, stop taking parts: the others will not be used.
                        next.store(ranges.len(), Ordering::Relaxed);
                        break;
                    }
                });
            }
            drop(tx);
            // Merge in range order as results arrive; at most a few wait (each thread holds one).
            let mut waiting = BTreeMap::new();
            let mut want = 0;
            for (i, result) in rx {
                waiting.insert(i, result?);
                while let Some(t) = waiting.remove(&want) {
                    fold(t);
                    want += 1;
                }
            }
            Ok::<(), StatsError>(())
        })?;
    }
    acc.ok_or(StatsError::Cancelled)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_students_once_in_order_whatever_the_size() {
        for students in [0, 1, 7, 65_535, 65_536, 65_537, 200_000] {
            let rs = ranges(students, PART_STUDENTS);
            assert_eq!(rs.len(), students.div_ceil(PART_STUDENTS).max(1));
            assert_eq!(rs.first().unwrap().start, 0);
            assert_eq!(rs.last().unwrap().end, students);
            assert!(rs.windows(2).all(|w| w[0].end == w[1].start));
            assert!(rs.iter().all(|r| r.len() <= PART_STUDENTS));
        }
    }

    #[test]
    fn results_are_merged_in_range_order_with_any_thread_count() {
        let rs = ranges(1000, 7);
        let order =
            |threads| map_merge(&rs, threads, |r| Ok(vec![r.start]), |a: &mut Vec<usize>, b| a.extend(b)).unwrap();
        let expected: Vec<usize> = rs.iter().map(|r| r.start).collect();
        for threads in [1, 2, 3, 8, 500] {
            assert_eq!(order(threads), expected, "threads {threads}");
        }
    }

    #[test]
    fn an_error_in_any_part_is_the_result() {
        let rs = ranges(100, 10);
        for threads in [1, 3] {
            let r = map_merge(
                &rs,
                threads,
                |r| if r.start == 50 { Err(StatsError::Cancelled) } else { Ok(r.len()) },
                |a, b| *a += b,
            );
            assert_eq!(r, Err(StatsError::Cancelled));
        }
    }
}
