//! Versioned, append-only MongoDB migrations from `migrations/`, applied in order exactly once.
//!
//! A migration is a JSON file `NNNN_name.json` holding `{"description": …, "commands": [ … ]}`: database
//! commands (Extended JSON) run in order with `runCommand`. Commands must be safe to run again after a partial
//! failure: `create` of an existing collection is turned into `collMod` with the same validator, indexes are
//! created by name, dropping a missing index succeeds, seed data uses upserts. Each applied migration is recorded in `migrations` with the SHA-256
//! of its file; a changed applied file is refused. A lock document in `migration_lock` keeps two instances
//! from migrating at once.

use std::time::Duration;

use bson::{doc, Bson, Document};
use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{Store, StoreError};

/// One migration as compiled into the binary.
#[derive(Debug, Clone)]
pub struct Migration {
    /// Version number; applied in ascending order.
    pub version: u32,
    /// File name without extension.
    pub name: String,
    /// The file's text.
    pub text: String,
}

impl Migration {
    /// Creates a migration from its parts.
    pub fn new(version: u32, name: &str, text: &str) -> Self {
        Self { version, name: name.into(), text: text.into() }
    }

    /// SHA-256 of the text, hex.
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }

    fn commands(&self) -> Result<Vec<Document>, MigrationError> {
        let malformed = |e: String| MigrationError::Malformed { name: self.name.clone(), error: e };
        let json: serde_json::Value = serde_json::from_str(&self.text).map_err(|e| malformed(e.to_string()))?;
        let cmds =
            json.get("commands").and_then(|c| c.as_array()).ok_or_else(|| malformed("no `commands` array".into()))?;
        cmds.iter()
            .map(|c| match Bson::try_from(c.clone()) {
                Ok(Bson::Document(d)) => Ok(d),
                Ok(_) => Err(malformed("every command must be an object".into())),
                Err(e) => Err(malformed(e.to_string())),
            })
            .collect()
    }
}

/// The migrations shipped with this binary, in order.
pub fn embedded() -> Vec<Migration> {
    vec![
        Migration::new(1, "0001_tracker_collections", include_str!("../../migrations/0001_tracker_collections.json")),
        Migration::new(2, "0002_tracker_indexes", include_str!("../../migrations/0002_tracker_indexes.json")),
        Migration::new(3, "0003_standard_tags", include_str!("../../migrations/0003_standard_tags.json")),
        Migration::new(4, "0004_dataset_access", include_str!("../../migrations/0004_dataset_access.json")),
        Migration::new(5, "0005_data_files", include_str!("../../migrations/0005_data_files.json")),
        Migration::new(6, "0006_identity_hardening", include_str!("../../migrations/0006_identity_hardening.json")),
        Migration::new(7, "0007_stats_audit", include_str!("../../migrations/0007_stats_audit.json")),
        Migration::new(8, "0008_change_feed", include_str!("../../migrations/0008_change_feed.json")),
        Migration::new(9, "0009_stats_instances", include_str!("../../migrations/0009_stats_instances.json")),
        Migration::new(10, "0010_order_datasets_page", include_str!("../../migrations/0010_order_datasets_page.json")),
    ]
}

/// Why migrating stopped.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// An applied migration's file changed since it was applied.
    #[error("migration {name} was changed after it was applied (recorded checksum {recorded}, file {current}); migrations are append-only: restore the file and add a new migration")]
    Drift {
        /// The migration.
        name: String,
        /// Checksum in the database.
        recorded: String,
        /// Checksum of the file now.
        current: String,
    },
    /// The database has a migration this binary does not know.
    #[error("the database has migration {name} that this binary does not know; it is newer than this binary")]
    Unknown {
        /// The recorded name.
        name: String,
    },
    /// Another instance holds the lock.
    #[error("another instance is migrating (lock held by {owner} since {since}); try again later")]
    LockHeld {
        /// Lock owner id.
        owner: String,
        /// When the lock was taken.
        since: String,
    },
    /// The migration file is not valid.
    #[error("migration {name} is malformed: {error}")]
    Malformed {
        /// The migration.
        name: String,
        /// What is wrong.
        error: String,
    },
    /// A command failed; the migration is not recorded.
    #[error("migration {name} failed: {error}")]
    Failed {
        /// The migration.
        name: String,
        /// The database's error.
        error: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<mongodb::error::Error> for MigrationError {
    fn from(e: mongodb::error::Error) -> Self {
        Self::Store(StoreError::Driver(e))
    }
}

/// A migration's state in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied, with its time (RFC 3339).
    Applied(String),
    /// Not applied yet.
    Pending,
}

