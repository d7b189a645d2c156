//! Transactions retried as the driver's transaction API intends: the whole body again on a
//! `TransientTransactionError`, the commit again on an `UnknownTransactionCommitResult`.
//!
//! A write conflict between two transactions says nothing about the requests that started them, so it is
//! never answered with `CONFLICT`: the loser runs again against the winner's writes (where a real conflict,
//! such as a stale version or a duplicate, is then found and reported).

use std::future::Future;
use std::time::{Duration, Instant};

use rand::Rng;

use super::{Store, StoreError, Tx};

/// How long a transaction is retried before the transient error is given up on.
pub const RETRY_BUDGET: Duration = Duration::from_secs(10);
/// How many times a commit with an unknown outcome is sent.
pub const MAX_COMMIT_ATTEMPTS: u32 = 5;
/// MongoDB's `WriteConflict` error code.
const WRITE_CONFLICT: i32 = 112;
/// MongoDB's `NoSuchTransaction` error code (the server aborted the transaction).
const NO_SUCH_TRANSACTION: i32 = 251;

/// An error that knows whether running the transaction again may succeed.
pub trait Transient {
    /// Whether the error is a transient transaction error.
    fn is_transient(&self) -> bool;
}

impl Transient for StoreError {
    fn is_transient(&self) -> bool {
        matches!(self, StoreError::Transient(_))
    }
}

/// Whether a driver error inside a transaction is transient: labelled so by the server or the driver, or a
/// write conflict / aborted transaction reported without the label (as some MongoDB-wire servers do).
pub fn is_transient(err: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    if err.contains_label(mongodb::error::TRANSIENT_TRANSACTION_ERROR) {
        return true;
    }
    let code = match err.kind.as_ref() {
        ErrorKind::Command(c) => Some(c.code),
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        _ => None,
    };
    matches!(code, Some(WRITE_CONFLICT | NO_SUCH_TRANSACTION))
}

impl Store {
    /// Runs `body` in a fresh transaction until it succeeds, fails with a non-transient error, or the retry
    /// budget is spent. `body` gets the transaction and must commit it; an uncommitted transaction is aborted
    /// when dropped. The body may run several times, so it must not have effects outside the transaction.
    pub async fn transaction<T, E, F, Fut>(&self, mut body: F) -> Result<T, E>
    where
        F: FnMut(Tx) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<StoreError> + Transient,
    {
        let started = Instant::now();
        let mut delay = Duration::from_millis(2);
        let mut attempt: u32 = 1;
        loop {
            // One write transaction of this process at a time (see `Hooks::lane`); the wait before a
            // retry is outside the lane.
            let hooks = self.hooks().clone();
            let lane = if hooks.unnumbered() { None } else { Some(hooks.lane().await) };
            let tx = self.begin().await?;
            let outcome = body(tx).await;
            drop(lane);
            match outcome {
                Err(e) if e.is_transient() && started.elapsed() < RETRY_BUDGET => {
                    tracing::debug!(attempt, "transient transaction error; running the transaction again");
                    let jitter = rand::thread_rng().gen_range(0..=delay.as_millis() as u64);
                    tokio::time::sleep(delay + Duration::from_millis(jitter)).await;
                    delay = (delay * 2).min(Duration::from_millis(100));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}
