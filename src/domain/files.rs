//! Data files of datasets: listing (parameterised keys resolved from the viewer), short-lived download
//! URLs, and the check behind the service's own download route. Storage is reached through
//! [`FileStore`]; reading a file always goes through the dataset's visibility ([`DatasetAccess`]).

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Uuid};

use super::file_model::{DataFile, FileEvent, FileEventKind};
use super::model::{new_id, Dataset};
use super::visibility::DatasetAccess;
use super::{DomainError, Principal, Tracker};
use crate::storage::keys::Template;
use crate::storage::signing::{encode_key, UrlClaim, UrlSigner};
use crate::storage::{FileStore, StorageError};
use crate::store::Repo;

/// The viewer name of anonymous URLs and events.
pub const ANONYMOUS_VIEWER: &str = "anonymous";
/// Most values a parameterised file expands to.
pub const MAX_VALUES: usize = 1000;

/// Limits of the file service.
#[derive(Debug, Clone)]
pub struct FileLimits {
    /// Largest upload in bytes.
    pub max_upload: u64,
    /// Default URL lifetime.
    pub url_expiry: Duration,
    /// Longest URL lifetime a caller may ask for.
    pub url_max_expiry: Duration,
    /// Whether download URLs are the backend's own presigned URLs (bearer grants) instead of the
    /// service's checked ones (S3 with `DATATRACKER_FILES_S3_DOWNLOADS=presigned`).
    pub presigned_urls: bool,
    /// Lifetime of the presigned GET a checked download redirects to (S3).
    pub redirect_ttl: Duration,
}

/// The data file service.
#[derive(Clone, Debug)]
pub struct DataFiles {
    pub(crate) tracker: Tracker,
    pub(crate) files: Repo<DataFile>,
    pub(crate) events: Repo<FileEvent>,
    pub(crate) storage: Arc<dyn FileStore>,
    signer: UrlSigner,
    base_url: url::Url,
    pub(crate) limits: FileLimits,
}

/// One entry of a dataset's file list: a plain file, or one value of a parameterised file.
#[derive(Debug, Clone)]
pub struct FileView {
    /// The stored entry.
    pub file: DataFile,
    /// The parameter value (parameterised files).
    pub value: Option<String>,
    /// The object key.
    pub key: String,
    /// Size in bytes, when known.
    pub size: Option<i64>,
    /// Why there is no download, when there is none (the object is missing).
    pub unavailable: Option<String>,
    /// Who is viewing (for the URLs).
    viewer: String,
}

impl FileView {
    /// The stored entry itself, as just created by `p` (a parameterised entry has no download of its own).
    pub fn entry(p: &Principal, file: DataFile) -> Self {
        let unavailable = file.parameter.as_ref().map(|param| format!("one object per value of {{{param}}}"));
        Self { key: file.key.clone(), size: file.size, value: None, unavailable, viewer: viewer_name(p), file }
    }
}

/// A short-lived download URL.
#[derive(Debug, Clone)]
pub struct SignedUrl {
    /// The URL.
    pub url: String,
    /// When it stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What the download route may serve after [`DataFiles::authorize_download`].
#[derive(Debug, Clone)]
pub struct Download {
    /// The object key.
    pub key: String,
    /// The file entry.
    pub file: DataFile,
    /// The parameter value, if any.
    pub value: Option<String>,
}

/// Why the download route refuses a URL (all answered 403, with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadRefusal {
    /// Signature does not match (tampered, other path, other viewer, other file).
    #[error("invalid signature")]
    BadSignature,
    /// Past its expiry.
    #[error("this link has expired")]
    Expired,
    /// The key is not a safe path (`..` and the like).
    #[error("invalid path")]
    BadPath,
    /// The request is authenticated as someone other than the viewer the URL was issued to.
    #[error("this link was issued to another user")]
    OtherViewer,
    /// The viewer may no longer read the file (access revoked, file or dataset deleted).
    #[error("access to this file is no longer granted")]
    Revoked,
}

fn storage_err(e: StorageError) -> DomainError {
    match e {
        StorageError::BadKey(m) => DomainError::invalid("key", m),
        other => DomainError::Internal(other.to_string()),
    }
}

fn viewer_name(p: &Principal) -> String {
    p.user_id().map(|u| u.to_string()).unwrap_or_else(|| ANONYMOUS_VIEWER.to_owned())
}

impl DataFiles {
    /// The service over `tracker`'s database and `storage`; URLs are signed with a key derived from `secret`.
    pub fn new(
        tracker: Tracker,
        storage: Arc<dyn FileStore>,
        secret: &str,
        base_url: url::Url,
        limits: FileLimits,
    ) -> Self {
        let store = tracker.store().clone();
        Self {
            files: Repo::new(&store, "dataset_files"),
            events: Repo::new(&store, "file_events"),
            tracker,
            storage,
            signer: UrlSigner::new(secret),
            base_url,
            limits,
        }
    }

