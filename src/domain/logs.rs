//! Change log entries: written in the same transaction as the change they record.

use bson::{doc, Bson, Document, Uuid};
use serde::Serialize;

use super::model::{new_id, DataType, LogAction, LogEntry};
use super::{DomainError, Principal};
use crate::store::{Repo, Store, Tx};

/// Keys never copied into a log entry.
const SECRET_KEYS: [&str; 1] = ["apiKey"];

/// The full copy of a document for the log, without secret material.
pub fn snapshot<T: Serialize>(value: &T) -> Result<Document, DomainError> {
    let mut d = bson::to_document(value).map_err(|e| DomainError::Internal(format!("cannot copy document: {e}")))?;
    for key in SECRET_KEYS {
        d.remove(key);
    }
    Ok(d)
}

/// Appends a log entry inside the transaction (numbered and written when it commits).
#[allow(clippy::too_many_arguments)] // one flat call per logged change reads best at the call sites
pub async fn record(
    _store: &Store,
    tx: &mut Tx,
    actor: &Principal,
    action: LogAction,
    data_type: DataType,
    entity_id: Uuid,
    data: Bson,
    comment: &str,
) -> Result<(), DomainError> {
    let entry = LogEntry {
        seq: 0,
        id: new_id(),
        action,
        comment: comment.to_owned(),
        data_type,
        entity_id,
        data,
        timestamp: bson::DateTime::now(),
        user: actor.actor(),
    };
    let mut d = bson::to_document(&entry).map_err(|e| DomainError::Internal(format!("cannot write log entry: {e}")))?;
    d.remove("seq");
    tx.push_log(d);
    Ok(())
}

/// What is logged with a replaced entry: its kind, id, the version it replaces, and a comment.
pub struct Edit<'a> {
    /// Kind of entry.
    pub data_type: DataType,
    /// The entry's id.
    pub id: Uuid,
    /// The stored version being replaced (compare-and-set).
    pub expected: i64,
    /// Log comment.
    pub comment: &'a str,
}

/// Inside `tx`: replaces the entry (compare-and-set on its version) and logs an `EDIT` with a full copy.
pub async fn replace_logged<T>(
    store: &Store,
    tx: &mut Tx,
    repo: &Repo<T>,
    actor: &Principal,
    value: &T,
    edit: Edit<'_>,
) -> Result<(), DomainError>
where
    T: Serialize + serde::de::DeserializeOwned + Send + Sync + Unpin,
{
    repo.replace_versioned(tx, edit.id, edit.expected, value).await?;
    let data = Bson::Document(snapshot(value)?);
    record(store, tx, actor, LogAction::Edit, edit.data_type, edit.id, data, edit.comment).await
}

/// The filter for an entity's log.
pub fn entity_filter(entity_id: Uuid) -> Document {
    doc! { "entityId": entity_id }
}

use super::log_view::{LogView, Mode, Reader};
use super::model::User;
use super::permissions::Permission;
use super::tracker::{Page, PageRequest, Tracker};
use super::visibility::can_read_user_logs;

/// Entries read per round trip while a page of `actions` is filled.
const SCAN_BATCH: i64 = 200;

impl Tracker {
    /// The log of one entity, oldest first, when `allowed` (a visibility check the caller made); else `None`.
    /// Every entry is shown through the field rules of the entity for `reader`.
    pub async fn log_of(
        &self,
        reader: &Reader,
        allowed: bool,
        entity_id: Uuid,
        page: PageRequest,
    ) -> Result<Option<Page<LogView>>, DomainError> {
        if !allowed {
            return Ok(None);
        }
        let raw = self.narrow_page_of(&self.logs, entity_filter(entity_id), page).await?;
        let items = self.render_log(reader, raw.items, Mode::EntityLog).await?;
        Ok(Some(Page { items, has_next: raw.has_next, has_previous: raw.has_previous, total: raw.total }))
    }

    /// The changes `user` made. Visible to the user and `USER_MANAGEMENT`; entries about orders, datasets and
    /// collections are shown to others than the user only with `DATA_MANAGEMENT`. Every entry is shown
    /// through the field rules of the entity it copies, and entries about entities the reader may not see
    /// (a cascade can change entities the actor cannot read) are left out, from the page and the count.
    pub async fn actions(
        &self,
        reader: &Reader,
        user: &User,
        page: PageRequest,
    ) -> Result<Option<Page<LogView>>, DomainError> {
        let p = &reader.principal;
        if !can_read_user_logs(p, user) {
            return Ok(None);
        }
        let is_self = p.user_id().is_some_and(|me| Uuid::from(me) == user.id);
        let mut filter = doc! { "user": user.id.to_string() };
        if !is_self && !p.has(Permission::DataManagement) {
            filter.insert("dataType", "user");
        }
        let first = page.size();
        let (mut items, mut cursor, mut exhausted) = (Vec::new(), page.after, false);
        while items.len() <= first && !exhausted {
            let (views, last, done) = self.scan_actions(reader, &filter, cursor).await?;
            items.extend(views);
            cursor = last;
            exhausted = done;
        }
        let has_next = items.len() > first;
        items.truncate(first);
        let total = if page.want_total { self.count_actions(reader, &filter).await? } else { 0 };
        Ok(Some(Page { items, has_next, has_previous: page.after.is_some(), total }))
    }

    /// One batch of a user's entries after `after` (id order), rendered; the last id scanned; whether the
    /// log is exhausted.
    async fn scan_actions(
        &self,
        reader: &Reader,
        filter: &Document,
        after: Option<Uuid>,
    ) -> Result<(Vec<LogView>, Option<Uuid>, bool), DomainError> {
        let batch = self.logs.page_by_index(filter.clone(), after, SCAN_BATCH).await?;
        let done = (batch.len() as i64) < SCAN_BATCH;
        let last = batch.last().map(|e| e.id).or(after);
        Ok((self.render_log(reader, batch, Mode::Actions).await?, last, done))
    }

    async fn count_actions(&self, reader: &Reader, filter: &Document) -> Result<u64, DomainError> {
        let (mut total, mut cursor) = (0_u64, None);
        loop {
            let (views, last, done) = self.scan_actions(reader, filter, cursor).await?;
            total += views.len() as u64;
            if done {
                return Ok(total);
            }
            cursor = last;
        }
    }
}
