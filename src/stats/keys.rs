//! Record keys and cell keys for cell-key perturbation.
//!
//! Every student gets two 32-bit *record keys* derived from the server's statistics secret: the first 4 bytes
//! of HMAC-SHA256(secret, domain ‖ uid), with one domain for counts and an independent one for sums. A
//! *cell key* is the sum, modulo 2³², of the record keys of the students in the cell, so it depends only on
//! which students are in the cell — not on how the query was worded — and, without the secret, it is
//! uniformly distributed and unpredictable.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HMAC domain of the count record keys.
const COUNT_DOMAIN: &[u8] = b"datatracker/stats/count-key/v1\0";
/// HMAC domain of the sum record keys (independent of the count keys).
const SUM_DOMAIN: &[u8] = b"datatracker/stats/sum-key/v1\0";

/// The statistics secret: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct StatsSecret(Vec<u8>);

impl StatsSecret {
    /// Wraps the secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        StatsSecret(bytes.into())
    }

    /// Whether no secret is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for StatsSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StatsSecret([redacted])")
    }
}

/// Per-student record keys, indexed by the frame's dense student number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordKeys {
    /// Keys of the count domain.
    pub count: Vec<u32>,
    /// Keys of the sum domain.
    pub sum: Vec<u32>,
}

impl RecordKeys {
    /// Derives both keys of every student (`uids` in dense student order).
    pub fn derive(secret: &StatsSecret, uids: &[String]) -> Self {
        let base = HmacSha256::new_from_slice(&secret.0).ok();
        let key = |domain: &[u8], uid: &str| -> u32 {
            let Some(base) = base.as_ref() else { return 0 };
            let mut mac = base.clone();
            mac.update(domain);
            mac.update(uid.as_bytes());
            let out = mac.finalize().into_bytes();
            u32::from_le_bytes([out[0], out[1], out[2], out[3]])
        };
        RecordKeys {
            count: uids.iter().map(|u| key(COUNT_DOMAIN, u)).collect(),
            sum: uids.iter().map(|u| key(SUM_DOMAIN, u)).collect(),
        }
    }

    /// Number of students with keys.
    pub fn len(&self) -> usize {
        self.count.len()
    }

    /// Whether no keys are held.
    pub fn is_empty(&self) -> bool {
        self.count.is_empty()
    }
}

/// A 64-bit mixing function (splitmix64's finaliser): turns a cell key and a tag into well-spread bits.
pub fn mix(key: u32, tag: u64) -> u64 {
    let mut z = (u64::from(key) << 32 | u64::from(key)) ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit tag of a text (FNV-1a), e.g. to give each measure its own noise stream.
pub fn tag(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_the_secret_and_the_domain() {
        let uids: Vec<String> = (0..100).map(|i| format!("s{i}")).collect();
        let a = RecordKeys::derive(&StatsSecret::new("one"), &uids);
        let b = RecordKeys::derive(&StatsSecret::new("two"), &uids);
        assert_eq!(a, RecordKeys::derive(&StatsSecret::new("one"), &uids), "stable");
        assert_ne!(a.count, b.count);
        assert_ne!(a.count, a.sum, "independent domains");
        assert!(!format!("{:?}", StatsSecret::new("one")).contains("one"));
    }
}
