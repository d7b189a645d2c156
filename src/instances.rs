//! Several instances of the service behind one database.
//!
//! Each instance has a random id for its lifetime and records its statistics frame's state in
//! `stats_instances` (a heartbeat every few seconds; a TTL index removes instances that stopped). A reload
//! asked of any instance bumps a generation counter in `stats_control`; one poller per process reads it
//! every [`POLL`] and reloads its own frame when the generation moved, so every instance serves the new
//! frame within a few seconds. Nothing here reads the frame's data: only its status.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Document};
use chrono::{DateTime, Utc};
use mongodb::options::ReturnDocument;

use crate::stats::{StatsService, StatsStatus};
use crate::store::{Store, StoreError};

/// How often an instance looks for a reload asked elsewhere.
pub const POLL: Duration = Duration::from_secs(1);
/// How often an instance refreshes its status document.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// An instance whose heartbeat is older than this is no longer listed.
pub const STALE: Duration = Duration::from_secs(30);

const INSTANCES: &str = "stats_instances";
const CONTROL: &str = "stats_control";
const RELOAD_DOC: &str = "reload";

/// One instance's statistics frame, as it last reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceStatus {
    /// The instance's id (random per process).
    pub id: String,
    /// When it last reported.
    pub heartbeat_at: DateTime<Utc>,
    /// The reload generation its frame follows.
    pub generation: i64,
    /// Its frame's status.
    pub status: StatsStatus,
}

/// This process's membership in the set of instances sharing the database.
pub struct Instances {
    store: Store,
    stats: Arc<StatsService>,
    id: String,
    seen: AtomicI64,
}

impl Instances {
    /// This process as an instance (a fresh random id).
    pub fn new(store: Store, stats: Arc<StatsService>) -> Self {
        Instances { store, stats, id: uuid::Uuid::new_v4().simple().to_string(), seen: AtomicI64::new(0) }
    }

    /// This instance's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn instances(&self) -> mongodb::Collection<Document> {
        self.store.db().collection(INSTANCES)
    }

    fn control(&self) -> mongodb::Collection<Document> {
        self.store.db().collection(CONTROL)
    }

    /// The current reload generation (0 before the first reload was ever asked).
    pub async fn generation(&self) -> Result<i64, StoreError> {
        let found = self.control().find_one(doc! { "_id": RELOAD_DOC }).await.map_err(StoreError::classify)?;
        Ok(found.and_then(|d| d.get_i64("generation").ok()).unwrap_or(0))
    }

    /// Takes the current generation as already followed (at start-up, when the frame was just loaded).
    pub async fn join(&self) -> Result<(), StoreError> {
        self.seen.store(self.generation().await?, Ordering::SeqCst);
        self.publish().await
    }

    /// Asks every instance to reload (this one has just reloaded itself): bumps the generation and
    /// records this instance as following it.
    pub async fn request_reload(&self) -> Result<i64, StoreError> {
        let updated = self
            .control()
            .find_one_and_update(
                doc! { "_id": RELOAD_DOC },
                doc! { "$inc": { "generation": 1_i64 }, "$set": { "requestedAt": bson::DateTime::now() } },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(StoreError::classify)?;
        let generation = updated.and_then(|d| d.get_i64("generation").ok()).unwrap_or(0);
        self.seen.fetch_max(generation, Ordering::SeqCst);
        self.publish().await?;
        Ok(generation)
    }

    /// Writes this instance's status document (upsert) with a fresh heartbeat.
    pub async fn publish(&self) -> Result<(), StoreError> {
        let s = self.stats.status();
        let status = doc! {
            "loadedAt": s.loaded_at.map(bson::DateTime::from_chrono),
            "source": s.source,
            "checksum": s.checksum,
            "rows": s.rows as i64,
            "students": s.students as i64,
            "waves": s.waves,
            "lastError": s.last_error,
            "lastErrorAt": s.last_error_at.map(bson::DateTime::from_chrono),
        };
        self.instances()
            .update_one(
                doc! { "_id": &self.id },
                doc! { "$set": {
                    "heartbeatAt": bson::DateTime::now(),
                    "generation": self.seen.load(Ordering::SeqCst),
                    "status": status,
                } },
            )
            .upsert(true)
            .await
            .map_err(StoreError::classify)?;
        Ok(())
    }

    /// Every instance that reported within [`STALE`], ordered by id.
    pub async fn list(&self) -> Result<Vec<InstanceStatus>, StoreError> {
        let since = Utc::now() - chrono::Duration::from_std(STALE).unwrap_or_default();
        let mut cursor = self
            .instances()
            .find(doc! { "heartbeatAt": { "$gte": bson::DateTime::from_chrono(since) } })
            .sort(doc! { "_id": 1 })
            .await
            .map_err(StoreError::classify)?;
        let mut out = Vec::new();
        while cursor.advance().await.map_err(StoreError::classify)? {
            let d = cursor.deserialize_current().map_err(StoreError::classify)?;
            out.push(instance_status(&d));
        }
        Ok(out)
    }

    /// One poll: reloads when another instance asked for it. Returns whether this instance reloaded.
    pub async fn poll_once(&self) -> Result<bool, StoreError> {
        let generation = self.generation().await?;
        if generation <= self.seen.load(Ordering::SeqCst) {
            return Ok(false);
        }
        let svc = self.stats.clone();
        // A failed reload keeps the previous frame and is reported through the status, like a local one.
        let _ = tokio::task::spawn_blocking(move || svc.reload()).await;
        self.seen.fetch_max(generation, Ordering::SeqCst);
        self.publish().await?;
        Ok(true)
    }

    /// Polls for reloads and refreshes the heartbeat until the task is dropped.
    pub async fn run(self: Arc<Self>) {
        let mut last_heartbeat = tokio::time::Instant::now();
        let mut ticker = tokio::time::interval(POLL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.poll_once().await {
                Ok(true) => {
                    last_heartbeat = tokio::time::Instant::now();
                    tracing::info!(instance = %self.id, "statistics frame reloaded at another instance's request");
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(instance = %self.id, error = %e, "cannot read the statistics reload generation")
                }
            }
            if last_heartbeat.elapsed() >= HEARTBEAT {
                last_heartbeat = tokio::time::Instant::now();
                if let Err(e) = self.publish().await {
                    tracing::warn!(instance = %self.id, error = %e, "cannot record this instance's status");
                }
            }
        }
    }
}

fn date(d: &Document, key: &str) -> Option<DateTime<Utc>> {
    d.get_datetime(key).ok().map(|t| t.to_chrono())
}

fn text(d: &Document, key: &str) -> Option<String> {
    d.get_str(key).ok().map(str::to_owned)
}

fn instance_status(d: &Document) -> InstanceStatus {
    let empty = Document::new();
    let s = d.get_document("status").unwrap_or(&empty);
    let count = |key: &str| s.get_i64(key).ok().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let waves = s
        .get_array("waves")
        .map(|a| a.iter().filter_map(|w| w.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    InstanceStatus {
        id: text(d, "_id").unwrap_or_default(),
        heartbeat_at: date(d, "heartbeatAt").unwrap_or_default(),
        generation: d.get_i64("generation").unwrap_or(0),
        status: StatsStatus {
            loaded_at: date(s, "loadedAt"),
            source: text(s, "source"),
            checksum: text(s, "checksum"),
            rows: count("rows"),
            students: count("students"),
            waves,
            last_error: text(s, "lastError"),
            last_error_at: date(s, "lastErrorAt"),
            ..StatsStatus::default()
        },
    }
}
