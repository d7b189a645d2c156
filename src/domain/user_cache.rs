//! A per-process cache of users by the credential that authenticated them, so that the API-key and session
//! paths need no database round trip on every request.
//!
//! Entries live at most [`TTL`] (one second): a revoked key or session, a deleted user or a changed
//! permission is seen by every instance within that time, and at once by the instance that made the change
//! (the tracker forgets a user whenever it writes or deletes them). Keys are SHA-256 digests of the
//! credential (never the credential itself); the map holds at most [`MAX_ENTRIES`] entries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::domain::model::User;

/// Longest time an entry is used.
pub const TTL: Duration = Duration::from_secs(1);
/// Most entries.
pub const MAX_ENTRIES: usize = 10_000;

/// The cache key of a credential: a digest of its kind and parts.
pub fn key(kind: &str, parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    for part in parts {
        h.update([0u8]);
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// Recently authenticated users by credential digest.
#[derive(Debug, Default)]
pub struct UserCache {
    entries: Mutex<HashMap<[u8; 32], (Instant, User)>>,
}

impl UserCache {
    /// The user authenticated by `key` less than [`TTL`] ago.
    pub fn get(&self, key: &[u8; 32]) -> Option<User> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).filter(|(at, _)| at.elapsed() < TTL).map(|(_, u)| u.clone())
    }

    /// Remembers that `key` authenticated `user` now.
    pub fn put(&self, key: [u8; 32], user: User) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), user));
    }

    /// Forgets the entry of one credential (a session that was logged out).
    pub fn forget(&self, key: &[u8; 32]) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }

    /// Forgets every entry of user `id` (after any change to the user on this instance).
    pub fn forget_user(&self, id: bson::Uuid) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (_, u)| u.id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_depends_on_every_part_and_their_boundaries() {
        assert_ne!(key("k", &["ab", "c"]), key("k", &["a", "bc"]));
        assert_ne!(key("k", &["a"]), key("s", &["a"]));
        assert_eq!(key("k", &["a", "b"]), key("k", &["a", "b"]));
    }
}
