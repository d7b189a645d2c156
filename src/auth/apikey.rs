//! API keys for scripts: 48 random bytes (hex) from the OS CSPRNG, stored only as a salted SHA-512 hash
//! with an 8-byte random salt, compared in constant time.

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

use crate::domain::model::ApiKeyHash;

/// A fresh key: 48 random bytes as 96 hex characters.
pub fn generate_key() -> String {
    let mut bytes = [0u8; 48];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn digest(salt: &[u8], key: &str) -> Vec<u8> {
    let mut h = Sha512::new();
    h.update(salt);
    h.update(key.as_bytes());
    h.finalize().to_vec()
}

/// The stored form of `key`, with a new random salt.
pub fn hash_key(key: &str) -> ApiKeyHash {
    let mut salt = [0u8; 8];
    OsRng.fill_bytes(&mut salt);
    ApiKeyHash { hash: hex::encode(digest(&salt, key)), salt: hex::encode(salt), created_at: bson::DateTime::now() }
}

/// Whether `key` matches the stored hash (constant time in the key's content).
pub fn verify(key: &str, stored: &ApiKeyHash) -> bool {
    let (Ok(salt), Ok(expected)) = (hex::decode(&stored.salt), hex::decode(&stored.hash)) else {
        return false;
    };
    digest(&salt, key).ct_eq(&expected).into()
}

/// A short fingerprint of a user's current key (from its stored hash), carried by sessions the key started
/// so that a new key ends them. `None` without a key.
pub fn fingerprint(user: &crate::domain::model::User) -> Option<String> {
    use sha2::Sha256;
    user.api_key.as_ref().map(|k| hex::encode(&Sha256::digest(k.hash.as_bytes())[..12]))
}

/// A digest compared against when the user is unknown or has no key, so that every failure costs the same.
pub fn dummy_hash() -> ApiKeyHash {
    ApiKeyHash { hash: "00".repeat(64), salt: "00".repeat(8), created_at: bson::DateTime::from_millis(0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_verifies_against_its_own_hash_only() {
        let key = generate_key();
        assert_eq!(key.len(), 96);
        let stored = hash_key(&key);
        assert!(verify(&key, &stored));
        assert!(!verify(&generate_key(), &stored));
        assert!(!verify(&key, &hash_key(&generate_key())));
    }

    #[test]
    fn the_same_key_hashes_differently_with_different_salts() {
        let key = generate_key();
        assert_ne!(hash_key(&key).hash, hash_key(&key).hash);
    }
}
