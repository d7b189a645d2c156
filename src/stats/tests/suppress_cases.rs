//! Hand-made tables for the suppressor, audited by the independent checker.

use super::checker;
use crate::stats::suppress::{protect, Grid};
use crate::stats::TOTAL;

/// Extended-grid values of an inner table (row-major), with all margins summed.
fn with_margins(grid: &Grid, inner: &[u64]) -> Vec<u64> {
    (0..grid.cells).map(|c| grid.inner_of(c).iter().map(|&i| inner[i]).sum()).collect()
}

fn audit(grid: &Grid, values: &[u64], suppressed: &[bool]) -> Vec<usize> {
    let cells: Vec<(Vec<String>, Option<f64>)> = (0..grid.cells)
        .map(|c| {
            let labels = grid
                .decode(c)
                .iter()
                .zip(&grid.sizes)
                .map(|(i, n)| if i == n { TOTAL.to_owned() } else { i.to_string() })
                .collect();
            (labels, (!suppressed[c]).then_some(values[c] as f64))
        })
        .collect();
    checker::determined(&cells)
}

#[test]
fn a_table_without_small_cells_is_published_whole() {
    let grid = Grid::new(&[2, 3]);
    let v = with_margins(&grid, &[10, 20, 30, 40, 50, 60]);
    assert!(protect(&grid, &v, &[], 5).iter().all(|s| !s));
}

#[test]
fn a_single_small_cell_in_one_dimension_gets_a_complement() {
    let grid = Grid::new(&[3]);
    let v = with_margins(&grid, &[2, 30, 40]);
    let s = protect(&grid, &v, &[], 5);
    assert!(s[0]);
    assert_eq!(s.iter().filter(|&&x| x).count(), 2, "{s:?}");
    assert!(!s[3], "the total should stay published: {s:?}");
    assert!(s[1], "the smallest non-zero cell is the complement: {s:?}");
    assert!(audit(&grid, &v, &s).is_empty());
}

#[test]
fn zeros_are_published_and_never_complements() {
    let grid = Grid::new(&[3]);
    let v = with_margins(&grid, &[3, 0, 40]);
    let s = protect(&grid, &v, &[], 5);
    assert!(s[0] && !s[1], "{s:?}");
    assert!(audit(&grid, &v, &s).is_empty());
}

#[test]
fn two_dimensional_and_three_dimensional_tables_are_protected() {
    let grid = Grid::new(&[3, 4]);
    let v = with_margins(&grid, &[1, 9, 12, 7, 0, 3, 20, 14, 8, 11, 2, 30]);
    let s = protect(&grid, &v, &[], 5);
    assert!(audit(&grid, &v, &s).is_empty());
    let grid = Grid::new(&[2, 2, 2]);
    let v = with_margins(&grid, &[2, 10, 12, 9, 11, 13, 8, 15]);
    let s = protect(&grid, &v, &[], 5);
    assert!(s[0]);
    assert!(audit(&grid, &v, &s).is_empty());
    // A 2-D rectangle in one layer is not enough in 3-D (the auditor would see it); more cells must go.
    assert!(s.iter().filter(|&&x| x).count() > 4, "{s:?}");
}

#[test]
fn a_small_total_is_suppressed_too() {
    let grid = Grid::new(&[2]);
    let v = with_margins(&grid, &[1, 2]);
    let s = protect(&grid, &v, &[], 5);
    assert!(s.iter().all(|&x| x));
}

#[test]
fn two_suppressed_ones_next_to_a_published_total_get_a_third_cell() {
    let grid = Grid::new(&[3]);
    let v = with_margins(&grid, &[1, 1, 40]);
    let s = protect(&grid, &v, &[], 5);
    assert!(s[0] && s[1]);
    assert!(s[2] || s[3], "sum of the suppressed cells must reach min_n or the total must go: {s:?}");
    assert!(audit(&grid, &v, &s).is_empty());
}
