//! Changing data files: uploads (streamed, size-limited, checksum-verified), registering existing
//! objects, deleting entries, and the record of URLs and downloads.

use bson::{doc, Bson, Uuid};

use super::file_model::{DataFile, FileEvent};
use super::files::DataFiles;
use super::logs;
use super::model::{new_id, DataType, LogAction};
use super::permissions::Permission;
use super::tracker::{Page, PageRequest};
use super::visibility::is_order_editor;
use super::{validate, DomainError, Principal};
use crate::storage::keys::{self, Template};
use crate::storage::{normalise_sha256, ByteStream, PutRequest, StorageError};
use crate::store::Tx;

/// Collection of object keys whose entries are gone and whose objects the service still has to remove.
pub const GARBAGE: &str = "file_garbage";

/// Describes a file being uploaded or registered.
#[derive(Debug, Clone, Default)]
pub struct FileInput {
    /// File name offered to downloaders (one path segment).
    pub name: String,
    /// Media type (default `application/octet-stream`).
    pub media_type: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Announced SHA-256 (hex): verified for uploads, recorded for registered keys.
    pub sha256: Option<String>,
}

fn file_name(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    keys::check(name).map_err(|e| DomainError::invalid("name", e.to_string()))?;
    if name.contains('/') || name.len() > 255 {
        return Err(DomainError::invalid("name", "must be one path segment of at most 255 bytes"));
    }
    Ok(name.to_owned())
}

fn media_type(raw: Option<&str>) -> Result<String, DomainError> {
    let m = raw.map(str::trim).filter(|m| !m.is_empty()).unwrap_or("application/octet-stream");
    let ok = m.len() <= 127
        && m.split_once('/').is_some_and(|(a, b)| {
            let tok =
                |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&c));
            tok(a) && tok(b)
        });
    if !ok {
        return Err(DomainError::invalid("mediaType", "must look like type/subtype, e.g. text/csv"));
    }
    Ok(m.to_ascii_lowercase())
}

fn sha256(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => normalise_sha256(s).map(Some).ok_or_else(|| DomainError::invalid("sha256", "must be 64 hex digits")),
    }
}

fn upload_error(e: StorageError) -> DomainError {
    match e {
        StorageError::TooLarge { .. } => DomainError::invalid("file", e.to_string()),
        StorageError::ChecksumMismatch { .. } => DomainError::invalid("sha256", e.to_string()),
        StorageError::BadKey(m) => DomainError::invalid("key", m),
        StorageError::Body(m) => DomainError::invalid("file", format!("upload interrupted: {m}")),
        other => DomainError::Internal(other.to_string()),
    }
}

impl DataFiles {
    /// The dataset `id` if `p` may see it and edit it (`NotFound` when hidden, `Forbidden` when visible
    /// but not editable).
    async fn editable_dataset(&self, p: &Principal, id: Uuid) -> Result<super::model::Dataset, DomainError> {
        p.require_user()?;
        let ds = self.tracker.visible_dataset(p, id).await?;
        self.tracker.require_dataset_editor(p, &ds).await?;
        Ok(ds)
    }

    /// Uploads a file to a dataset (its order's editors): streams `body` to storage under
    /// `datasets/{dataset}/{file}/{name}`, at most the configured size, verifying the announced SHA-256;
    /// then records the entry and logs it on the dataset. On any error nothing is stored.
    pub async fn upload(
        &self,
        p: &Principal,
        dataset: &str,
        input: FileInput,
        body: ByteStream,
    ) -> Result<DataFile, DomainError> {
        let dataset = validate::id("datasetId", dataset)?;
        let name = file_name(&input.name)?;
        let media_type = media_type(input.media_type.as_deref())?;
        let description = validate::description(input.description.as_deref().unwrap_or(""))?;
        let expected = sha256(input.sha256.as_deref())?;
        self.editable_dataset(p, dataset).await?;
        let id = new_id();
        let key = format!("datasets/{dataset}/{id}/{name}");
        let req = PutRequest {
            limit: self.limits.max_upload,
            expected_sha256: expected,
            download_name: name.clone(),
            media_type: media_type.clone(),
        };
        let stored = self.storage.put(&key, body, req).await.map_err(upload_error)?;
        let file = DataFile {
            id,
            dataset,
            name,
            key: key.clone(),
            parameter: None,
            size: i64::try_from(stored.size).ok(),
            sha256: Some(stored.sha256),
            media_type,
            description,
            uploaded: true,
            created_at: bson::DateTime::now(),
            created_by: p.actor(),
        };
        if let Err(e) = self.insert_logged(p, &file, "File uploaded").await {
            let _ = self.storage.delete(&key).await;
            return Err(e);
        }
        Ok(file)
    }

    /// Registers an object that already exists in storage (or, for a parameterised key such as
    /// `reports/{school}/summary.csv`, the objects of its values) as a file of a dataset. A plain key must
    /// name an existing object.
    pub async fn register(
        &self,
        p: &Principal,
        dataset: &str,
        key: &str,
        input: FileInput,
    ) -> Result<DataFile, DomainError> {
        let dataset = validate::id("datasetId", dataset)?;
        let name = file_name(&input.name)?;
        let media_type = media_type(input.media_type.as_deref())?;
        let description = validate::description(input.description.as_deref().unwrap_or(""))?;
        let declared = sha256(input.sha256.as_deref())?;
        let key = key.trim();
        let t = Template::parse(key).map_err(|e| DomainError::invalid("key", e.to_string()))?;
        self.editable_dataset(p, dataset).await?;
        let size = match t.parameter() {
            Some(_) => None,
            None => {
                let info = self.storage.head(key).await.map_err(upload_error)?;
                let info = info.ok_or_else(|| DomainError::invalid("key", "no object under this key"))?;
                i64::try_from(info.size).ok()
            }
        };
        let file = DataFile {
            id: new_id(),
            dataset,
            name,
            key: key.to_owned(),
            parameter: t.parameter().map(str::to_owned),
            size,
            sha256: if t.parameter().is_some() { None } else { declared },
            media_type,
            description,
            uploaded: false,
            created_at: bson::DateTime::now(),
            created_by: p.actor(),
        };
        self.insert_logged(p, &file, "File registered").await?;
        Ok(file)
    }

