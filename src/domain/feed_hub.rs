//! One poller per process feeds every live subscriber of the change feed.
//!
//! While anyone is subscribed, a single task reads the log after the last number it published (woken at
//! once by a commit on this instance, otherwise every [`POLL_INTERVAL`] for commits of other instances) and
//! sends each batch — contiguous in sequence order — to a `tokio::sync::broadcast` channel of bounded
//! capacity. Each subscriber renders the entries for its own reader. A subscriber that falls more than the
//! channel's capacity behind is told it lagged and is closed; it resumes from its last cursor. So the
//! memory a slow consumer can hold is the channel's, never more, and the database sees one poller per
//! process, not one cursor per subscriber.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use super::log_view::{LogView, Mode, Reader};
use super::model::{DataType, LogEntry};
use super::{DomainError, Principal, Tracker};

/// How often the poller looks for commits of other instances while someone is subscribed.
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Batches the channel holds before a subscriber that has not taken them is told it lagged. With at most
/// [`POLL_BATCH`] entries a batch, the hub never holds more than 25,600 entries, however slow a subscriber.
pub const DEFAULT_CAPACITY: usize = 128;
/// Most entries the poller publishes in one batch.
pub const POLL_BATCH: usize = 200;
/// How often a live subscription re-checks its credential (and its reader's dataset access).
pub const DEFAULT_RECHECK: Duration = Duration::from_secs(30);
/// Entries read per round trip while replaying.
const REPLAY_PAGE: usize = 1000;

/// A batch of committed entries, contiguous in sequence order.
pub type Batch = Arc<Vec<LogEntry>>;

/// The process's feed hub (cheap to clone).
#[derive(Clone, Debug)]
pub struct FeedHub {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tracker: Tracker,
    sender: RwLock<broadcast::Sender<Batch>>,
    running: AtomicBool,
    recheck_ms: AtomicU64,
}

impl FeedHub {
    /// A hub over the tracker's log; the poller starts with the first subscriber.
    pub fn new(tracker: Tracker) -> Self {
        let (sender, _) = broadcast::channel(DEFAULT_CAPACITY);
        Self {
            inner: Arc::new(Inner {
                tracker,
                sender: RwLock::new(sender),
                running: AtomicBool::new(false),
                recheck_ms: AtomicU64::new(DEFAULT_RECHECK.as_millis() as u64),
            }),
        }
    }

    /// Replaces the channel by one of `capacity` batches (for tests of slow consumers; existing
    /// subscribers keep the old channel until they end).
    pub fn set_capacity(&self, capacity: usize) {
        let (sender, _) = broadcast::channel(capacity.max(1));
        if let Ok(mut s) = self.inner.sender.write() {
            *s = sender;
        }
    }

    /// How often live subscriptions re-check their credential.
    pub fn recheck_interval(&self) -> Duration {
        Duration::from_millis(self.inner.recheck_ms.load(Ordering::Relaxed))
    }

    /// Sets how often live subscriptions re-check their credential (default 30 s; tests use less).
    pub fn set_recheck_interval(&self, every: Duration) {
        self.inner.recheck_ms.store(every.as_millis().max(1) as u64, Ordering::Relaxed);
    }

    /// A receiver of every batch committed from now on; starts the poller if it is not running.
    pub fn subscribe(&self) -> broadcast::Receiver<Batch> {
        let rx = match self.inner.sender.read() {
            Ok(s) => s.subscribe(),
            Err(poisoned) => poisoned.into_inner().subscribe(),
        };
        if !self.inner.running.swap(true, Ordering::AcqRel) {
            tokio::spawn(self.clone().poll());
        }
        rx
    }

    fn sender(&self) -> Option<broadcast::Sender<Batch>> {
        self.inner.sender.read().ok().map(|s| s.clone())
    }

