//! Typed access to one collection: reads, keyset pages, and writes inside a transaction.

use bson::{doc, Document, Uuid};
use futures::TryStreamExt;
use mongodb::{ClientSession, Collection};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Store, StoreError};

/// A transaction: every write of one change and its log entries go through one of these. Log entries are
/// held until [`Tx::commit`], which numbers them from the feed's sequence and writes them last.
pub struct Tx {
    session: ClientSession,
    db: mongodb::Database,
    hooks: std::sync::Arc<super::sequence::Hooks>,
    pending_logs: Vec<Document>,
}

impl Store {
    /// Starts a transaction. Its commit is acknowledged only once it is on a majority and in the journal
    /// (`w: majority, j: true`), so an acknowledged write survives a crash of the database.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        use mongodb::options::{Acknowledgment, WriteConcern};
        let mut session = self.client().start_session().await?;
        let durable = WriteConcern::builder().w(Acknowledgment::Majority).journal(true).build();
        session.start_transaction().write_concern(durable).await?;
        Ok(Tx { session, db: self.db().clone(), hooks: self.hooks().clone(), pending_logs: Vec::new() })
    }
}

impl Tx {
    /// The session, for writes that have no repository method.
    pub fn session(&mut self) -> &mut ClientSession {
        &mut self.session
    }

    /// Queues a log entry (without `seq`); [`Tx::commit`] numbers and writes it.
    pub fn push_log(&mut self, entry: Document) {
        self.pending_logs.push(entry);
    }

    /// Numbers the queued log entries from the sequence (incrementing the counter inside the transaction)
    /// and inserts them.
    async fn write_logs(&mut self) -> Result<(), StoreError> {
        if self.pending_logs.is_empty() {
            return Ok(());
        }
        let n = self.pending_logs.len() as i64;
        let first = super::sequence::take(&self.db, &mut self.session, n).await?;
        let mut entries = std::mem::take(&mut self.pending_logs);
        for (i, e) in entries.iter_mut().enumerate() {
            e.insert(super::sequence::SEQ, first + i as i64);
        }
        self.db
            .collection::<Document>("logs")
            .insert_many(entries)
            .session(&mut self.session)
            .await
            .map_err(classify_tx)?;
        if let Some(pause) = self.hooks.commit_pause() {
            tokio::time::sleep(pause).await;
        }
        Ok(())
    }

    /// Commits (after numbering and writing the queued log entries). A commit whose outcome is unknown (`UnknownTransactionCommitResult`) is retried, as the
    /// driver's transaction API does; a write conflict with a concurrent transaction is a
    /// [`StoreError::Transient`], for [`Store::transaction`] to retry the whole transaction.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let logged = !self.pending_logs.is_empty();
        self.write_logs().await?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.session.commit_transaction().await {
                Ok(()) => {
                    if logged {
                        self.hooks.notify_commit();
                    }
                    return Ok(());
                }
                Err(e)
                    if e.contains_label(mongodb::error::UNKNOWN_TRANSACTION_COMMIT_RESULT)
                        && attempts < super::retry::MAX_COMMIT_ATTEMPTS =>
                {
                    tracing::debug!(attempts, "commit outcome unknown; committing again");
                }
                Err(e) => return Err(classify_tx(e)),
            }
        }
    }
}

/// Classifies an error met inside a transaction: transient ones (write conflicts, aborted transactions)
/// become [`StoreError::Transient`], the rest as [`StoreError::classify`] says.
pub(crate) fn classify_tx(err: mongodb::error::Error) -> StoreError {
    if super::retry::is_transient(&err) {
        StoreError::Transient(err)
    } else {
        StoreError::classify(err)
    }
}

/// The field [`Repo::lock_in`] increments; not part of any entity, dropped by the next replace.
pub const LOCK_FIELD: &str = "_lock";

/// A typed collection whose documents have a UUID `_id` and a `version`.
#[derive(Clone, Debug)]
pub struct Repo<T: Send + Sync> {
    coll: Collection<T>,
}

