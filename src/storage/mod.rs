//! Data file storage behind one small trait, [`FileStore`]: a local directory (the embedded default; the
//! service serves its files itself behind HMAC-signed URLs, see [`signing`]) or an S3-compatible object
//! store (presigned GET URLs). Uploads are streamed: never a whole file in memory.

pub mod keys;
pub mod local;
pub mod s3;
pub mod signing;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::BoxStream;

use crate::config::{FilesBackend, FilesSettings};

/// A stream of bytes in or out of the store.
pub type ByteStream = BoxStream<'static, Result<Bytes, StorageError>>;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No object under the key.
    #[error("no such object")]
    NotFound,
    /// The upload is larger than the limit; nothing was stored.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The SHA-256 of the upload is not the one announced; nothing was stored.
    #[error("checksum mismatch: announced {expected}, received {actual}")]
    ChecksumMismatch {
        /// The announced checksum (hex).
        expected: String,
        /// The checksum of the received bytes (hex).
        actual: String,
    },
    /// The key is not a safe relative path.
    #[error("bad key: {0}")]
    BadKey(String),
    /// The requested range is outside the object.
    #[error("range not satisfiable")]
    BadRange,
    /// Reading the upload body failed (client went away).
    #[error("upload interrupted: {0}")]
    Body(String),
    /// The backend failed.
    #[error("storage backend error: {0}")]
    Backend(String),
}

/// What an upload stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// A stored object's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
}

/// What an upload must satisfy.
#[derive(Debug, Clone)]
pub struct PutRequest {
    /// Most bytes accepted.
    pub limit: u64,
    /// The SHA-256 the content must have (hex), when announced.
    pub expected_sha256: Option<String>,
    /// The file name offered to downloaders (`Content-Disposition: attachment`).
    pub download_name: String,
    /// The media type.
    pub media_type: String,
}

/// A data file store.
#[async_trait::async_trait]
pub trait FileStore: Send + Sync + std::fmt::Debug {
    /// Streams `body` to `key`, computing size and SHA-256 on the way. Refuses more than `req.limit` bytes
    /// and a checksum other than the announced one; on any error nothing remains under `key`.
    async fn put(&self, key: &str, body: ByteStream, req: PutRequest) -> Result<Stored, StorageError>;
    /// The object's metadata, or `None` when there is no object under `key`.
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError>;
    /// Removes the object (no error when it is already gone).
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
    /// Keys of the objects under `prefix` (at most `max`).
    async fn list(&self, prefix: &str, max: usize) -> Result<Vec<String>, StorageError>;
    /// Streams the object, or `range` of it (`start..end`, end exclusive).
    async fn read(&self, key: &str, range: Option<std::ops::Range<u64>>) -> Result<ByteStream, StorageError>;
    /// A presigned GET URL valid for `expires_in`, when the backend signs its own URLs (S3); `None` when
    /// the service serves the object itself (local directory).
    async fn presigned_get(&self, key: &str, expires_in: Duration) -> Result<Option<String>, StorageError>;
}

/// Opens the configured store. The local directory is created on first write. An S3 configuration the
/// client refuses gives a store whose every operation fails with that reason (logged at start).
pub fn open(settings: &FilesSettings) -> Arc<dyn FileStore> {
    match &settings.backend {
        FilesBackend::Local { root } => Arc::new(local::LocalDir::new(root)),
        FilesBackend::S3(s3) => match s3::S3Store::new(s3) {
            Ok(store) => Arc::new(store),
            Err(e) => {
                tracing::error!(error = %e, "the S3 file store cannot be configured; file operations will fail");
                Arc::new(Unavailable(e.to_string()))
            }
        },
    }
}

/// A store that cannot work (its configuration was refused); every operation fails with the reason.
#[derive(Debug)]
pub struct Unavailable(String);

#[async_trait::async_trait]
impl FileStore for Unavailable {
    async fn put(&self, _: &str, _: ByteStream, _: PutRequest) -> Result<Stored, StorageError> {
        Err(StorageError::Backend(self.0.clone()))
    }
    async fn head(&self, _: &str) -> Result<Option<ObjectInfo>, StorageError> {
        Err(StorageError::Backend(self.0.clone()))
    }
    async fn delete(&self, _: &str) -> Result<(), StorageError> {
        Err(StorageError::Backend(self.0.clone()))
    }
    async fn list(&self, _: &str, _: usize) -> Result<Vec<String>, StorageError> {
        Err(StorageError::Backend(self.0.clone()))
    }
    async fn read(&self, _: &str, _: Option<std::ops::Range<u64>>) -> Result<ByteStream, StorageError> {
        Err(StorageError::Backend(self.0.clone()))
    }
    async fn presigned_get(&self, _: &str, _: Duration) -> Result<Option<String>, StorageError> {
        Err(StorageError::Backend(self.0.clone()))
    }
}

/// Hex SHA-256 check of an announced checksum: 64 hex digits, lower-cased.
pub fn normalise_sha256(raw: &str) -> Option<String> {
    let v = raw.trim().to_ascii_lowercase();
    (v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())).then_some(v)
}

/// Compares the received checksum with the announced one.
pub(crate) fn check_checksum(expected: &Option<String>, actual: &str) -> Result<(), StorageError> {
    match expected {
        Some(e) if e != actual => {
            Err(StorageError::ChecksumMismatch { expected: e.clone(), actual: actual.to_owned() })
        }
        _ => Ok(()),
    }
}

/// `Content-Disposition: attachment` for `name` (ASCII fallback plus RFC 5987 UTF-8 form).
pub fn attachment(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encode(name))
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
