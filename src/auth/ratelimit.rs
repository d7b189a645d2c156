//! Limits on failed authentication attempts, shared by every instance through MongoDB.
//!
//! Failures are counted per (client address, user) pair and, with a higher limit, per client address —
//! never per claimed user alone, so that nobody can lock a user out by failing in their name. Counts live in `auth_failures`, one
//! document per key and fixed window (`<key>@<window number>`), removed by a TTL index once they no longer
//! matter. A key is blocked when its failures in the current and the previous window together reach its
//! limit; so a blocked key waits until the window after its last failures has passed (at most two windows).
//!
//! Reads are cached per process for at most [`CACHE_TTL`] (so a block reaches every instance within that
//! time) in a map of at most [`CACHE_MAX`] entries; a failure recorded here refreshes the local view at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bson::{doc, Document};
use futures::TryStreamExt;
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// How long a count read from MongoDB is used before it is read again.
pub const CACHE_TTL: Duration = Duration::from_secs(1);
/// Most cached counts per process.
pub const CACHE_MAX: usize = 10_000;

/// The limiter keys of one attempt: the client address, and the pair of address and user. `user` is the
/// canonical user id when the reference names a user, or the reference itself otherwise.
pub fn keys_for(client: Option<std::net::IpAddr>, user: &str) -> Vec<String> {
    let addr = client.map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".to_owned());
    let user_digest = hex::encode(&Sha256::digest(user.as_bytes())[..16]);
    vec![format!("addr:{addr}"), format!("pair:{addr}:{user_digest}")]
}

/// Counts failures per key, in MongoDB.
#[derive(Debug)]
pub struct RateLimiter {
    max_failures: u32,
    max_per_address: u32,
    window: Duration,
    store: Store,
    cache: Mutex<HashMap<String, (Instant, f64, f64)>>,
}

impl RateLimiter {
    /// A limiter allowing `max_failures` per pair and `max_per_address` per address in `window`, counting
    /// in `store`.
    pub fn new(max_failures: u32, max_per_address: u32, window: Duration, store: Store) -> Self {
        Self { max_failures, max_per_address, window, store, cache: Mutex::new(HashMap::new()) }
    }

    fn limit_of(&self, key: &str) -> f64 {
        f64::from(if key.starts_with("addr:") { self.max_per_address } else { self.max_failures })
    }

    fn collection(&self) -> mongodb::Collection<Document> {
        self.store.db().collection("auth_failures")
    }

    /// The current window number and how far into it we are (0..1).
    fn position(&self) -> (i64, f64) {
        let window_ms = self.window.as_millis().max(1) as i64;
        let now = chrono::Utc::now().timestamp_millis();
        (now.div_euclid(window_ms), now.rem_euclid(window_ms) as f64 / window_ms as f64)
    }

    fn seconds_left(&self, into: f64) -> u64 {
        ((1.0 - into) * self.window.as_secs_f64()).ceil().max(1.0) as u64
    }

    /// Seconds to wait when any of `keys` is blocked.
    pub async fn blocked(&self, keys: &[String]) -> Result<Option<u64>, StoreError> {
        let (window, into) = self.position();
        let mut counts: Vec<(f64, f64, f64)> = Vec::with_capacity(keys.len());
        let mut missing: Vec<&String> = Vec::new();
        {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            for key in keys {
                match cache.get(key) {
                    Some((at, count, current)) if at.elapsed() < CACHE_TTL => {
                        counts.push((*count, *current, self.limit_of(key)))
                    }
                    _ => missing.push(key),
                }
            }
        }
        if !missing.is_empty() {
            let ids: Vec<String> =
                missing.iter().flat_map(|k| [format!("{k}@{window}"), format!("{k}@{}", window - 1)]).collect();
            let docs: Vec<Document> =
                self.collection().find(doc! { "_id": { "$in": &ids } }).await?.try_collect().await?;
            let count_of = |id: &str| {
                docs.iter()
                    .find(|d| d.get_str("_id").ok() == Some(id))
                    .and_then(|d| d.get("count"))
                    .and_then(|c| c.as_i64().or_else(|| c.as_i32().map(i64::from)))
                    .unwrap_or(0) as f64
            };
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() + missing.len() > CACHE_MAX {
                cache.retain(|_, (at, _, _)| at.elapsed() < CACHE_TTL);
                if cache.len() + missing.len() > CACHE_MAX {
                    cache.clear();
                }
            }
            for key in missing {
                let current = count_of(&format!("{key}@{window}"));
                let effective = current + count_of(&format!("{key}@{}", window - 1));
                cache.insert(key.clone(), (Instant::now(), effective, current));
                counts.push((effective, current, self.limit_of(key)));
            }
        }
        let wait = counts
            .iter()
            .filter(|(count, _, limit)| count >= limit)
            .map(|(_, current, limit)| {
                // Failures of the current window still count during the next one.
                let next = if current >= limit { self.window.as_secs() } else { 0 };
                self.seconds_left(into) + next
            })
            .max();
        Ok(wait)
    }

    /// Records a failure against every key.
    pub async fn record_failure(&self, keys: &[String]) -> Result<(), StoreError> {
        let (window, _) = self.position();
        let window_ms = self.window.as_millis() as i64;
        // Kept until the window after this one has passed: then it no longer counts.
        let expires = bson::DateTime::from_millis((window + 2).saturating_mul(window_ms));
        for key in keys {
            self.collection()
                .update_one(
                    doc! { "_id": format!("{key}@{window}") },
                    doc! { "$inc": { "count": 1_i64 }, "$setOnInsert": { "expiresAt": expires } },
                )
                .upsert(true)
                .await?;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            cache.remove(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_user_gives_the_same_pair_key_and_addresses_differ() {
        let a = keys_for(Some([10, 0, 0, 1].into()), "0190c0de-0000-7000-8000-000000000001");
        let b = keys_for(Some([10, 0, 0, 1].into()), "0190c0de-0000-7000-8000-000000000001");
        let c = keys_for(Some([10, 0, 0, 2].into()), "0190c0de-0000-7000-8000-000000000001");
        assert_eq!(a, b);
        assert_ne!(a[1], c[1]);
        assert!(a[1].len() < 100, "bounded key length");
    }
}
