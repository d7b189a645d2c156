//! `Order`: visible only to its editors, `DATA_MANAGEMENT` and `OWNERS_READ`.

use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};

use super::common::{self, connection, page_request, Conn};
use super::dataset::DatasetObject;
use super::log::LogEntryObject;
use super::user::UserObject;
use crate::domain::model::Order;
use crate::domain::visibility::can_read_order_logs;
use crate::error::ApiError;
use crate::graphql::context::{loader, log_reader, principal, tracker, visible_datasets};
use crate::graphql::loaders::DatasetsOfOrder;

/// GraphQL wrapper of a domain `Order`.
pub struct OrderObject(pub Order);

/// An order: a request to produce data. Only its editors, holders of `DATA_MANAGEMENT` and holders of
/// `OWNERS_READ` (read-only) can see an order; to anyone else it does not exist (`order(id)` is `null`).
/// Every field below is visible to whoever can see the order, except `log`.
#[Object(name = "Order")]
impl OrderObject {
    /// Id (UUID). Visible to whoever can see the order.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Title (non-empty). Visible to whoever can see the order.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Description (markdown). Visible to whoever can see the order.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Users who generate the data (public profiles). Visible to whoever can see the order.
    #[graphql(complexity = "crate::graphql::cost::people(child_complexity)")]
    async fn generators(&self, ctx: &Context<'_>) -> Result<Vec<UserObject>, ApiError> {
        common::users(ctx, &self.0.generators).await
    }
    /// Users credited as authors (public profiles). Visible to whoever can see the order.
    #[graphql(complexity = "crate::graphql::cost::people(child_complexity)")]
    async fn authors(&self, ctx: &Context<'_>) -> Result<Vec<UserObject>, ApiError> {
        common::users(ctx, &self.0.authors).await
    }
    /// The organisation (a user; public profile). `null` only if that user was removed. Visible to whoever can see the order.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<UserObject>, ApiError> {
        common::user(ctx, self.0.organisation).await
    }
    /// Editors: the users who may change the order and its datasets (owner information). Visible to whoever can see the order.
    #[graphql(complexity = "crate::graphql::cost::people(child_complexity)")]
    async fn editors(&self, ctx: &Context<'_>) -> Result<Vec<UserObject>, ApiError> {
        common::users(ctx, &self.0.editors).await
    }
    /// The order's datasets that the caller may see (`OWNERS_READ` alone does not reveal `PROTECTED` or
    /// `PRIVATE` ones), oldest first: the first `first` of them (default and at most 100). Added and removed
    /// only through the dataset mutations.
    #[graphql(complexity = "crate::graphql::cost::nested(first, child_complexity)")]
    async fn datasets(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<DatasetObject>, ApiError> {
        let n = crate::graphql::cost::nested_len(first)?;
        let list = loader(ctx)?.load_one(DatasetsOfOrder(self.0.id)).await.map_err(|e| ApiError::internal(&e))?;
        let mut visible = visible_datasets(ctx, list.unwrap_or_default()).await?;
        visible.truncate(n);
        Ok(visible)
    }
    /// Tags from the standard vocabulary (`standardTags`). Visible to whoever can see the order.
    async fn tags_standard(&self) -> &[String] {
        &self.0.tags_standard
    }
    /// Free tags. Visible to whoever can see the order.
    async fn tags_user(&self) -> &[String] {
        &self.0.tags_user
    }
    /// Version, incremented by every change. Pass it back in an update to refuse the update (`CONFLICT`)
    /// if someone else changed the order in between; updates are compare-and-set on this version. Visible to whoever can see the order.
    async fn version(&self) -> i64 {
        self.0.version
    }
    /// When the order was created (UTC). Visible to whoever can see the order.
    async fn created_at(&self) -> DateTime<Utc> {
        common::utc(self.0.created_at)
    }
    /// When the order last changed (UTC). Visible to whoever can see the order.
    async fn updated_at(&self) -> DateTime<Utc> {
        common::utc(self.0.updated_at)
    }
    /// Change log, oldest first. Visible to the order's editors and `DATA_MANAGEMENT`; `null` otherwise.
    #[graphql(complexity = "crate::graphql::cost::page(first, child_complexity)")]
    async fn log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Option<Conn<LogEntryObject>>, ApiError> {
        let allowed = can_read_order_logs(principal(ctx), &self.0);
        let page =
            tracker(ctx)?.log_of(&log_reader(ctx).await?, allowed, self.0.id, page_request(first, after)?).await?;
        Ok(page.map(|p| connection(p, |l| l.entry.id, LogEntryObject)))
    }
}
