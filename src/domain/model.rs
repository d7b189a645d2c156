//! The stored entities. Field names are the MongoDB document keys (camelCase); ids are UUIDs stored as
//! BSON binary subtype 4, version 7 (time-ordered, so ordering by id is ordering by creation).

use bson::{DateTime, Uuid};
use serde::{Deserialize, Serialize};

/// A new time-ordered id.
pub fn new_id() -> Uuid {
    Uuid::from(uuid::Uuid::now_v7())
}

/// An external identifier or link (a DOI, an accession number, a URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossReference {
    /// What kind of identifier (`DOI`, `URL`, `ENA`, …); free text.
    #[serde(default)]
    pub kind: String,
    /// The identifier itself.
    pub value: String,
    /// A link to it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// An order: a request to produce data, owned by its editors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Id.
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// Title, non-empty.
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Users who generate the data.
    #[serde(default)]
    pub generators: Vec<Uuid>,
    /// Users credited as authors.
    #[serde(default)]
    pub authors: Vec<Uuid>,
    /// The organisation (a user).
    pub organisation: Uuid,
    /// Users who may edit; never empty.
    pub editors: Vec<Uuid>,
    /// Tags from the standard vocabulary.
    #[serde(default)]
    pub tags_standard: Vec<String>,
    /// Free tags.
    #[serde(default)]
    pub tags_user: Vec<String>,
    /// Incremented on every change (compare-and-set).
    pub version: i64,
    /// Created at.
    pub created_at: DateTime,
    /// Last changed at.
    pub updated_at: DateTime,
}

/// A dataset; belongs to one order for life.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    /// Id.
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// The order it belongs to (owner information).
    pub order: Uuid,
    /// Title, non-empty.
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Tags from the standard vocabulary.
    #[serde(default)]
    pub tags_standard: Vec<String>,
    /// Free tags.
    #[serde(default)]
    pub tags_user: Vec<String>,
    /// External identifiers and links.
    #[serde(default)]
    pub cross_references: Vec<CrossReference>,
    /// Who may read it (missing in documents older than access levels: public).
    #[serde(default)]
    pub access: AccessLevel,
    /// Who a `PROTECTED` dataset admits (kept, but without effect, at the other levels).
    #[serde(default)]
    pub access_rules: AccessRules,
    /// Incremented on every change.
    pub version: i64,
    /// Created at.
    pub created_at: DateTime,
    /// Last changed at.
    pub updated_at: DateTime,
}

/// Who may read a dataset. See [`crate::domain::visibility::DatasetAccess`] for the one place it is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AccessLevel {
    /// Everyone, anonymous included.
    #[default]
    Public,
    /// Those its access rules admit, its order's editors and `DATA_MANAGEMENT`.
    Protected,
    /// Only its order's editors and `DATA_MANAGEMENT`.
    Private,
}

impl AccessLevel {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::Protected => "PROTECTED",
            Self::Private => "PRIVATE",
        }
    }
}

/// The rules of a `PROTECTED` dataset. Any one rule admits a viewer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRules {
    /// These users.
    #[serde(default)]
    pub users: Vec<Uuid>,
    /// Holders of any of these permissions (after implications).
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Users whose affiliation is exactly one of these.
    #[serde(default)]
    pub affiliations: Vec<String>,
    /// Users whose statistics scope lists one of these values for the column.
    #[serde(default)]
    pub scope: Vec<ScopeValue>,
}

/// One value of a statistics scope column, e.g. `school = Greenwood`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeValue {
    /// Frame column.
    pub column: String,
    /// The value.
    pub value: String,
}

/// A collection of datasets, owned by its editors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// Id.
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// Title, non-empty.
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Datasets in the collection.
    #[serde(default)]
    pub datasets: Vec<Uuid>,
    /// Users who may edit; never empty.
    pub editors: Vec<Uuid>,
    /// Tags from the standard vocabulary.
    #[serde(default)]
    pub tags_standard: Vec<String>,
    /// Free tags.
    #[serde(default)]
    pub tags_user: Vec<String>,
    /// External identifiers and links.
    #[serde(default)]
    pub cross_references: Vec<CrossReference>,
    /// Incremented on every change.
    pub version: i64,
    /// Created at.
    pub created_at: DateTime,
    /// Last changed at.
    pub updated_at: DateTime,
}

/// A stored API key: salted SHA-512, never readable through the API.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyHash {
    /// Hex SHA-512 of salt ‖ key.
    pub hash: String,
    /// Hex 8-byte random salt.
    pub salt: String,
    /// When the key was generated.
    pub created_at: DateTime,
}

impl std::fmt::Debug for ApiKeyHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKeyHash([redacted])")
    }
}

/// A statistics scope filter: the user only sees rows where `column` is one of `values`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeFilter {
    /// Frame column.
    pub column: String,
    /// Allowed values.
    pub values: Vec<String>,
}

/// A user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Id.
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// Display name, non-empty.
    pub name: String,
    /// Contact email (private), lower-cased; unique among verified emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email is proven: released as verified by an identity provider, or set by a
    /// `USER_MANAGEMENT` operator (or the operator CLI) on someone else's account. Only a verified email
    /// links a provider login to this account; an email a user types into their own profile is not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub email_verified: bool,
    /// Email shown publicly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_public: Option<String>,
    /// Affiliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    /// ORCID iD (`0000-0000-0000-000X`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orcid: Option<String>,
    /// Homepage (http or https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Permission names (unknown names are kept but grant nothing).
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Login identities, `identifier::source`.
    #[serde(default)]
    pub auth_ids: Vec<String>,
    /// The API key hash, if a key was generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyHash>,
    /// Statistics scope filters.
    #[serde(default)]
    pub scope: Vec<ScopeFilter>,
    /// Session epoch: sessions carry the epoch they were issued in, and bumping it ends them all.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub session_epoch: i64,
    /// Incremented on every change.
    pub version: i64,
    /// Created at.
    pub created_at: DateTime,
    /// Last changed at.
    pub updated_at: DateTime,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// What a log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogAction {
    /// Created.
    Add,
    /// Changed.
    Edit,
    /// Deleted.
    Delete,
}

/// The kind of entity a log entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    /// An order.
    Order,
    /// A dataset.
    Dataset,
    /// A collection.
    Collection,
    /// A user.
    User,
}

/// A change log entry: written in the same transaction as the change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Position in the change feed: gap-free, in commit order (see [`crate::store::sequence`]); numbered when
    /// the transaction commits.
    #[serde(default)]
    pub seq: i64,
    /// Id (time-ordered).
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// What happened.
    pub action: LogAction,
    /// A short description.
    #[serde(default)]
    pub comment: String,
    /// Kind of entity.
    pub data_type: DataType,
    /// The entity's id.
    pub entity_id: Uuid,
    /// Full copy of the new document (never with API key material); on delete, the id.
    pub data: bson::Bson,
    /// When (UTC).
    pub timestamp: DateTime,
    /// The actor: a user id, or `system`.
    pub user: String,
}
