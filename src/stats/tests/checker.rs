//! An independent auditor for complementary suppression.
//!
//! It reads only the published table: every cell is a variable, every margin gives a relation
//! `total − Σ components = 0` (the full additive structure; when a table is not additive because students sit
//! in several cells, the relations that really hold are a subset, so passing here implies passing there).
//! Published cells are known constants, so a suppressed cell is determined exactly iff its unit vector lies
//! in the row space of the relations restricted to the suppressed cells. The rank test uses exact rational
//! arithmetic (i128 fractions) — unlike the suppressor, which eliminates inner-cell incidence vectors.

use std::collections::HashMap;

use crate::stats::{StatsTable, TOTAL};

#[derive(Clone, Copy, Debug, PartialEq)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

impl Q {
    fn new(n: i128, d: i128) -> Q {
        let g = gcd(n, d).max(1);
        let s = if d < 0 { -1 } else { 1 };
        Q(s * n / g, s * d / g)
    }
    fn zero(self) -> bool {
        self.0 == 0
    }
    fn sub(self, o: Q) -> Q {
        Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
}

/// Cells of a table: (labels on every dimension, value); the value column (if any) is the last dimension.
pub fn cells(table: &StatsTable, value_column: bool) -> Vec<(Vec<String>, Option<f64>)> {
    let mut out = Vec::new();
    for row in &table.rows {
        for (c, name) in table.columns.iter().enumerate() {
            let mut labels = row.groups.clone();
            if value_column {
                labels.push(name.clone());
            }
            out.push((labels, row.cells[c]));
        }
    }
    out
}

/// Indices (into `cells`) of the suppressed cells that can be computed exactly from the published ones.
pub fn determined(cells: &[(Vec<String>, Option<f64>)]) -> Vec<usize> {
    let index: HashMap<&[String], usize> = cells.iter().enumerate().map(|(i, c)| (c.0.as_slice(), i)).collect();
    let dims = cells.first().map_or(0, |c| c.0.len());
    let categories: Vec<Vec<&String>> = (0..dims)
        .map(|d| {
            let mut v: Vec<&String> = cells.iter().map(|c| &c.0[d]).filter(|l| *l != TOTAL).collect();
            v.sort();
            v.dedup();
            v
        })
        .collect();
    let hidden: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].1.is_none()).collect();
    let column: HashMap<usize, usize> = hidden.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    // Relations restricted to the suppressed cells.
    let mut rows: Vec<Vec<Q>> = Vec::new();
    for (i, (labels, _)) in cells.iter().enumerate() {
        for d in 0..dims {
            if labels[d] != TOTAL {
                continue;
            }
            let mut row = vec![Q(0, 1); hidden.len()];
            let mut any = false;
            if let Some(&k) = column.get(&i) {
                row[k] = Q(1, 1);
                any = true;
            }
            for cat in &categories[d] {
                let mut l = labels.clone();
                l[d] = (*cat).clone();
                let j = index[l.as_slice()];
                if let Some(&k) = column.get(&j) {
                    row[k] = row[k].sub(Q(1, 1));
                    any = true;
                }
            }
            if any {
                rows.push(row);
            }
        }
    }
    // Reduced row echelon form.
    let mut pivots: Vec<(usize, Vec<Q>)> = Vec::new();
    for mut r in rows {
        for (p, b) in &pivots {
            if !r[*p].zero() {
                let f = r[*p];
                for k in 0..r.len() {
                    r[k] = r[k].sub(f.mul(b[k]));
                }
            }
        }
        let Some(p) = r.iter().position(|x| !x.zero()) else {
            continue;
        };
        let f = r[p];
        r.iter_mut().for_each(|x| *x = x.div(f));
        for (_, b) in pivots.iter_mut() {
            if !b[p].zero() {
                let g = b[p];
                for k in 0..b.len() {
                    b[k] = b[k].sub(g.mul(r[k]));
                }
            }
        }
        pivots.push((p, r));
    }
    hidden
        .iter()
        .enumerate()
        .filter(|&(k, _)| {
            let mut e = vec![Q(0, 1); hidden.len()];
            e[k] = Q(1, 1);
            for (p, b) in &pivots {
                if !e[*p].zero() {
                    let f = e[*p];
                    for j in 0..e.len() {
                        e[j] = e[j].sub(f.mul(b[j]));
                    }
                }
            }
            e.iter().all(|x| x.zero())
        })
        .map(|(_, &i)| i)
        .collect()
}

#[test]
fn checker_finds_a_cell_recomputable_from_its_margin() {
    let l = |a: &str| vec![a.to_owned()];
    let cells = vec![(l("a"), None), (l("b"), Some(7.0)), (l(TOTAL), Some(10.0))];
    assert_eq!(determined(&cells), vec![0]);
    let cells = vec![(l("a"), None), (l("b"), None), (l(TOTAL), Some(10.0))];
    assert!(determined(&cells).is_empty());
}

#[test]
fn checker_finds_a_bridge_between_two_suppressed_cycles() {
    // 2 × 2 with margins: suppress only (a,x) and (a,y) → the row total gives their sum, each column gives each.
    let c = |r: &str, k: &str, v: Option<f64>| (vec![r.to_owned(), k.to_owned()], v);
    let cells = vec![
        c("a", "x", None),
        c("a", "y", None),
        c("a", TOTAL, Some(12.0)),
        c("b", "x", Some(5.0)),
        c("b", "y", Some(6.0)),
        c("b", TOTAL, Some(11.0)),
        c(TOTAL, "x", Some(8.0)),
        c(TOTAL, "y", Some(15.0)),
        c(TOTAL, TOTAL, Some(23.0)),
    ];
    assert_eq!(determined(&cells).len(), 2);
}
