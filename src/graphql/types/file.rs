//! `DataFile`: a file of a dataset as its viewer sees it, with short-lived download URLs.

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::common;
use super::user::UserObject;
use crate::domain::file_model::{FileEvent, FileEventKind as DomainKind};
use crate::domain::files::{DataFiles, FileView};
use crate::error::ApiError;

/// The file service from the schema data.
pub fn files<'a>(ctx: &Context<'a>) -> Result<&'a DataFiles, ApiError> {
    ctx.data_opt::<DataFiles>().ok_or_else(|| ApiError::internal(&"file service missing from schema data"))
}

/// GraphQL wrapper of a file entry as one viewer sees it.
pub struct DataFileObject(pub FileView);

/// A short-lived download URL.
#[derive(SimpleObject)]
pub struct SignedUrl {
    /// The URL: an S3 presigned GET, or the service's own `/files/download/…` route with an HMAC signature
    /// bound to the viewer. Usable without other credentials until `expiresAt`; the service's route also
    /// stops serving it as soon as the viewer loses access.
    pub url: String,
    /// When the URL stops working (UTC).
    pub expires_at: DateTime<Utc>,
}

/// A file of a dataset. Visible to whoever can see the dataset. A parameterised file (key such as
/// `reports/{school}/summary.csv`) appears once per value the viewer is entitled to: the values of their
/// statistics scope for that column (or their affiliation for `{affiliation}`); `DATA_MANAGEMENT` gets
/// every value present in storage.
#[Object(name = "DataFile")]
impl DataFileObject {
    /// The file entry's id (the same for every value of a parameterised file).
    async fn id(&self) -> ID {
        ID(self.0.file.id.to_string())
    }
    /// File name offered to downloaders.
    async fn name(&self) -> &str {
        &self.0.file.name
    }
    /// Media type.
    async fn media_type(&self) -> &str {
        &self.0.file.media_type
    }
    /// Description.
    async fn description(&self) -> &str {
        &self.0.file.description
    }
    /// The object key (resolved for this value).
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// The placeholder name of a parameterised file (e.g. `school`); `null` for a plain file.
    async fn parameter(&self) -> Option<&str> {
        self.0.file.parameter.as_deref()
    }
    /// The value this entry stands for (parameterised files).
    async fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }
    /// Size in bytes, when known.
    async fn size(&self) -> Option<i64> {
        self.0.size
    }
    /// SHA-256 (hex): verified on upload; as declared for registered objects.
    async fn sha256(&self) -> Option<&str> {
        self.0.file.sha256.as_deref()
    }
    /// When the entry was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        common::utc(self.0.file.created_at)
    }
    /// Who created the entry (public profile); `null` for the service or a deleted user.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<UserObject>, ApiError> {
        match crate::domain::validate::id("createdBy", &self.0.file.created_by) {
            Ok(id) => common::user(ctx, id).await,
            Err(_) => Ok(None),
        }
    }
    /// Whether the object exists (a missing value of a parameterised file has no download).
    async fn available(&self) -> bool {
        self.0.unavailable.is_none()
    }
    /// Why there is no download, when `available` is false.
    async fn unavailable_reason(&self) -> Option<&str> {
        self.0.unavailable.as_deref()
    }
    /// A short-lived download URL, valid `expiresIn` seconds (default `DATATRACKER_FILES_URL_EXPIRY_SECS`,
    /// at most `DATATRACKER_FILES_URL_MAX_EXPIRY_SECS`); `null` when the object is missing. Every URL
    /// handed out is recorded (see `fileEvents`).
    async fn download_url(&self, ctx: &Context<'_>, expires_in: Option<i64>) -> Result<Option<SignedUrl>, ApiError> {
        let signed = files(ctx)?.download_url(&self.0, expires_in).await?;
        Ok(signed.map(|s| SignedUrl { url: s.url, expires_at: s.expires_at }))
    }
}

/// What a file event records.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::file_model::FileEventKind")]
pub enum FileEventKind {
    /// A download URL was handed out.
    UrlIssued,
    /// The service served a download (local directory store; S3 downloads go to the store directly).
    Download,
}

/// A download URL handed out or a download served.
pub struct FileEventObject(pub FileEvent);

/// A download URL handed out or a download served. Visible to `DATA_MANAGEMENT` and, for their datasets,
/// to the editors of the dataset's order.
#[Object(name = "FileEvent")]
impl FileEventObject {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What happened.
    async fn kind(&self) -> FileEventKind {
        let k: DomainKind = self.0.kind;
        k.into()
    }
    /// The file entry's id.
    async fn file_id(&self) -> ID {
        ID(self.0.file.to_string())
    }
    /// The dataset's id.
    async fn dataset_id(&self) -> ID {
        ID(self.0.dataset.to_string())
    }
    /// The object key.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// The parameter value, for a parameterised file.
    async fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }
    /// Who: a user id, or `anonymous`.
    async fn viewer(&self) -> &str {
        &self.0.viewer
    }
    /// When (UTC).
    async fn at(&self) -> DateTime<Utc> {
        common::utc(self.0.at)
    }
    /// The URL's expiry (URLs handed out).
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at.map(common::utc)
    }
    /// The byte range served (`Range` downloads).
    async fn range(&self) -> Option<&str> {
        self.0.range.as_deref()
    }
}
