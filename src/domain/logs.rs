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

/// Appends a log entry inside the transaction.
#[allow(clippy::too_many_arguments)] // one flat call per logged change reads best at the call sites
pub async fn record(
    store: &Store,
    tx: &mut Tx,
    actor: &Principal,
    action: LogAction,
    data_type: DataType,
    entity_id: Uuid,
    data: Bson,
    comment: &str,
) -> Result<(), DomainError> {
    let entry = LogEntry {
        id: new_id(),
        action,
        comment: comment.to_owned(),
        data_type,
        entity_id,
        data,
        timestamp: bson::DateTime::now(),
        user: actor.actor(),
    };
    Repo::<LogEntry>::new(store, "logs").insert(tx, &entry).await?;
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

use super::model::User;
use super::permissions::Permission;
use super::tracker::{Page, PageRequest, Tracker};
use super::visibility::can_read_user_logs;

impl Tracker {
    /// The log of one entity, oldest first, when `allowed` (a visibility check the caller made); else `None`.
    pub async fn log_of(
        &self,
        allowed: bool,
        entity_id: Uuid,
        page: PageRequest,
    ) -> Result<Option<Page<LogEntry>>, DomainError> {
        if !allowed {
            return Ok(None);
        }
        Ok(Some(self.page_of(&self.logs, entity_filter(entity_id), page).await?))
    }

    /// The changes `user` made. Visible to the user and `USER_MANAGEMENT`; entries about orders, datasets and
    /// collections are shown to others than the user only with `DATA_MANAGEMENT`, so they never reveal an
    /// entry's log to someone who may not read it.
    pub async fn actions(
        &self,
        p: &Principal,
        user: &User,
        page: PageRequest,
    ) -> Result<Option<Page<LogEntry>>, DomainError> {
        if !can_read_user_logs(p, user) {
            return Ok(None);
        }
        let is_self = p.user_id().is_some_and(|me| Uuid::from(me) == user.id);
        let mut filter = doc! { "user": user.id.to_string() };
        if !is_self && !p.has(Permission::DataManagement) {
            filter.insert("dataType", "user");
        }
        Ok(Some(self.page_of(&self.logs, filter, page).await?))
    }
}
