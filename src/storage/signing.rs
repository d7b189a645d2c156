//! Signed download URLs for the local directory store: HMAC-SHA256 over the method, file id, object key,
//! absolute expiry and viewer, checked in constant time (`Mac::verify_slice`). The URL is
//! `{base}files/download/{key}?file={id}&expires={unix seconds}&viewer={user id or "anonymous"}&sig={hex}`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a signed URL grants: one viewer reading one object of one file entry until `expires`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlClaim {
    /// The file entry's id.
    pub file: String,
    /// The object key.
    pub key: String,
    /// Expiry, Unix seconds.
    pub expires: i64,
    /// The viewer's user id, or `anonymous`.
    pub viewer: String,
}

impl UrlClaim {
    fn message(&self) -> String {
        // Keys, ids and viewers never contain a newline (keys refuse control characters).
        format!("GET\n{}\n{}\n{}\n{}", self.file, self.key, self.expires, self.viewer)
    }
}

/// Signs and verifies download URLs with a key derived from the service's secret.
#[derive(Clone)]
pub struct UrlSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UrlSigner([redacted])")
    }
}

fn mac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length.
    match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

impl UrlSigner {
    /// The signer whose key is HMAC-SHA256(secret, "datatracker file download urls v1") (so the session
    /// signing key is never used directly for URLs).
    pub fn new(secret: &str) -> Self {
        let mut m = mac(secret.as_bytes());
        m.update(b"datatracker file download urls v1");
        Self { key: m.finalize().into_bytes().into() }
    }

    /// The hex signature of `claim`.
    pub fn sign(&self, claim: &UrlClaim) -> String {
        let mut m = mac(&self.key);
        m.update(claim.message().as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// Whether `sig` (hex) is the signature of `claim`, compared in constant time.
    pub fn verify(&self, claim: &UrlClaim, sig: &str) -> bool {
        let Ok(raw) = hex::decode(sig) else { return false };
        let mut m = mac(&self.key);
        m.update(claim.message().as_bytes());
        m.verify_slice(&raw).is_ok()
    }
}

/// Percent-encodes a key for a URL path, keeping `/` between segments.
pub fn encode_key(key: &str) -> String {
    key.split('/').map(super::percent_encode).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> UrlClaim {
        UrlClaim { file: "f".into(), key: "a/b.csv".into(), expires: 100, viewer: "u".into() }
    }

    #[test]
    fn a_signature_covers_every_part_of_the_claim() {
        let s = UrlSigner::new("secret-secret-secret-secret-secret");
        let sig = s.sign(&claim());
        assert!(s.verify(&claim(), &sig));
        for other in [
            UrlClaim { file: "g".into(), ..claim() },
            UrlClaim { key: "a/c.csv".into(), ..claim() },
            UrlClaim { expires: 101, ..claim() },
            UrlClaim { viewer: "v".into(), ..claim() },
        ] {
            assert!(!s.verify(&other, &sig), "{other:?}");
        }
        assert!(!s.verify(&claim(), "zz"));
        assert!(!UrlSigner::new("another-secret-another-secret-xx").verify(&claim(), &sig));
    }
}