impl<T> Repo<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + Unpin,
{
    /// The repository of collection `name`.
    pub fn new(store: &Store, name: &str) -> Self {
        Self { coll: store.db().collection(name) }
    }

    /// The untyped collection.
    pub fn raw(&self) -> Collection<Document> {
        self.coll.clone_with_type()
    }

    /// One document by id.
    pub async fn get(&self, id: Uuid) -> Result<Option<T>, StoreError> {
        Ok(self.coll.find_one(doc! { "_id": id }).await?)
    }

    /// One document by id, read inside the transaction.
    pub async fn get_in(&self, tx: &mut Tx, id: Uuid) -> Result<Option<T>, StoreError> {
        self.coll.find_one(doc! { "_id": id }).session(&mut tx.session).await.map_err(classify_tx)
    }

    /// Documents matching `filter`, in id order.
    pub async fn find(&self, filter: Document) -> Result<Vec<T>, StoreError> {
        Ok(self.coll.find(filter).sort(doc! { "_id": 1 }).await?.try_collect().await?)
    }

    /// Documents matching `filter`, read inside the transaction.
    pub async fn find_in(&self, tx: &mut Tx, filter: Document) -> Result<Vec<T>, StoreError> {
        let mut cursor =
            self.coll.find(filter).sort(doc! { "_id": 1 }).session(&mut tx.session).await.map_err(classify_tx)?;
        cursor.stream(&mut tx.session).try_collect().await.map_err(classify_tx)
    }

    /// Documents with the given ids (one round trip).
    pub async fn get_many(&self, ids: &[Uuid]) -> Result<Vec<T>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.find(doc! { "_id": { "$in": ids.to_vec() } }).await
    }

    /// A keyset page: up to `limit` documents matching `filter` with id after `after`, in id order.
    pub async fn page(&self, mut filter: Document, after: Option<Uuid>, limit: i64) -> Result<Vec<T>, StoreError> {
        if let Some(after) = after {
            filter = doc! { "$and": [filter, { "_id": { "$gt": after } }] };
        }
        Ok(self.coll.find(filter).sort(doc! { "_id": 1 }).limit(limit).await?.try_collect().await?)
    }

    /// Number of documents matching `filter`.
    pub async fn count(&self, filter: Document) -> Result<u64, StoreError> {
        Ok(self.coll.count_documents(filter).await?)
    }

    /// Inserts inside the transaction.
    pub async fn insert(&self, tx: &mut Tx, value: &T) -> Result<(), StoreError> {
        self.coll.insert_one(value).session(&mut tx.session).await.map_err(classify_tx)?;
        Ok(())
    }

    /// Replaces the document if its stored version is still `expected`; otherwise [`StoreError::VersionConflict`].
    pub async fn replace_versioned(&self, tx: &mut Tx, id: Uuid, expected: i64, value: &T) -> Result<(), StoreError> {
        let res = self
            .coll
            .replace_one(doc! { "_id": id, "version": expected }, value)
            .session(&mut tx.session)
            .await
            .map_err(classify_tx)?;
        if res.matched_count == 0 {
            return Err(StoreError::VersionConflict);
        }
        Ok(())
    }

    /// Inside the transaction: marks the documents with these ids as written (a counter no reader sees), so
    /// that a concurrent transaction that deletes or changes one of them conflicts with this one and one of
    /// the two runs again. Returns how many of the documents exist.
    pub async fn lock_in(&self, tx: &mut Tx, ids: &[Uuid]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let res = self
            .coll
            .update_many(doc! { "_id": { "$in": ids.to_vec() } }, doc! { "$inc": { LOCK_FIELD: 1_i64 } })
            .session(&mut tx.session)
            .await
            .map_err(classify_tx)?;
        Ok(res.matched_count)
    }

    /// Deletes inside the transaction; whether a document was deleted.
    pub async fn delete(&self, tx: &mut Tx, id: Uuid) -> Result<bool, StoreError> {
        let res = self.coll.delete_one(doc! { "_id": id }).session(&mut tx.session).await.map_err(classify_tx)?;
        Ok(res.deleted_count == 1)
    }
}