    /// The poller: runs while anyone is subscribed.
    async fn poll(self) {
        let store = self.inner.tracker.store().clone();
        let mut last: Option<i64> = None;
        loop {
            let Some(sender) = self.sender() else { break };
            if sender.receiver_count() == 0 {
                // Nobody listens: stop; the next subscriber starts a new poller.
                self.inner.running.store(false, Ordering::Release);
                if sender.receiver_count() == 0 || self.inner.running.swap(true, Ordering::AcqRel) {
                    break;
                }
            }
            let from = match last {
                Some(l) => l,
                None => match crate::store::sequence::current(store.db()).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "change feed poller cannot read the counter");
                        tokio::time::sleep(POLL_INTERVAL * 10).await;
                        continue;
                    }
                },
            };
            match self.inner.tracker.entries_after(from, POLL_BATCH, &[]).await {
                Ok(entries) if !entries.is_empty() => {
                    last = entries.last().map(|e| e.seq);
                    let full = entries.len() == POLL_BATCH;
                    let _ = sender.send(Arc::new(entries));
                    if full {
                        continue;
                    }
                }
                Ok(_) => last = Some(from),
                Err(e) => tracing::warn!(error = %e, "change feed poller cannot read the log"),
            }
            tokio::select! {
                _ = store.hooks().committed() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    }
}

/// Why a live subscription ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEnd {
    /// The subscriber fell behind by more than the channel holds; resume from the last cursor.
    Lagged,
    /// Entries could not be rendered (the database failed); resume from the last cursor.
    Failed,
}

/// The state of one subscription: replay from the cursor, then live batches, in sequence order, each
/// entry rendered for the reader exactly once.
pub struct Subscription {
    tracker: Tracker,
    rx: broadcast::Receiver<Batch>,
    reader: Reader,
    reader_at: Instant,
    recheck: Duration,
    cursor: i64,
    types: Vec<DataType>,
    queue: VecDeque<LogView>,
    replaying: bool,
    ended: bool,
}

impl Subscription {
    /// Subscribes (live batches are kept from now on), then replays from `after`.
    pub async fn start(hub: &FeedHub, p: &Principal, after: i64, types: Vec<DataType>) -> Result<Self, DomainError> {
        let tracker = hub.inner.tracker.clone();
        let rx = hub.subscribe();
        let newest = crate::store::sequence::current(tracker.store().db()).await?;
        if after > newest {
            return Err(DomainError::invalid("after", "not a cursor of the change feed"));
        }
        let reader = tracker.log_reader(p).await?;
        Ok(Self {
            tracker,
            rx,
            reader,
            reader_at: Instant::now(),
            recheck: hub.recheck_interval(),
            cursor: after,
            types,
            queue: VecDeque::new(),
            replaying: true,
            ended: false,
        })
    }

    /// The next entry the reader may see; `Err` once when the subscriber lagged; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<LogView, StreamEnd>> {
        loop {
            if let Some(v) = self.queue.pop_front() {
                return Some(Ok(v));
            }
            if self.ended {
                return None;
            }
            let batch = if self.replaying {
                match self.tracker.entries_after(self.cursor, REPLAY_PAGE, &[]).await {
                    Ok(entries) => {
                        self.replaying = entries.len() == REPLAY_PAGE;
                        entries
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "change feed subscription cannot read the log");
                        tokio::time::sleep(POLL_INTERVAL * 10).await;
                        continue;
                    }
                }
            } else {
                match self.rx.recv().await {
                    Ok(batch) => {
                        let fresh: Vec<LogEntry> = batch.iter().filter(|e| e.seq > self.cursor).cloned().collect();
                        if fresh.first().is_some_and(|e| e.seq > self.cursor + 1) {
                            // Entries between the replay and the first live batch: read them from the log.
                            self.replaying = true;
                            continue;
                        }
                        fresh
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.ended = true;
                        return Some(Err(StreamEnd::Lagged));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            };
            let Some(last) = batch.last().map(|e| e.seq) else { continue };
            self.cursor = last;
            self.refresh_reader().await;
            let wanted: Vec<LogEntry> =
                batch.into_iter().filter(|e| self.types.is_empty() || self.types.contains(&e.data_type)).collect();
            match self.tracker.render_log(&self.reader, wanted, Mode::Feed).await {
                Ok(views) => self.queue.extend(views),
                Err(e) => {
                    // Never skip entries: end here, after what was delivered; the client resumes.
                    tracing::warn!(error = %e, "change feed subscription cannot render entries");
                    self.ended = true;
                    return Some(Err(StreamEnd::Failed));
                }
            }
        }
    }

    /// Recomputes the reader's dataset access (the orders they edit change) now and then.
    async fn refresh_reader(&mut self) {
        if self.reader_at.elapsed() < self.recheck.min(Duration::from_secs(5)) {
            return;
        }
        if let Ok(r) = self.tracker.log_reader(&self.reader.principal).await {
            self.reader = r;
            self.reader_at = Instant::now();
        }
    }
}
