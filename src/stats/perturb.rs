//! Protection of published values: perturbed counts and protected means.
//!
//! * **Counts**: every published count (inner cells and margins alike, each computed from the microdata) is
//!   `c + noise(c, cell key)` from the [`PTable`]; a cell whose true or perturbed count is below `min_n` is
//!   suppressed; zeros stay zeros.
//! * **Means** (and mean changes): published only when their count `n` (students with a value) is published
//!   (so `n ≥ min_n` and `n' ≥ min_n`); then suppressed when the true mean sits at the scale's minimum or
//!   maximum, when every student answered alike (zero variance), or by the p%-rule (the students other than
//!   the largest two contribute less than p% of the largest). A published mean is `Σx/n + R·η/n'`: the sum
//!   is perturbed with noise `R·η` scaled to the measure's range `R` and divided by the perturbed count `n'`
//!   (the perturbed sum being `Σx·n'/n + R·η`), where `η = ±(0.1 + 0.7·u)` comes from the cell key of the
//!   sum domain mixed with the measure's tag — independent of the count noise, never zero, and the same for
//!   the same students. Means are clamped to the scale and rounded to 6 decimals (the same cell computed in
//!   another order publishes the same value). So `mean × n'` is a perturbed sum, never the true one.

use super::aggregate::Aggregates;
use super::keys::mix;
use super::ptable::PTable;

/// Smallest |η| (in units of the measure's range).
pub const SUM_NOISE_MIN: f64 = 0.1;
/// Largest |η| (in units of the measure's range): for n ≥ 20 the mean moves by at most 0.8/17 < 0.05 R.
pub const SUM_NOISE_MAX: f64 = 0.8;

/// Published counts (`None` = suppressed).
pub(crate) fn counts(ptable: &PTable, min_n: u64, counts: &[u64], keys: &[u32]) -> Vec<Option<u64>> {
    counts.iter().zip(keys).map(|(&c, &k)| count(ptable, min_n, c, k)).collect()
}

/// One published count.
#[inline]
pub(crate) fn count(ptable: &PTable, min_n: u64, c: u64, key: u32) -> Option<u64> {
    if c == 0 {
        return Some(0);
    }
    let p = ptable.perturb(c, key);
    (c >= min_n && p >= min_n).then_some(p)
}

/// A published mean cell: the mean and its n (`None` = suppressed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MeanCell {
    /// The protected mean.
    pub mean: Option<f64>,
    /// The perturbed n.
    pub n: Option<u64>,
}

/// How a measure's means are protected.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MeanScale {
    /// Scale minimum and maximum of published means (`−R..R` for a change).
    pub lo: f64,
    /// See `lo`.
    pub hi: f64,
    /// The measure's range `R` (noise scale).
    pub range: f64,
    /// Noise stream of this measure and table kind.
    pub tag: u64,
}

/// The rules of a means table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MeanRules<'a> {
    /// Count perturbation.
    pub ptable: &'a PTable,
    /// Smallest publishable n.
    pub min_n: u64,
    /// The p of the p%-rule, as a fraction (0.1 = 10%).
    pub p: f64,
}

/// The sum-noise factor η for a sum cell key.
pub(crate) fn eta(skey: u32, tag: u64) -> f64 {
    let bits = mix(skey, tag);
    let u = (bits & 0xFFFF_FFFF) as f64 / (1u64 << 32) as f64;
    let magnitude = SUM_NOISE_MIN + (SUM_NOISE_MAX - SUM_NOISE_MIN) * u;
    if bits >> 63 == 1 {
        -magnitude
    } else {
        magnitude
    }
}

/// Published means of measure `j` for every cell of `agg`.
pub(crate) fn means(rules: &MeanRules<'_>, agg: &Aggregates, j: usize, scale: &MeanScale) -> Vec<MeanCell> {
    (0..agg.students.len()).map(|e| mean(rules, agg, e * agg.m + j, scale)).collect()
}

fn mean(rules: &MeanRules<'_>, agg: &Aggregates, k: usize, scale: &MeanScale) -> MeanCell {
    let a = &agg.acc[k];
    let n = a.n;
    if n == 0 {
        return MeanCell { mean: None, n: Some(0) };
    }
    let Some(published_n) = count(rules.ptable, rules.min_n, n, a.nkey) else {
        return MeanCell { mean: None, n: None };
    };
    let nf = n as f64;
    let truth = a.sum / nf;
    let variance = (a.sq / nf - truth * truth).max(0.0);
    let eps = 1e-9 * scale.range;
    let boundary = truth <= scale.lo + eps || truth >= scale.hi - eps;
    let flat = variance <= eps * scale.range;
    let [x1, x2] = a.top;
    let dominated = x1 > 0.0 && a.dsum - x1 - x2 < rules.p * x1;
    if boundary || flat || dominated {
        return MeanCell { mean: None, n: Some(published_n) };
    }
    let noisy = truth + scale.range * eta(a.skey, scale.tag) / published_n as f64;
    // Rounded to 6 decimals, so that sums added in another order (another wording of the same cell) publish
    // the very same value.
    let rounded = (noisy.clamp(scale.lo, scale.hi) * 1e6).round() / 1e6;
    MeanCell { mean: Some(rounded), n: Some(published_n) }
}
