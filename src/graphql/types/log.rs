//! `LogEntry`: one recorded change. Reached only through connections that checked who may read them.

use async_graphql::{Context, Enum, Json, Object, ID};
use chrono::{DateTime, Utc};

use super::common::{self, bson_to_json};
use super::user::UserObject;
use crate::domain::log_view::LogView;
use crate::error::ApiError;

/// What a log entry records.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::model::LogAction")]
pub enum LogAction {
    /// The entry was created.
    Add,
    /// The entry was changed.
    Edit,
    /// The entry was deleted.
    Delete,
}

/// The kind of entry a log entry is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::model::DataType")]
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

/// GraphQL wrapper of a log entry as its reader may see it (rendered by `domain::log_view`).
pub struct LogEntryObject(pub LogView);

/// A recorded change, written in the same transaction as the change. Visible as part of the `log` or
/// `actions` it belongs to, with the same visibility; its `data` shows only what the reader could read of
/// the entity directly (`order(id)`, `dataset(id)`, `collection(id)`, `user(id)`), and entries about
/// entities the reader may not see are left out of `actions`.
#[Object(name = "LogEntry")]
impl LogEntryObject {
    /// Id (UUID, time-ordered). Visible to whoever can read the log it belongs to.
    async fn id(&self) -> ID {
        ID(self.0.entry.id.to_string())
    }
    /// What happened. Visible to whoever can read the log it belongs to.
    async fn action(&self) -> LogAction {
        self.0.entry.action.into()
    }
    /// A short description. Visible to whoever can read the log it belongs to.
    async fn comment(&self) -> &str {
        &self.0.entry.comment
    }
    /// The kind of entry changed. Visible to whoever can read the log it belongs to.
    async fn data_type(&self) -> DataType {
        self.0.entry.data_type.into()
    }
    /// The id of the entry changed. Visible to whoever can read the log it belongs to.
    async fn entity_id(&self) -> ID {
        ID(self.0.entry.entity_id.to_string())
    }
    /// The entry after the change as the reader could read it directly: the fields `order(id)`,
    /// `dataset(id)`, `collection(id)` or `user(id)` would show them (a file entry: the file's fields); on
    /// delete, its id. Never the raw stored copy, never API key material.
    async fn data(&self) -> Json<serde_json::Value> {
        Json(bson_to_json(&self.0.entry.data))
    }
    /// Position in the change feed (gap-free, in commit order; a decimal string). Visible to whoever can
    /// read the log it belongs to.
    async fn sequence(&self) -> String {
        self.0.entry.seq.to_string()
    }
    /// When (UTC). Visible to whoever can read the log it belongs to.
    async fn timestamp(&self) -> DateTime<Utc> {
        common::utc(self.0.entry.timestamp)
    }
    /// Who made the change: a user id, or `system`. Visible to whoever can read the log it belongs to.
    async fn actor_id(&self) -> &str {
        &self.0.entry.user
    }
    /// Who made the change (public profile); `null` for `system` or a user since deleted. Visible to whoever can read the log it belongs to.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<UserObject>, ApiError> {
        match uuid::Uuid::parse_str(&self.0.entry.user) {
            Ok(id) => common::user(ctx, bson::Uuid::from(id)).await,
            Err(_) => Ok(None),
        }
    }
}