/// One line of `migrate --status`.
#[derive(Debug, Clone)]
pub struct MigrationStatus {
    /// Version.
    pub version: u32,
    /// Name.
    pub name: String,
    /// State.
    pub state: MigrationState,
}

const LOCK_ID: &str = "migrate";
const LOCK_TTL_SECS: i64 = 600;

/// Lists every known migration with its state, checking recorded checksums.
pub async fn status(store: &Store, migrations: &[Migration]) -> Result<Vec<MigrationStatus>, MigrationError> {
    let applied = applied(store).await?;
    verify(&applied, migrations)?;
    Ok(migrations
        .iter()
        .map(|m| MigrationStatus {
            version: m.version,
            name: m.name.clone(),
            state: applied
                .iter()
                .find(|a| a.get_str("_id").ok() == Some(m.name.as_str()))
                .and_then(|a| a.get_datetime("appliedAt").ok())
                .map(|t| MigrationState::Applied(t.try_to_rfc3339_string().unwrap_or_default()))
                .unwrap_or(MigrationState::Pending),
        })
        .collect())
}

/// Applies every pending migration in order; returns the names applied. Waits up to `lock_wait` for the lock.
pub async fn migrate(
    store: &Store,
    migrations: &[Migration],
    lock_wait: Duration,
) -> Result<Vec<String>, MigrationError> {
    let owner = uuid::Uuid::new_v4().to_string();
    acquire_lock(store, &owner, lock_wait).await?;
    let result = apply_pending(store, migrations).await;
    let released =
        store.db().collection::<Document>("migration_lock").delete_one(doc! { "_id": LOCK_ID, "owner": &owner }).await;
    if let Err(e) = released {
        tracing::warn!(error = %e, "could not release the migration lock; it expires by itself");
    }
    result
}

async fn apply_pending(store: &Store, migrations: &[Migration]) -> Result<Vec<String>, MigrationError> {
    let applied = applied(store).await?;
    verify(&applied, migrations)?;
    let mut sorted: Vec<&Migration> = migrations.iter().collect();
    sorted.sort_by_key(|m| m.version);
    let mut done = Vec::new();
    for m in sorted {
        if applied.iter().any(|a| a.get_str("_id").ok() == Some(m.name.as_str())) {
            continue;
        }
        let started = std::time::Instant::now();
        for command in m.commands()? {
            run_step(store, command).await.map_err(|error| MigrationError::Failed { name: m.name.clone(), error })?;
        }
        store
            .db()
            .collection::<Document>("migrations")
            .insert_one(doc! {
                "_id": &m.name,
                "version": m.version as i64,
                "checksum": m.checksum(),
                "appliedAt": bson::DateTime::now(),
                "durationMs": started.elapsed().as_millis() as i64,
            })
            .await?;
        tracing::info!(migration = %m.name, "migration applied");
        done.push(m.name.clone());
    }
    Ok(done)
}

/// The key of a step written in Rust rather than as a database command (`{"datatrackerBuiltin": name}`).
const BUILTIN: &str = "datatrackerBuiltin";

