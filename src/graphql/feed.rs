//! The change feed over GraphQL: `changes`, `changeFeedInfo` and the `changes` subscription.

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::context::{log_reader, tracker};
use super::types::collection::CollectionObject;
use super::types::common;
use super::types::dataset::DatasetObject;
use super::types::log::DataType;
use super::types::order::OrderObject;
use super::types::user::UserObject;
use crate::domain::feed::{parse_cursor, DEFAULT_FEED_PAGE};
use crate::domain::log_view::{EntityState, LogView, ViewAction};
use crate::error::ApiError;

/// What a change did, as the reader is told.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ChangeAction {
    /// The entity was created.
    Add,
    /// The entity was changed.
    Edit,
    /// The entity was deleted.
    Delete,
    /// The reader lost access to the entity (its access level, rules or editors changed): treat it like a
    /// deletion. A later change that makes it visible again comes as `EDIT` with the whole entity.
    Revoke,
}

impl From<ViewAction> for ChangeAction {
    fn from(a: ViewAction) -> Self {
        match a {
            ViewAction::Add => Self::Add,
            ViewAction::Edit => Self::Edit,
            ViewAction::Delete => Self::Delete,
            ViewAction::Revoke => Self::Revoke,
        }
    }
}

/// One entry of the change feed as the reader may see it.
pub struct ChangeObject(pub LogView);

/// A change to an order, dataset, collection or user, in commit order. Only changes to entities the reader
/// may read appear; an entity the reader could never see leaves no trace (not even its id).
#[Object(name = "Change")]
impl ChangeObject {
    /// Opaque cursor of this entry (today the decimal sequence number); pass it as `after` to continue.
    async fn cursor(&self) -> String {
        self.0.entry.seq.to_string()
    }
    /// The sequence number (gap-free, in commit order) as a decimal string.
    async fn sequence(&self) -> String {
        self.0.entry.seq.to_string()
    }
    /// What happened, as the reader is told (`REVOKE`: the reader lost access).
    async fn action(&self) -> ChangeAction {
        self.0.action.into()
    }
    /// The kind of entity.
    async fn data_type(&self) -> DataType {
        self.0.entry.data_type.into()
    }
    /// The entity's id.
    async fn entity_id(&self) -> ID {
        ID(self.0.entry.entity_id.to_string())
    }
    /// When the change was made (UTC).
    async fn timestamp(&self) -> DateTime<Utc> {
        common::utc(self.0.entry.timestamp)
    }
    /// Who made the change (a user id, or `system`); `null` unless the reader may read the entity's log or
    /// made the change.
    async fn actor_id(&self) -> Option<&str> {
        self.0.actor_visible.then_some(self.0.entry.user.as_str())
    }
    /// The order after the change, through the field rules of `order(id)`; `null` for other types and for
    /// `DELETE`/`REVOKE`.
    async fn order(&self) -> Option<OrderObject> {
        match &self.0.entity {
            Some(EntityState::Order(o)) => Some(OrderObject(o.clone())),
            _ => None,
        }
    }
    /// The dataset after the change, through the field rules of `dataset(id)`; `null` for other types and
    /// for `DELETE`/`REVOKE`.
    async fn dataset(&self) -> Option<DatasetObject> {
        match &self.0.entity {
            Some(EntityState::Dataset(d)) => Some(DatasetObject(d.clone())),
            _ => None,
        }
    }
    /// The collection after the change, through the field rules of `collection(id)`; `null` for other types
    /// and for `DELETE`.
    async fn collection(&self) -> Option<CollectionObject> {
        match &self.0.entity {
            Some(EntityState::Collection(c)) => Some(CollectionObject(c.clone())),
            _ => None,
        }
    }
    /// The user after the change, through the field rules of `user(id)`; `null` for other types and for
    /// `DELETE`.
    async fn user(&self) -> Option<UserObject> {
        match &self.0.entity {
            Some(EntityState::User(u)) => Some(UserObject(u.clone())),
            _ => None,
        }
    }
}

/// A page of the change feed.
#[derive(SimpleObject)]
#[graphql(name = "ChangePage")]
pub struct ChangePage {
    /// The entries the reader may see, in commit order.
    pub nodes: Vec<ChangeObject>,
    /// The last entry scanned (visible or not): pass it as `after` for the next page. Equals `after` when
    /// nothing was scanned (`"0"` when `after` was null and the feed is empty).
    pub end_cursor: String,
    /// Whether entries follow `endCursor`.
    pub has_next_page: bool,
}

