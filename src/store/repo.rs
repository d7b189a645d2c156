//! Typed access to one collection: reads, keyset pages, and writes inside a transaction.

use bson::{doc, Document, RawDocumentBuf, Uuid};
use futures::TryStreamExt;
use mongodb::{ClientSession, Collection};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::window::{self, Windows};
use super::{Store, StoreError};

/// A transaction: every write of one change and its log entries go through one of these. Log entries are
/// held until [`Tx::commit`], which numbers them from the feed's sequence and writes them last.
pub struct Tx {
    session: ClientSession,
    db: mongodb::Database,
    hooks: std::sync::Arc<super::sequence::Hooks>,
    pending_logs: Vec<Document>,
    tallies: Vec<(&'static str, i64)>,
}

impl Store {
    /// Starts a transaction. Its commit is acknowledged only once it is on a majority and in the journal
    /// (`w: majority, j: true`), so an acknowledged write survives a crash of the database.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        use mongodb::options::{Acknowledgment, WriteConcern};
        let mut session = self.client().start_session().await?;
        let durable = WriteConcern::builder().w(Acknowledgment::Majority).journal(true).build();
        session.start_transaction().write_concern(durable).await?;
        Ok(Tx {
            session,
            db: self.db().clone(),
            hooks: self.hooks().clone(),
            pending_logs: Vec::new(),
            tallies: Vec::new(),
        })
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

    /// Adds `delta` to the document count of a tallied collection ([`super::sequence::TALLIED`]), written
    /// with the counter at commit.
    fn tally(&mut self, collection: &str, delta: i64) {
        let Some(name) = super::sequence::TALLIED.iter().find(|n| **n == collection) else { return };
        match self.tallies.iter_mut().find(|(n, _)| n == name) {
            Some((_, d)) => *d += delta,
            None => self.tallies.push((name, delta)),
        }
    }

