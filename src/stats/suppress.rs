//! Primary and complementary cell suppression for count tables published with all their margins.
//!
//! Published tables no longer use it: cell-key perturbation ([`super::perturb`]) carries the protection
//! across queries, which complementary suppression cannot (see the README's section for data protection
//! officers). [`Grid`] is the layout every table is computed on; [`protect`] is kept, with its tests, for
//! tools that publish exact tables.
//!
//! A table with dimensions of sizes `n_1..n_d` is held on its *extended grid*: index `n_i` on dimension `i`
//! means "Total". Every extended cell is the sum of a set of inner cells (its vector `x_cell`) under the
//! additive model.
//!
//! * **Primary**: a cell with `0 < count < min_n`, or a cell the caller forces (e.g. a mean whose count cell is
//!   suppressed). Zero cells are structural and not sensitive: they are published and never used as
//!   complements (they are considered first, and a zero can never reveal a positive primary).
//! * **Complementary** (Gaussian-elimination greedy after Langsrud): candidates are visited in the order we
//!   most want to publish them — zeros, then margins with more `Total` indices, then larger counts — and each
//!   is published unless, together with the cells already published, it would put a primary's vector in
//!   their span; then it is suppressed. Exact integer elimination; on overflow the candidate is suppressed
//!   (the safe side). A suppressed complement is itself undetermined (else the primary it guards would be).
//! * **Non-additive tables**: when a student sits in several inner cells (pooled waves), a distinct-student
//!   margin is less than the sum of its cells, so fewer linear relations really hold. The suppressor always
//!   assumes the full additive structure: an attacker who only has the relations that hold knows a subset
//!   of these equations, so what is undetermined here is undetermined for him.

/// Layout of an extended grid (row-major, last dimension fastest).
#[derive(Debug, Clone)]
pub struct Grid {
    /// Inner category count per dimension.
    pub sizes: Vec<usize>,
    /// Stride of each dimension in the extended grid.
    pub strides: Vec<usize>,
    /// Number of extended cells, `Π (n_i + 1)`.
    pub cells: usize,
}

impl Grid {
    /// The extended grid of a table with these category counts.
    pub fn new(sizes: &[usize]) -> Self {
        let mut strides = vec![0; sizes.len()];
        let mut acc = 1;
        for i in (0..sizes.len()).rev() {
            strides[i] = acc;
            acc *= sizes[i] + 1;
        }
        Grid { sizes: sizes.to_vec(), strides, cells: acc }
    }

    /// The index tuple of an extended cell (`n_i` = Total on dimension `i`).
    pub fn decode(&self, mut cell: usize) -> Vec<usize> {
        let mut out = vec![0; self.sizes.len()];
        for (i, &s) in self.strides.iter().enumerate() {
            out[i] = cell / s;
            cell %= s;
        }
        out
    }

    /// How many `Total` indices a cell has.
    pub fn totals(&self, cell: usize) -> usize {
        let idx = self.decode(cell);
        idx.iter().zip(&self.sizes).filter(|(i, s)| i == s).count()
    }

    /// The inner cells summed by an extended cell, as row-major inner indices.
    pub fn inner_of(&self, cell: usize) -> Vec<usize> {
        let idx = self.decode(cell);
        let mut acc = vec![0usize];
        for (i, &n) in self.sizes.iter().enumerate() {
            let choices: Vec<usize> = if idx[i] == n { (0..n).collect() } else { vec![idx[i]] };
            acc = acc.iter().flat_map(|&a| choices.iter().map(move |&c| a * n + c)).collect();
        }
        acc
    }

    /// Number of inner cells.
    pub fn inner_cells(&self) -> usize {
        self.sizes.iter().product()
    }
}

/// Returns which extended cells to suppress: primaries (`0 < v < min_n`, or `forced`) and complements.
///
/// After the linear step, one hardening rule is enforced: in every relation (a published margin and its
/// components along one dimension) that has suppressed components, their sum must be at least `min_n` —
/// otherwise two suppressed ones next to a published total are each known to be 1 (zeros are published, so
/// a suppressed cell is ≥ 1). The smallest published non-zero component (or else the margin) is added as a
/// primary and the linear step is re-run, until every relation holds.
pub fn protect(grid: &Grid, values: &[u64], forced: &[bool], min_n: u64) -> Vec<bool> {
    let mut primary: Vec<bool> = (0..grid.cells)
        .map(|c| {
            let v = values.get(c).copied().unwrap_or(0);
            forced.get(c).copied().unwrap_or(false) || (v > 0 && v < min_n)
        })
        .collect();
    loop {
        let suppressed = complement(grid, values, &primary);
        match weak_relation(grid, values, &suppressed, min_n) {
            Some(cell) if !primary[cell] => primary[cell] = true,
            _ => return suppressed,
        }
    }
}

