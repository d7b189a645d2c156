//! The change feed's sequence: a gap-free number per log entry, in commit order.
//!
//! Every transaction that writes log entries takes its numbers at commit time from one counter document,
//! incremented inside the transaction ([`take`], called by [`Tx::commit`](super::Tx::commit)). Two
//! transactions that both increment the counter write-conflict, so one of them runs again after the other
//! committed: the numbers are handed out in commit order. An aborted transaction takes its increment with
//! it, so no number is ever skipped. A reader that has seen entry `n` can therefore never later find an
//! entry below `n` appear (UUIDv7 ids and timestamps do not give this: they are taken before the commit).

use std::sync::Mutex;
use std::time::Duration;

use bson::{doc, Document};
use mongodb::options::ReturnDocument;
use mongodb::{ClientSession, Database};

use super::StoreError;

/// The collection holding the counter document.
pub const COUNTERS: &str = "counters";
/// The id of the log's counter document.
pub const LOG_COUNTER: &str = "logs";
/// The key of the sequence number in a log entry and in the counter document.
pub const SEQ: &str = "seq";

/// The collections whose document count the counter document keeps (`tally.<name>`), so that the
/// `totalCount` of a whole listing need not read the whole collection: every insert and delete through a
/// [`Repo`](super::Repo) adds to it in the same update that takes the sequence numbers (no further write
/// conflict). Writes that bypass `Repo` must not touch these collections.
pub const TALLIED: &[&str] = &["datasets", "orders", "collections", "users"];
/// The key of the tallies in the counter document.
const TALLY: &str = "tally";
/// The key marking a tally as counted from the collection (until then it is not read).
const TALLY_READY: &str = "tallyReady";

/// Inside the transaction: increments the counter by `n` (and the tallies by their deltas) and returns the
/// first of the `n` numbers taken.
pub(crate) async fn take(
    db: &Database,
    session: &mut ClientSession,
    n: i64,
    tallies: &[(&str, i64)],
) -> Result<i64, StoreError> {
    let mut inc = doc! { SEQ: n };
    for (name, delta) in tallies.iter().filter(|(_, d)| *d != 0) {
        inc.insert(format!("{TALLY}.{name}"), *delta);
    }
    let updated = db
        .collection::<Document>(COUNTERS)
        .find_one_and_update(doc! { "_id": LOG_COUNTER }, doc! { "$inc": inc })
        .upsert(true)
        .return_document(ReturnDocument::After)
        .session(session)
        .await
        .map_err(super::repo::classify_tx)?;
    let last = updated.as_ref().and_then(seq_of).ok_or_else(|| StoreError::Malformed("log counter".into()))?;
    Ok(last - n + 1)
}

/// The last number handed out (0 when none), as committed.
pub async fn current(db: &Database) -> Result<i64, StoreError> {
    let d = db.collection::<Document>(COUNTERS).find_one(doc! { "_id": LOG_COUNTER }).await?;
    Ok(d.as_ref().and_then(seq_of).unwrap_or(0))
}

/// The number of documents in a tallied collection, as committed; `None` until [`count_tallies`] counted
/// it, and for a collection that is not tallied (without a round trip: every whole listing asks).
pub async fn tally(db: &Database, collection: &str) -> Result<Option<u64>, StoreError> {
    if !TALLIED.contains(&collection) {
        return Ok(None); // never counted: no need to ask the database
    }
    let d = db.collection::<Document>(COUNTERS).find_one(doc! { "_id": LOG_COUNTER }).await?;
    let Some(d) = d else { return Ok(None) };
    if !d.get_document(TALLY_READY).is_ok_and(|r| r.get_bool(collection).unwrap_or(false)) {
        return Ok(None);
    }
    let n = match d.get_document(TALLY).ok().and_then(|t| t.get(collection)) {
        Some(bson::Bson::Int64(v)) => *v,
        Some(bson::Bson::Int32(v)) => i64::from(*v),
        _ => 0,
    };
    Ok(Some(u64::try_from(n).unwrap_or(0)))
}

/// Counts each tallied collection not counted yet, in a transaction that also writes the counter document:
/// a write committed meanwhile conflicts with it and it runs again, so the tally starts exact and every
/// later insert and delete keeps it so. Run at start-up, after the migrations; idempotent.
pub async fn count_tallies(store: &super::Store) -> Result<(), StoreError> {
    for name in TALLIED {
        let counters = store.db().collection::<Document>(COUNTERS);
        let ready =
            counters.find_one(doc! { "_id": LOG_COUNTER, format!("{TALLY_READY}.{name}"): true }).await?.is_some();
        if ready {
            continue;
        }
        store
            .transaction(|mut tx| {
                let counters = counters.clone();
                let coll = store.db().collection::<Document>(name);
                async move {
                    let n =
                        coll.count_documents(doc! {}).session(tx.session()).await.map_err(super::repo::classify_tx)?;
                    let set = doc! { format!("{TALLY}.{name}"): n as i64, format!("{TALLY_READY}.{name}"): true };
                    counters
                        .update_one(doc! { "_id": LOG_COUNTER }, doc! { "$set": set })
                        .upsert(true)
                        .session(tx.session())
                        .await
                        .map_err(super::repo::classify_tx)?;
                    tx.commit().await
                }
            })
            .await?;
    }
    Ok(())
}

