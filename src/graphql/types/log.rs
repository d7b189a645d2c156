//! `LogEntry`: one recorded change. Reached only through connections that checked who may read them.

use async_graphql::{Context, Enum, Json, Object, ID};
use chrono::{DateTime, Utc};

use super::common::{self, bson_to_json};
use super::user::UserObject;
use crate::domain::model::LogEntry;
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

/// GraphQL wrapper of a domain `LogEntry`.
pub struct LogEntryObject(pub LogEntry);

/// A recorded change, written in the same transaction as the change. Visible as part of the `log` or
/// `actions` it belongs to, with the same visibility.
#[Object(name = "LogEntry")]
impl LogEntryObject {
    /// Id (UUID, time-ordered). Visible to whoever can read the log it belongs to.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What happened. Visible to whoever can read the log it belongs to.
    async fn action(&self) -> LogAction {
        self.0.action.into()
    }
    /// A short description. Visible to whoever can read the log it belongs to.
    async fn comment(&self) -> &str {
        &self.0.comment
    }
    /// The kind of entry changed. Visible to whoever can read the log it belongs to.
    async fn data_type(&self) -> DataType {
        self.0.data_type.into()
    }
    /// The id of the entry changed. Visible to whoever can read the log it belongs to.
    async fn entity_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// A full copy of the entry after the change (on delete: its id). Never contains API key material. Visible to whoever can read the log it belongs to.
    async fn data(&self) -> Json<serde_json::Value> {
        Json(bson_to_json(&self.0.data))
    }
    /// When (UTC). Visible to whoever can read the log it belongs to.
    async fn timestamp(&self) -> DateTime<Utc> {
        common::utc(self.0.timestamp)
    }
    /// Who made the change: a user id, or `system`. Visible to whoever can read the log it belongs to.
    async fn actor_id(&self) -> &str {
        &self.0.user
    }
    /// Who made the change (public profile); `null` for `system` or a user since deleted. Visible to whoever can read the log it belongs to.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<UserObject>, ApiError> {
        match uuid::Uuid::parse_str(&self.0.user) {
            Ok(id) => common::user(ctx, bson::Uuid::from(id)).await,
            Err(_) => Ok(None),
        }
    }
}