async fn run_builtin(store: &Store, name: &str) -> Result<(), String> {
    match name {
        "backfillLogSequence" => {
            let n = super::sequence::backfill(store.db()).await.map_err(|e| e.to_string())?;
            tracing::info!(entries = n, "numbered existing log entries for the change feed");
            Ok(())
        }
        other => Err(format!("unknown built-in step `{other}`")),
    }
}

async fn run_step(store: &Store, command: Document) -> Result<(), String> {
    match command.get_str(BUILTIN) {
        Ok(name) => run_builtin(store, name).await,
        Err(_) => run_command(store, command).await.map_err(|e| e.to_string()),
    }
}

async fn run_command(store: &Store, command: Document) -> Result<(), mongodb::error::Error> {
    match store.db().run_command(command.clone()).await {
        Ok(_) => Ok(()),
        // NamespaceExists: the collection was created by an earlier, partly failed run; bring its options up to date.
        Err(e) if command.contains_key("create") && command_error_code(&e) == Some(48) => {
            let mut coll_mod = doc! { "collMod": command.get("create").cloned().unwrap_or(Bson::Null) };
            for key in ["validator", "validationLevel", "validationAction"] {
                if let Some(v) = command.get(key) {
                    coll_mod.insert(key, v.clone());
                }
            }
            if coll_mod.len() > 1 {
                store.db().run_command(coll_mod).await?;
            }
            Ok(())
        }
        // IndexNotFound: an index dropped by an earlier, partly failed run.
        Err(e) if command.contains_key("dropIndexes") && command_error_code(&e) == Some(27) => Ok(()),
        Err(e) => Err(e),
    }
}

fn command_error_code(e: &mongodb::error::Error) -> Option<i32> {
    match e.kind.as_ref() {
        mongodb::error::ErrorKind::Command(c) => Some(c.code),
        _ => None,
    }
}

async fn applied(store: &Store) -> Result<Vec<Document>, MigrationError> {
    use futures::TryStreamExt;
    let cursor = store.db().collection::<Document>("migrations").find(doc! {}).await?;
    Ok(cursor.try_collect().await?)
}

fn verify(applied: &[Document], migrations: &[Migration]) -> Result<(), MigrationError> {
    for record in applied {
        let name = record.get_str("_id").unwrap_or_default();
        let Some(m) = migrations.iter().find(|m| m.name == name) else {
            return Err(MigrationError::Unknown { name: name.into() });
        };
        let recorded = record.get_str("checksum").unwrap_or_default();
        if recorded != m.checksum() {
            return Err(MigrationError::Drift { name: name.into(), recorded: recorded.into(), current: m.checksum() });
        }
    }
    Ok(())
}

async fn acquire_lock(store: &Store, owner: &str, wait: Duration) -> Result<(), MigrationError> {
    let locks = store.db().collection::<Document>("migration_lock");
    let started = std::time::Instant::now();
    loop {
        let now = Utc::now();
        // A lock older than its TTL belongs to a crashed instance: take it over.
        locks.delete_one(doc! { "_id": LOCK_ID, "expiresAt": { "$lt": bson::DateTime::from_chrono(now) } }).await?;
        let expires = now + chrono::Duration::seconds(LOCK_TTL_SECS);
        let attempt = locks
            .insert_one(doc! {
                "_id": LOCK_ID,
                "owner": owner,
                "acquiredAt": bson::DateTime::from_chrono(now),
                "expiresAt": bson::DateTime::from_chrono(expires),
            })
            .await;
        match attempt.map_err(StoreError::classify) {
            Ok(_) => return Ok(()),
            Err(StoreError::Duplicate { .. }) => {
                if started.elapsed() >= wait {
                    let held = locks.find_one(doc! { "_id": LOCK_ID }).await?.unwrap_or_default();
                    return Err(MigrationError::LockHeld {
                        owner: held.get_str("owner").unwrap_or("unknown").into(),
                        since: held
                            .get_datetime("acquiredAt")
                            .ok()
                            .and_then(|t| t.try_to_rfc3339_string().ok())
                            .unwrap_or_default(),
                    });
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}
