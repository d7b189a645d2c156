//! Stored data file entries and the record of download URLs handed out and downloads served.

use bson::{DateTime, Uuid};
use serde::{Deserialize, Serialize};

/// A file of a dataset: one object, or one object per value of a parameterised key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataFile {
    /// Id.
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// The dataset it belongs to.
    pub dataset: Uuid,
    /// File name offered to downloaders.
    pub name: String,
    /// Object key, or a key template with one placeholder such as `reports/{school}/summary.csv`.
    pub key: String,
    /// The placeholder's name, when the key is a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Size in bytes (plain keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// SHA-256, hex (verified for uploads; as declared for registered keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Media type.
    pub media_type: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Whether the object was uploaded through the service (then the service removes it with the entry).
    pub uploaded: bool,
    /// Created at.
    pub created_at: DateTime,
    /// Who created it: a user id, or `system`.
    pub created_by: String,
}

/// What a file event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileEventKind {
    /// A download URL was handed out.
    UrlIssued,
    /// The service served a download (local directory store).
    Download,
}

/// One URL handed out or one download served.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileEvent {
    /// Id (time-ordered).
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// What happened.
    pub kind: FileEventKind,
    /// The file entry.
    pub file: Uuid,
    /// Its dataset.
    pub dataset: Uuid,
    /// The object key.
    pub key: String,
    /// The parameter value, for a parameterised file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Who: a user id, or `anonymous`.
    pub viewer: String,
    /// When.
    pub at: DateTime,
    /// The URL's expiry (URLs handed out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime>,
    /// The byte range served (downloads with `Range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
}