/// The `seq` of a document (int or long).
pub fn seq_of(d: &Document) -> Option<i64> {
    match d.get(SEQ)? {
        bson::Bson::Int64(v) => Some(*v),
        bson::Bson::Int32(v) => Some(i64::from(*v)),
        _ => None,
    }
}

/// Hooks of a store (shared by its clones): the commit signal the change feed's poller waits on, and a
/// test hook. Not reachable from requests.
#[derive(Debug, Default)]
pub struct Hooks {
    pause: Mutex<Option<(Duration, Duration)>>,
    commit: tokio::sync::Notify,
    lane: tokio::sync::Mutex<()>,
    unnumbered: std::sync::atomic::AtomicBool,
}

impl Hooks {
    /// Makes every commit that took sequence numbers wait a random time in `[min, max]` between taking its
    /// numbers and committing (`None` turns it off). For the visibility-gap test.
    pub fn set_commit_pause(&self, range: Option<(Duration, Duration)>) {
        if let Ok(mut p) = self.pause.lock() {
            *p = range;
        }
    }

    /// Resolves after the next commit on this instance that wrote log entries.
    pub fn committed(&self) -> tokio::sync::futures::Notified<'_> {
        self.commit.notified()
    }

    /// Signals a commit that wrote log entries.
    pub(crate) fn notify_commit(&self) {
        self.commit.notify_one();
    }

    /// The write lane: the write transactions of this process ([`super::Store::transaction`]) run one at
    /// a time. Every transaction that logs increments the counter document, and a transaction conflicts
    /// when that document was committed by another after its snapshot began (at its first operation), so
    /// writers of one process that overlap would mostly conflict and run again — under load a retry storm
    /// (the soak saw write p99 in seconds when only the numbering and commit were serialised). Writers of
    /// other instances still conflict and are retried with backoff.
    pub(crate) async fn lane(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.lane.lock().await
    }

    /// For the benchmark's comparison only (not reachable from requests or configuration): log entries are
    /// written without sequence numbers and the counter is not touched, as before the change feed existed
    /// (so the tallies miss those writes too: totals of that database are wrong afterwards).
    pub fn set_unnumbered(&self, on: bool) {
        self.unnumbered.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn unnumbered(&self) -> bool {
        self.unnumbered.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The pause to make now, if any.
    pub(crate) fn commit_pause(&self) -> Option<Duration> {
        use rand::Rng;
        let (min, max) = (*self.pause.lock().ok()?)?;
        let (lo, hi) = (min.as_micros() as u64, max.as_micros().max(min.as_micros()) as u64);
        Some(Duration::from_micros(rand::thread_rng().gen_range(lo..=hi)))
    }
}

/// Backfills `seq` into log entries without one, in (timestamp, id) order, continuing the counter; run by
/// migration 0008 under the migration lock. Idempotent: entries that have a number keep it.
pub(crate) async fn backfill(db: &Database) -> Result<u64, StoreError> {
    use futures::TryStreamExt;
    let logs = db.collection::<Document>("logs");
    let missing: Vec<Document> = logs
        .find(doc! { SEQ: { "$exists": false } })
        .projection(doc! { "_id": 1, "timestamp": 1 })
        .sort(doc! { "timestamp": 1, "_id": 1 })
        .await?
        .try_collect()
        .await?;
    if missing.is_empty() {
        ensure_counter(db).await?;
        return Ok(0);
    }
    let start = highest(db).await?.max(current(db).await?);
    let mut next = start;
    for d in &missing {
        next += 1;
        let id = d.get("_id").cloned().unwrap_or(bson::Bson::Null);
        logs.update_one(doc! { "_id": id }, doc! { "$set": { SEQ: next } }).await?;
    }
    db.collection::<Document>(COUNTERS)
        .update_one(doc! { "_id": LOG_COUNTER }, doc! { "$max": { SEQ: next } })
        .upsert(true)
        .await?;
    Ok(missing.len() as u64)
}

async fn ensure_counter(db: &Database) -> Result<(), StoreError> {
    let top = highest(db).await?;
    db.collection::<Document>(COUNTERS)
        .update_one(doc! { "_id": LOG_COUNTER }, doc! { "$max": { SEQ: top } })
        .upsert(true)
        .await?;
    Ok(())
}

/// The highest `seq` stored in the log (0 when none).
async fn highest(db: &Database) -> Result<i64, StoreError> {
    let top = db
        .collection::<Document>("logs")
        .find_one(doc! { SEQ: { "$exists": true } })
        .sort(doc! { SEQ: -1 })
        .projection(doc! { SEQ: 1 })
        .await?;
    Ok(top.as_ref().and_then(seq_of).unwrap_or(0))
}