    async fn insert_logged(&self, p: &Principal, file: &DataFile, comment: &str) -> Result<(), DomainError> {
        let store = &self.tracker.store;
        store
            .transaction(|mut tx| async move {
                self.files.insert(&mut tx, file).await?;
                let data = Bson::Document(logs::snapshot(file)?);
                logs::record(store, &mut tx, p, LogAction::Edit, DataType::Dataset, file.dataset, data, comment)
                    .await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await
    }

    /// Deletes a file entry (its dataset's editors), logged on the dataset; an uploaded object is removed
    /// from storage too, a registered one is left in place.
    pub async fn delete_file(&self, p: &Principal, id: &str) -> Result<Uuid, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let not_found = || DomainError::NotFound("file".into());
        let file = self.files.get(id).await?.ok_or_else(not_found)?;
        let access = self.tracker.dataset_access(p).await?;
        let ds = self.tracker.dataset_by_id(&access, file.dataset).await?.ok_or_else(not_found)?;
        self.tracker.require_dataset_editor(p, &ds).await?;
        let store = &self.tracker.store;
        let file = &file;
        store
            .transaction(|mut tx| async move {
                if !self.files.delete(&mut tx, id).await? {
                    return Err(not_found());
                }
                if file.uploaded {
                    queue_garbage(&mut tx, store, &file.key).await?;
                }
                let data = Bson::Document(logs::snapshot(file)?);
                logs::record(store, &mut tx, p, LogAction::Edit, DataType::Dataset, file.dataset, data, "File deleted")
                    .await?;
                tx.commit().await?;
                Ok(())
            })
            .await?;
        self.sweep().await;
        Ok(id)
    }

    /// Removes from storage the objects whose entries were deleted (after their transaction committed).
    /// Failures stay queued for the next sweep.
    pub async fn sweep(&self) {
        use futures::TryStreamExt;
        let coll = self.tracker.store.db().collection::<bson::Document>(GARBAGE);
        let queued: Vec<bson::Document> = match coll.find(doc! {}).limit(1000).await {
            Ok(c) => c.try_collect().await.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the file garbage queue");
                return;
            }
        };
        for d in queued {
            let Ok(key) = d.get_str("_id") else { continue };
            match self.storage.delete(key).await {
                Ok(()) => {
                    let _ = coll.delete_one(doc! { "_id": key }).await;
                }
                Err(e) => tracing::warn!(key, error = %e, "cannot remove a deleted file's object; kept queued"),
            }
        }
    }

    /// URLs handed out and downloads served, oldest first: all of them for `DATA_MANAGEMENT`; for the
    /// editors of a dataset's order, that dataset's (pass `dataset`). Others: `Forbidden`.
    pub async fn events(
        &self,
        p: &Principal,
        dataset: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<FileEvent>, DomainError> {
        p.require_user()?;
        let filter = match dataset {
            Some(raw) => {
                let id = validate::id("datasetId", raw)?;
                let ds = self.tracker.visible_dataset(p, id).await?;
                if !p.has(Permission::DataManagement) {
                    let order = self.tracker.orders.get(ds.order).await?;
                    if !order.is_some_and(|o| is_order_editor(p, &o)) {
                        return Err(DomainError::Forbidden);
                    }
                }
                doc! { "dataset": id }
            }
            None if p.has(Permission::DataManagement) => doc! {},
            None => return Err(DomainError::Forbidden),
        };
        if filter.is_empty() {
            self.tracker.page_of(&self.events, filter, page).await
        } else {
            self.tracker.narrow_page_of(&self.events, filter, page).await
        }
    }
}

/// Inside `tx`: queues an object for removal once the transaction commits.
pub(crate) async fn queue_garbage(tx: &mut Tx, store: &crate::store::Store, key: &str) -> Result<(), DomainError> {
    let coll = store.db().collection::<bson::Document>(GARBAGE);
    coll.update_one(doc! { "_id": key }, doc! { "$set": { "queuedAt": bson::DateTime::now() } })
        .upsert(true)
        .session(tx.session())
        .await
        .map_err(crate::store::StoreError::from)?;
    Ok(())
}

/// Inside `tx`: deletes the file entries of a deleted dataset (logged with the dataset's deletion) and
/// queues their uploaded objects for removal; registered objects are left in place.
pub(crate) async fn remove_files_of_dataset(
    tx: &mut Tx,
    store: &crate::store::Store,
    dataset: Uuid,
) -> Result<(), DomainError> {
    let repo = crate::store::Repo::<DataFile>::new(store, "dataset_files");
    let files = repo.find_in(tx, doc! { "dataset": dataset }).await?;
    for f in &files {
        if f.uploaded {
            queue_garbage(tx, store, &f.key).await?;
        }
        repo.delete(tx, f.id).await?;
    }
    Ok(())
}