    /// Numbers the queued log entries from the sequence (incrementing the counter inside the transaction,
    /// together with the tallies of the collections written) and inserts them.
    async fn write_logs(&mut self) -> Result<(), StoreError> {
        if self.pending_logs.is_empty() && self.tallies.iter().all(|(_, d)| *d == 0) {
            return Ok(());
        }
        let n = self.pending_logs.len() as i64;
        let mut entries = std::mem::take(&mut self.pending_logs);
        let tallies = std::mem::take(&mut self.tallies);
        if !self.hooks.unnumbered() {
            let first = super::sequence::take(&self.db, &mut self.session, n, &tallies).await?;
            for (i, e) in entries.iter_mut().enumerate() {
                e.insert(super::sequence::SEQ, first + i as i64);
            }
        }
        if entries.is_empty() {
            return Ok(());
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

/// Pages larger than this (whole listings) are read in one query.
const MAX_WINDOWED: i64 = 10_000;

/// The field [`Repo::lock_in`] increments; not part of any entity, dropped by the next replace.
pub const LOCK_FIELD: &str = "_lock";

/// A typed collection whose documents have a UUID `_id` and a `version`.
#[derive(Clone, Debug)]
pub struct Repo<T: Send + Sync> {
    coll: Collection<T>,
    windows: Windows,
}

impl<T> Repo<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + Unpin,
{
    /// The repository of collection `name`.
    pub fn new(store: &Store, name: &str) -> Self {
        Self { coll: store.db().collection(name), windows: Windows::default() }
    }

    /// The collection's name.
    pub fn name(&self) -> &str {
        self.coll.name()
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

    /// A keyset page: up to `limit` documents matching `filter` with id after `after`, in id order, read
    /// in a window of creation time ([`super::window`]) that about holds it, then (when it came back
    /// short) the rest in an open window: a page costs about its own size on a server that does not stop
    /// reading at the limit, and at most one query more than an unbounded read. For filters that match a large share of the
    /// collection (listings); [`Repo::page_by_index`] is for filters an index narrows to few documents.
    pub async fn page(&self, filter: Document, after: Option<Uuid>, limit: i64) -> Result<Vec<T>, StoreError> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        if limit > MAX_WINDOWED {
            return self.page_by_index(filter, after, limit).await;
        }
        let start_ms = match after {
            Some(a) => window::millis_of(&a),
            None => match self.floor().await? {
                Some(ms) => ms,
                None => return self.page_by_index(filter, None, limit).await,
            },
        };
        let now_ms = chrono::Utc::now().timestamp_millis();
        let raw = self.coll.clone_with_type::<RawDocumentBuf>();
        let (mut out, mut last_ms) = (Vec::new(), None);
        let (mut span, mut from, mut window_start) = (self.windows.span(limit), None, start_ms);
        loop {
            let end_ms = Windows::end_of(window_start, span, now_ms);
            let end = end_ms.map(window::first_id_at);
            let cond =
                window::id_condition(if from.is_none() { after.as_ref() } else { None }, from.as_ref(), end.as_ref());
            let mut cursor = raw
                .find(window::with_ids(&filter, cond))
                .sort(doc! { "_id": 1 })
                .limit(limit - out.len() as i64)
                .await?;
            while let Some(doc) = cursor.try_next().await? {
                if let Ok(Some(bson::RawBsonRef::Binary(b))) = doc.get("_id") {
                    if let Ok(bytes) = <[u8; 16]>::try_from(b.bytes) {
                        last_ms = Some(window::millis_of(&Uuid::from_bytes(bytes)));
                    }
                }
                out.push(bson::from_slice::<T>(doc.as_bytes()).map_err(|e| StoreError::Malformed(e.to_string()))?);
            }
            let Some(end_ms) = end_ms else { break };
            if out.len() as i64 >= limit {
                if let Some(ms) = last_ms {
                    self.windows.learn(ms - start_ms + 1, out.len());
                }
                break;
            }
            // The rest in one open window: a page that ends early (the end of the collection, a sparse
            // stretch) costs one more query, never a ladder of them; a walk learns the density again.
            (window_start, from) = (end_ms, end);
            span = i64::MAX;
        }
        Ok(out)
    }

    /// A keyset page in one query, the filter first: for filters an index narrows to few documents (one
    /// entity's log, one user's actions), and for whole listings.
    pub async fn page_by_index(&self, filter: Document, after: Option<Uuid>, limit: i64) -> Result<Vec<T>, StoreError> {
        let query = match after {
            Some(after) if filter.is_empty() => doc! { "_id": { "$gt": after } },
            Some(after) => doc! { "$and": [filter, { "_id": { "$gt": after } }] },
            None => filter,
        };
        Ok(self.coll.find(query).sort(doc! { "_id": 1 }).limit(limit).await?.try_collect().await?)
    }

    /// The creation time of the oldest document (learnt once: ids made later sort after it, and an older
    /// one only makes the first window wider than needed, never wrong).
    async fn floor(&self) -> Result<Option<i64>, StoreError> {
        if let Some(ms) = self.windows.floor() {
            return Ok(Some(ms));
        }
        #[derive(serde::Deserialize)]
        struct IdOnly {
            #[serde(rename = "_id")]
            id: Uuid,
        }
        let oldest = self
            .coll
            .clone_with_type::<IdOnly>()
            .find_one(doc! {})
            .sort(doc! { "_id": 1 })
            .projection(doc! { "_id": 1 })
            .await
            .ok()
            .flatten();
        let ms = oldest.map(|d| window::millis_of(&d.id));
        if let Some(ms) = ms {
            self.windows.set_floor(ms);
        }
        Ok(ms)
    }

    /// Number of documents matching `filter`.
    pub async fn count(&self, filter: Document) -> Result<u64, StoreError> {
        Ok(self.coll.count_documents(filter).await?)
    }

    /// Inserts inside the transaction.
    pub async fn insert(&self, tx: &mut Tx, value: &T) -> Result<(), StoreError> {
        self.coll.insert_one(value).session(&mut tx.session).await.map_err(classify_tx)?;
        tx.tally(self.coll.name(), 1);
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

    /// Inside the transaction: the ids of the documents matching `filter`.
    pub async fn ids_in(&self, tx: &mut Tx, filter: Document) -> Result<Vec<Uuid>, StoreError> {
        #[derive(serde::Deserialize)]
        struct IdOnly {
            #[serde(rename = "_id")]
            id: Uuid,
        }
        let coll = self.coll.clone_with_type::<IdOnly>();
        let mut cursor =
            coll.find(filter).projection(doc! { "_id": 1 }).session(&mut tx.session).await.map_err(classify_tx)?;
        let found: Vec<IdOnly> = cursor.stream(&mut tx.session).try_collect().await.map_err(classify_tx)?;
        Ok(found.into_iter().map(|d| d.id).collect())
    }

    /// Deletes inside the transaction; whether a document was deleted.
    pub async fn delete(&self, tx: &mut Tx, id: Uuid) -> Result<bool, StoreError> {
        let res = self.coll.delete_one(doc! { "_id": id }).session(&mut tx.session).await.map_err(classify_tx)?;
        if res.deleted_count == 1 {
            tx.tally(self.coll.name(), -1);
        }
        Ok(res.deleted_count == 1)
    }
}