/// A cell to add when some published margin's suppressed components sum to less than `min_n`.
fn weak_relation(grid: &Grid, values: &[u64], suppressed: &[bool], min_n: u64) -> Option<usize> {
    let value = |c: usize| values.get(c).copied().unwrap_or(0);
    for t in (0..grid.cells).filter(|&t| !suppressed[t]) {
        let idx = grid.decode(t);
        for (i, &n) in grid.sizes.iter().enumerate() {
            if idx[i] != n {
                continue;
            }
            let base = t - n * grid.strides[i];
            let parts = (0..n).map(|k| base + k * grid.strides[i]);
            let hidden: u64 = parts.clone().filter(|&c| suppressed[c]).map(value).sum();
            if hidden == 0 || hidden >= min_n {
                continue;
            }
            let smallest = parts.filter(|&c| !suppressed[c] && value(c) > 0).min_by_key(|&c| (value(c), c));
            return Some(smallest.unwrap_or(t));
        }
    }
    None
}

/// The Gaussian-elimination greedy: suppresses complements so that no `primary` is in the span of the
/// published cells' vectors.
fn complement(grid: &Grid, values: &[u64], primary: &[bool]) -> Vec<bool> {
    let n = grid.cells;
    let mut suppressed = primary.to_vec();
    if !suppressed.iter().any(|&s| s) {
        return suppressed;
    }
    let width = grid.inner_cells();
    let vector = |c: usize| {
        let mut v = vec![0i64; width];
        for i in grid.inner_of(c) {
            v[i] = 1;
        }
        v
    };
    let mut residuals: Vec<Vec<i64>> =
        (0..n).filter(|&c| suppressed[c]).map(vector).filter(|v| v.iter().any(|&x| x != 0)).collect();
    let mut candidates: Vec<usize> = (0..n).filter(|&c| !suppressed[c]).collect();
    candidates.sort_by_key(|&c| {
        let v = values.get(c).copied().unwrap_or(0);
        (v != 0, std::cmp::Reverse(grid.totals(c)), std::cmp::Reverse(v), c)
    });
    let mut basis: Vec<(usize, Vec<i64>)> = Vec::new();
    for c in candidates {
        if residuals.is_empty() {
            break;
        }
        let mut r = vector(c);
        let reduced = basis.iter().all(|(piv, b)| r[*piv] == 0 || eliminate(&mut r, *piv, b));
        if !reduced {
            suppressed[c] = true;
            continue;
        }
        let Some(piv) = r.iter().position(|&x| x != 0) else {
            continue; // already implied by published cells: publishing it is free
        };
        if residuals.iter().any(|p| parallel(p, &r, piv)) {
            suppressed[c] = true;
            continue;
        }
        let mut updated = Vec::new();
        let mut ok = true;
        for (i, p) in residuals.iter().enumerate() {
            if p[piv] != 0 {
                let mut q = p.clone();
                if !eliminate(&mut q, piv, &r) {
                    ok = false;
                    break;
                }
                updated.push((i, q));
            }
        }
        if !ok {
            suppressed[c] = true;
            continue;
        }
        for (i, q) in updated {
            residuals[i] = q;
        }
        basis.push((piv, r));
    }
    suppressed
}

/// `v ← v·b[piv] − b·v[piv]`, then divided by the gcd of its entries. False on overflow.
fn eliminate(v: &mut [i64], piv: usize, b: &[i64]) -> bool {
    let (a, f) = (b[piv], v[piv]);
    let g = gcd(a, f).max(1);
    let (a, f) = (a / g, f / g);
    let mut common = 0i64;
    for (x, &y) in v.iter_mut().zip(b) {
        let Some(t) = x.checked_mul(a).and_then(|t| y.checked_mul(f).and_then(|u| t.checked_sub(u))) else {
            return false;
        };
        *x = t;
        common = gcd(common, t);
    }
    if common > 1 {
        v.iter_mut().for_each(|x| *x /= common);
    }
    true
}

/// Whether `p` is a multiple of `r` (`r[piv]` is its first non-zero entry).
fn parallel(p: &[i64], r: &[i64], piv: usize) -> bool {
    let (pk, rk) = (p[piv] as i128, r[piv] as i128);
    if pk == 0 {
        return false;
    }
    p.iter().zip(r).all(|(&x, &y)| x as i128 * rk == y as i128 * pk)
}

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    i64::try_from(a).unwrap_or(1)
}