    /// The storage backend.
    pub fn storage(&self) -> &Arc<dyn FileStore> {
        &self.storage
    }

    /// For a checked download granted until `expires` (Unix seconds): the backend's own presigned GET to
    /// redirect to, valid for the configured few seconds (never past `expires`); `None` when the service
    /// serves the object itself (local directory).
    pub async fn redirect_url(&self, key: &str, expires: i64) -> Result<Option<String>, DomainError> {
        let left = (expires - chrono::Utc::now().timestamp()).max(1) as u64;
        let ttl = self.limits.redirect_ttl.min(Duration::from_secs(left));
        self.storage.presigned_get(key, ttl).await.map_err(storage_err)
    }

    /// The file entries of the datasets `ids`, in creation order.
    pub async fn entries_of(&self, ids: &[Uuid]) -> Result<Vec<DataFile>, DomainError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.files.find(doc! { "dataset": { "$in": ids.to_vec() } }).await?)
    }

    /// The values of `parameter` that `p` is entitled to: `DATA_MANAGEMENT` gets every value present in
    /// storage under the template; a user gets their affiliation (`{affiliation}`) or the values their
    /// statistics scope lists for the column of that name; anonymous gets none.
    pub async fn entitled_values(&self, p: &Principal, t: &Template) -> Result<Vec<String>, DomainError> {
        let Some(param) = t.parameter() else { return Ok(Vec::new()) };
        if DatasetAccess::reads_all(p) {
            let keys = self.storage.list(t.prefix(), MAX_VALUES * 10).await.map_err(storage_err)?;
            let mut values: Vec<String> = keys.iter().filter_map(|k| t.value_of(k)).collect();
            values.sort();
            values.dedup();
            values.truncate(MAX_VALUES);
            return Ok(values);
        }
        let Some(v) = p.viewer() else { return Ok(Vec::new()) };
        let mut values: Vec<String> = if param == "affiliation" {
            v.affiliation.iter().cloned().collect()
        } else {
            v.scope.iter().filter(|f| f.column == param).flat_map(|f| f.values.iter().cloned()).collect()
        };
        values.sort();
        values.dedup();
        values.truncate(MAX_VALUES);
        Ok(values)
    }

    /// The file list of `ds` as `p` sees it: plain files once; parameterised files once per value `p` is
    /// entitled to, each checked in storage (a missing object gets no URL and an explanation, without
    /// failing the rest). Empty when `access` does not admit the dataset.
    pub async fn views(
        &self,
        p: &Principal,
        access: &DatasetAccess,
        ds: &Dataset,
        entries: Vec<DataFile>,
    ) -> Result<Vec<FileView>, DomainError> {
        if !access.admits(ds) {
            return Ok(Vec::new());
        }
        let viewer = viewer_name(p);
        let mut out = Vec::new();
        for file in entries.into_iter().filter(|f| f.dataset == ds.id) {
            let t = match Template::parse(&file.key) {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(file = %file.id, error = %e, "stored file key is not a valid template");
                    continue;
                }
            };
            if t.parameter().is_none() {
                let (key, size) = (file.key.clone(), file.size);
                out.push(FileView { file, value: None, key, size, unavailable: None, viewer: viewer.clone() });
                continue;
            }
            for value in self.entitled_values(p, &t).await? {
                let Ok(key) = t.resolve(&value) else { continue };
                let head = self.storage.head(&key).await;
                let (size, unavailable) = match head {
                    Ok(Some(info)) => (i64::try_from(info.size).ok(), None),
                    Ok(None) => (None, Some(format!("no file for {} = {value}", t.parameter().unwrap_or("value")))),
                    Err(e) => {
                        tracing::warn!(key = %key, error = %e, "cannot check a data file object");
                        (None, Some("the file cannot be checked right now".to_owned()))
                    }
                };
                out.push(FileView {
                    file: file.clone(),
                    value: Some(value),
                    key,
                    size,
                    unavailable,
                    viewer: viewer.clone(),
                });
            }
        }
        Ok(out)
    }

    /// A short-lived download URL for a listed file (valid `expires_in` seconds, default the configured
    /// lifetime), recorded as handed out. `None` when the object is missing.
    pub async fn download_url(
        &self,
        view: &FileView,
        expires_in: Option<i64>,
    ) -> Result<Option<SignedUrl>, DomainError> {
        if view.unavailable.is_some() {
            return Ok(None);
        }
        let ttl = match expires_in {
            None => self.limits.url_expiry,
            Some(s) if s >= 1 && (s as u64) <= self.limits.url_max_expiry.as_secs() => Duration::from_secs(s as u64),
            Some(_) => {
                return Err(DomainError::invalid(
                    "expiresIn",
                    format!("must be between 1 and {} seconds", self.limits.url_max_expiry.as_secs()),
                ))
            }
        };
        let signed = self.sign(view, ttl).await?;
        self.record(FileEvent {
            id: new_id(),
            kind: FileEventKind::UrlIssued,
            file: view.file.id,
            dataset: view.file.dataset,
            key: view.key.clone(),
            value: view.value.clone(),
            viewer: view.viewer.clone(),
            at: bson::DateTime::now(),
            expires_at: Some(bson::DateTime::from_chrono(signed.expires_at)),
            range: None,
        })
        .await?;
        Ok(Some(signed))
    }

    /// Signs a URL for `view` valid for `ttl` (no database access).
    pub async fn sign(&self, view: &FileView, ttl: Duration) -> Result<SignedUrl, DomainError> {
        let now = chrono::Utc::now();
        let expires_at = now + chrono::Duration::seconds(ttl.as_secs() as i64);
        if self.limits.presigned_urls {
            if let Some(url) = self.storage.presigned_get(&view.key, ttl).await.map_err(storage_err)? {
                return Ok(SignedUrl { url, expires_at });
            }
        }
        let claim = UrlClaim {
            file: view.file.id.to_string(),
            key: view.key.clone(),
            expires: expires_at.timestamp(),
            viewer: view.viewer.clone(),
        };
        let sig = self.signer.sign(&claim);
        let base = self.base_url.as_str().trim_end_matches('/');
        let url = format!(
            "{base}/files/download/{}?file={}&expires={}&viewer={}&sig={sig}",
            encode_key(&claim.key),
            claim.file,
            claim.expires,
            claim.viewer
        );
        Ok(SignedUrl { url, expires_at })
    }

    /// Records a URL handed out or a download served.
    pub(crate) async fn record(&self, event: FileEvent) -> Result<(), DomainError> {
        self.events
            .raw()
            .insert_one(bson::to_document(&event).map_err(|e| DomainError::Internal(e.to_string()))?)
            .await
            .map_err(crate::store::StoreError::from)?;
        Ok(())
    }

    /// Checks a signed URL presented to the download route. `viewer` is the principal of the user the URL
    /// was issued to (loaded afresh, so revoked permissions count), `requester` the principal of the
    /// request itself (anonymous when it carries no credentials). Re-checks that the viewer may still read
    /// the dataset and the value; records the download when `record`.
    pub async fn authorize_download(
        &self,
        claim: &UrlClaim,
        sig: &str,
        viewer: &Principal,
        requester: &Principal,
        range: Option<String>,
        record: bool,
    ) -> Result<Download, DownloadRefusal> {
        if crate::storage::keys::check(&claim.key).is_err() {
            return Err(DownloadRefusal::BadPath);
        }
        if !self.signer.verify(claim, sig) {
            return Err(DownloadRefusal::BadSignature);
        }
        if claim.expires < chrono::Utc::now().timestamp() {
            return Err(DownloadRefusal::Expired);
        }
        if requester.user_id().is_some() && viewer_name(requester) != claim.viewer {
            return Err(DownloadRefusal::OtherViewer);
        }
        if viewer_name(viewer) != claim.viewer {
            return Err(DownloadRefusal::Revoked);
        }
        let revoked = |_| DownloadRefusal::Revoked;
        let file_id = crate::domain::validate::id("file", &claim.file).map_err(revoked)?;
        let file =
            self.files.get(file_id).await.map_err(|_| DownloadRefusal::Revoked)?.ok_or(DownloadRefusal::Revoked)?;
        let access = self.tracker.dataset_access(viewer).await.map_err(revoked)?;
        self.tracker.dataset_by_id(&access, file.dataset).await.map_err(revoked)?.ok_or(DownloadRefusal::Revoked)?;
        let t = Template::parse(&file.key).map_err(|_| DownloadRefusal::Revoked)?;
        let value = match t.parameter() {
            None if claim.key == file.key => None,
            None => return Err(DownloadRefusal::Revoked),
            Some(_) => {
                let value = t.value_of(&claim.key).ok_or(DownloadRefusal::Revoked)?;
                let entitled = self.entitled_values(viewer, &t).await.map_err(revoked)?;
                if !entitled.contains(&value) {
                    return Err(DownloadRefusal::Revoked);
                }
                Some(value)
            }
        };
        let event = FileEvent {
            id: new_id(),
            kind: FileEventKind::Download,
            file: file.id,
            dataset: file.dataset,
            key: claim.key.clone(),
            value: value.clone(),
            viewer: claim.viewer.clone(),
            at: bson::DateTime::now(),
            expires_at: None,
            range,
        };
        if record {
            self.record(event).await.map_err(revoked)?;
        }
        Ok(Download { key: claim.key.clone(), file, value })
    }
}
