//! In-memory limits on failed authentication attempts, per user reference and per client address.
//!
//! A key that reaches `max_failures` within `window` is blocked until the window of its first counted
//! failure ends. State is per process: several instances each keep their own counts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failures per key (`user:<ref>` or `addr:<ip>`).
#[derive(Debug)]
pub struct RateLimiter {
    max_failures: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `max_failures` per `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures, window, entries: Mutex::new(HashMap::new()) }
    }

    /// Seconds to wait when any of `keys` is blocked.
    pub fn blocked(&self, keys: &[String]) -> Option<u64> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|k| entries.get(k))
            .filter(|(start, count)| *count >= self.max_failures && now.duration_since(*start) < self.window)
            .map(|(start, _)| (self.window - now.duration_since(*start)).as_secs().max(1))
            .max()
    }

    /// Records a failure against every key.
    pub fn record_failure(&self, keys: &[String]) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 100_000 {
            let window = self.window;
            entries.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 = entry.1.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_blocked_after_the_allowed_failures() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let keys = vec!["user:a".to_owned(), "addr:1".to_owned()];
        assert_eq!(limiter.blocked(&keys), None);
        limiter.record_failure(&keys);
        assert_eq!(limiter.blocked(&keys), None);
        limiter.record_failure(&keys);
        assert!(limiter.blocked(&["addr:1".to_owned()]).is_some_and(|s| s <= 60));
        assert_eq!(limiter.blocked(&["user:b".to_owned()]), None);
    }
}