/// The feed's extent.
#[derive(SimpleObject)]
#[graphql(name = "ChangeFeedInfo")]
pub struct ChangeFeedInfo {
    /// The cursor of the oldest entry; `null` when the feed is empty.
    pub oldest_cursor: Option<String>,
    /// The cursor of the newest entry; `null` when the feed is empty.
    pub newest_cursor: Option<String>,
}

/// Reads `after` (null: from the start).
pub fn cursor(after: Option<&str>) -> Result<i64, ApiError> {
    Ok(match after {
        Some(c) => parse_cursor(c)?,
        None => 0,
    })
}

/// Reads the `types` argument.
pub fn domain_types(types: Option<Vec<DataType>>) -> Vec<crate::domain::model::DataType> {
    types.unwrap_or_default().into_iter().map(Into::into).collect()
}

/// Change feed queries.
#[derive(Default)]
pub struct FeedQuery;

#[Object]
impl FeedQuery {
    /// Log entries after `after`, in commit order (gap-free sequence), only those the caller may see, each
    /// entity through the field rules of `order(id)`/`dataset(id)`/`collection(id)`/`user(id)`. At most
    /// 1,000 entries are scanned a page (`first`, default 100). An unknown or malformed cursor is
    /// `BAD_USER_INPUT`. Visible to everyone (anonymous callers see changes to public entities).
    #[graphql(complexity = "crate::graphql::cost::feed(first, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        first: Option<i32>,
        types: Option<Vec<DataType>>,
    ) -> Result<ChangePage, ApiError> {
        let after = cursor(after.as_deref())?;
        let first = match first {
            Some(n) if n < 0 => return Err(ApiError::bad_input("first", "must not be negative")),
            Some(n) => n as usize,
            None => DEFAULT_FEED_PAGE,
        };
        let reader = log_reader(ctx).await?;
        let page = tracker(ctx)?.changes(&reader, after, first, &domain_types(types)).await?;
        Ok(ChangePage {
            nodes: page.items.into_iter().map(ChangeObject).collect(),
            end_cursor: page.end.to_string(),
            has_next_page: page.has_next,
        })
    }

    /// The oldest and newest cursor of the feed (`null` when it is empty). Visible to everyone.
    async fn change_feed_info(&self, ctx: &Context<'_>) -> Result<ChangeFeedInfo, ApiError> {
        let info = tracker(ctx)?.feed_info().await?;
        Ok(ChangeFeedInfo {
            oldest_cursor: info.oldest.map(|s| s.to_string()),
            newest_cursor: info.newest.map(|s| s.to_string()),
        })
    }
}

/// Every subscription field.
#[derive(Default)]
pub struct Subscription;

#[async_graphql::Subscription]
impl Subscription {
    /// Replays the change feed from `after` (null: from the start), then streams new entries live; the same
    /// order and visibility as `changes`. Served over graphql-transport-ws at `/graphql/ws`. A subscriber that
    /// falls too far behind gets one error (`SERVICE_UNAVAILABLE`, reason `SLOW_CONSUMER`) and is ended: resume
    /// from the last cursor received.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        types: Option<Vec<DataType>>,
    ) -> Result<impl futures::Stream<Item = async_graphql::Result<ChangeObject>>, ApiError> {
        let after = cursor(after.as_deref())?;
        let hub = ctx
            .data_opt::<crate::domain::feed_hub::FeedHub>()
            .ok_or_else(|| ApiError::internal(&"feed hub missing from schema data"))?;
        let p = super::context::principal(ctx);
        let sub = crate::domain::feed_hub::Subscription::start(hub, p, after, domain_types(types)).await?;
        Ok(futures::stream::unfold(sub, |mut sub| async move {
            let item = sub.next().await?;
            Some((item.map(ChangeObject).map_err(stream_end), sub))
        }))
    }
}

fn stream_end(end: crate::domain::feed_hub::StreamEnd) -> async_graphql::Error {
    use crate::domain::feed_hub::StreamEnd;
    let (reason, message) = match end {
        StreamEnd::Lagged => ("SLOW_CONSUMER", "the subscriber fell behind; resume from the last cursor received"),
        StreamEnd::Failed => ("FEED_UNAVAILABLE", "the feed could not be read; resume from the last cursor received"),
    };
    async_graphql::ErrorExtensions::extend_with(async_graphql::Error::new(message), |_, ext| {
        ext.set("code", crate::error::ErrorCode::ServiceUnavailable.as_str());
        ext.set("reason", reason);
    })
}
