//! The perturbation table: bounded, unbiased noise for counts, looked up by (true count, cell key).
//!
//! Parameters (documented settings): the maximum absolute noise `D` (`DATATRACKER_STATS_NOISE_MAX`, default
//! 3) and the noise variance `V` (`DATATRACKER_STATS_NOISE_VARIANCE`, default 1.5). Zeros stay zeros (an
//! empty cell is published as 0: structural zeros are not disclosive, and a noisy zero would invent
//! students). For a true count `c ≥ 1` the noise takes the values `max(−c, −D) ..= D` with the maximum-entropy
//! distribution of mean 0 and variance `V` (weights `exp(a·k² + λ·k)`), so published counts are unbiased and
//! never negative; every count above `D` shares one symmetric row. The noise is chosen by the cell key (a
//! uniform 32-bit number) against the row's cumulative probabilities, so the same (count, key) always gives
//! the same noise. The table's version names its parameters: `ptable-1:D=3:V=1.5`.

use std::sync::{Arc, Mutex, OnceLock};

/// A perturbation table.
#[derive(Debug, Clone, PartialEq)]
pub struct PTable {
    /// Version and parameters, e.g. `ptable-1:D=3:V=1.5`.
    pub version: String,
    /// Maximum absolute noise.
    pub max_noise: u32,
    /// Target variance of the noise.
    pub variance: f64,
    /// Per row (true count `1..=D+1`; the last row serves every larger count): (noise, cumulative
    /// probability × 2³²), increasing.
    rows: Vec<Vec<(i64, u64)>>,
}

/// Probabilities of the noises `lo..=hi` with mean 0 and variance `v`, of the form `exp(a·k² + λ·k)`.
fn solve(lo: i64, hi: i64, v: f64) -> Vec<f64> {
    let ks: Vec<f64> = (lo..=hi).map(|k| k as f64).collect();
    let probs = |a: f64, l: f64| {
        let w: Vec<f64> = ks.iter().map(|&k| (a * k * k + l * k).exp()).collect();
        let s: f64 = w.iter().sum();
        w.into_iter().map(|x| x / s).collect::<Vec<f64>>()
    };
    let moment = |p: &[f64], f: &dyn Fn(f64) -> f64| p.iter().zip(&ks).map(|(p, &k)| p * f(k)).sum::<f64>();
    // λ making the mean 0 for a given a (the mean increases with λ).
    let centre = |a: f64| {
        let (mut lo, mut hi) = (-30.0, 30.0);
        for _ in 0..100 {
            let mid = (lo + hi) / 2.0;
            if moment(&probs(a, mid), &|k| k) > 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        (lo + hi) / 2.0
    };
    // a making the variance v (the variance increases with a).
    let (mut a_lo, mut a_hi) = (-30.0, 3.0);
    for _ in 0..100 {
        let mid = (a_lo + a_hi) / 2.0;
        let p = probs(mid, centre(mid));
        if moment(&p, &|k| k * k) > v {
            a_hi = mid;
        } else {
            a_lo = mid;
        }
    }
    let a = (a_lo + a_hi) / 2.0;
    probs(a, centre(a))
}

impl PTable {
    /// Builds the table for maximum noise `d` and variance `v` (`0 < v < d²/2`, checked by the settings).
    pub fn new(d: u32, v: f64) -> Self {
        let d_i = i64::from(d.max(1));
        let rows = (1..=d_i + 1)
            .map(|c| {
                let lo = -c.min(d_i);
                let probs = solve(lo, d_i, v);
                let mut acc = 0.0;
                let scale = (1u64 << 32) as f64;
                let mut row: Vec<(i64, u64)> = (lo..=d_i)
                    .zip(probs)
                    .map(|(k, p)| {
                        acc += p;
                        (k, (acc * scale).round() as u64)
                    })
                    .collect();
                if let Some(last) = row.last_mut() {
                    last.1 = 1u64 << 32;
                }
                row
            })
            .collect();
        PTable { version: format!("ptable-1:D={d}:V={v}"), max_noise: d, variance: v, rows }
    }

    /// A shared table for these parameters (built once per process).
    pub fn shared(d: u32, v: f64) -> Arc<PTable> {
        static CACHE: OnceLock<Mutex<Vec<Arc<PTable>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = cache.iter().find(|t| t.max_noise == d && t.variance == v) {
            return Arc::clone(t);
        }
        let t = Arc::new(PTable::new(d, v));
        cache.push(Arc::clone(&t));
        t
    }

    /// The noise for a cell of true count `count` and cell key `key` (0 for an empty cell).
    pub fn noise(&self, count: u64, key: u32) -> i64 {
        if count == 0 {
            return 0;
        }
        let row = (count.min(self.rows.len() as u64) - 1) as usize;
        let k = u64::from(key);
        self.rows[row].iter().find(|(_, cum)| k < *cum).map_or(0, |(noise, _)| *noise)
    }

    /// The published count: `count + noise`.
    pub fn perturb(&self, count: u64, key: u32) -> u64 {
        (count as i64 + self.noise(count, key)).max(0) as u64
    }

    /// The exact mean and variance of a row's noise (for tests and documentation).
    pub fn moments(&self, count: u64) -> (f64, f64) {
        let row = &self.rows[(count.clamp(1, self.rows.len() as u64) - 1) as usize];
        let scale = (1u64 << 32) as f64;
        let mut prev = 0u64;
        let (mut m, mut s) = (0.0, 0.0);
        for &(k, cum) in row {
            let p = (cum - prev) as f64 / scale;
            prev = cum;
            m += p * k as f64;
            s += p * (k * k) as f64;
        }
        (m, s - m * m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_unbiased_with_the_variance_asked_and_bounded() {
        let t = PTable::new(3, 1.5);
        assert_eq!(t.version, "ptable-1:D=3:V=1.5");
        for c in 1..=10 {
            let (m, v) = t.moments(c);
            assert!(m.abs() < 1e-6, "bias {m} at {c}");
            assert!((v - 1.5).abs() < 1e-6, "variance {v} at {c}");
        }
        for key in (0..u32::MAX).step_by(9_973) {
            for c in [1u64, 2, 3, 4, 50] {
                let n = t.noise(c, key);
                assert!(n.abs() <= 3 && c as i64 + n >= 0);
            }
        }
        assert_eq!(t.noise(0, 12345), 0, "zeros stay zeros");
    }
}
