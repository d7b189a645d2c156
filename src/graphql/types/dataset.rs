//! `Dataset`: public, except owner information and the log.

use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};

use super::access::{AccessLevel, AccessRulesObject};
use super::collection::CollectionObject;
use super::common::{self, connection, page_request, Conn, CrossReferenceObject};
use super::log::LogEntryObject;
use super::order::OrderObject;
use super::user::UserObject;
use crate::domain::model::{Dataset, Order};
use crate::domain::visibility::{can_read_order_logs, can_see_order};
use crate::error::ApiError;
use crate::graphql::context::{loader, log_reader, principal, tracker, visible_datasets};
use crate::graphql::loaders::{CollectionsOfDataset, DatasetsOfOrder, FilesOfDataset, OrderKey};

/// GraphQL wrapper of a domain `Dataset`.
pub struct DatasetObject(pub Dataset);

impl DatasetObject {
    async fn order_of(&self, ctx: &Context<'_>) -> Result<Option<Order>, ApiError> {
        loader(ctx)?.load_one(OrderKey(self.0.order)).await.map_err(|e| ApiError::internal(&e))
    }
}

/// A dataset. Who can see it depends on its `access` level: `PUBLIC` datasets are visible to everyone,
/// anonymous included; `PROTECTED` ones to the viewers their rules admit, their order's editors and
/// `DATA_MANAGEMENT`; `PRIVATE` ones only to their order's editors and `DATA_MANAGEMENT`. To anyone else the
/// dataset does not exist, on every path. "Visible to everyone" below means: to whoever can see the dataset.
/// Owner information (`order`, `editors`), `accessRules` and `log` read as `null` to those not allowed.
#[Object(name = "Dataset")]
impl DatasetObject {
    /// Id (UUID). Visible to everyone.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Title (non-empty). Visible to everyone.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Description (markdown). Visible to everyone.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Tags from the standard vocabulary. Visible to everyone.
    async fn tags_standard(&self) -> &[String] {
        &self.0.tags_standard
    }
    /// Free tags. Visible to everyone.
    async fn tags_user(&self) -> &[String] {
        &self.0.tags_user
    }
    /// External identifiers and links (DOIs, accession numbers, URLs). Visible to everyone.
    async fn cross_references(&self) -> Vec<CrossReferenceObject> {
        self.0.cross_references.iter().cloned().map(Into::into).collect()
    }
    /// Version, incremented by every change (compare-and-set, see `Order.version`). Visible to everyone.
    async fn version(&self) -> i64 {
        self.0.version
    }
    /// When the dataset was created (UTC). Visible to everyone.
    async fn created_at(&self) -> DateTime<Utc> {
        common::utc(self.0.created_at)
    }
    /// When the dataset last changed (UTC). Visible to everyone.
    async fn updated_at(&self) -> DateTime<Utc> {
        common::utc(self.0.updated_at)
    }
    /// The order the dataset belongs to (owner information). Visible to the order's editors,
    /// `DATA_MANAGEMENT` and `OWNERS_READ`; `null` otherwise.
    async fn order(&self, ctx: &Context<'_>) -> Result<Option<OrderObject>, ApiError> {
        let p = principal(ctx);
        Ok(self.order_of(ctx).await?.filter(|o| can_see_order(p, o)).map(OrderObject))
    }
    /// The users who may edit the dataset: its order's editors (owner information). Visible to those
    /// editors, `DATA_MANAGEMENT` and `OWNERS_READ`; `null` otherwise.
    #[graphql(complexity = "crate::graphql::cost::people(child_complexity)")]
    async fn editors(&self, ctx: &Context<'_>) -> Result<Option<Vec<UserObject>>, ApiError> {
        let p = principal(ctx);
        match self.order_of(ctx).await?.filter(|o| can_see_order(p, o)) {
            Some(o) => Ok(Some(common::users(ctx, &o.editors).await?)),
            None => Ok(None),
        }
    }
    /// Who may read the dataset. Visible to whoever can see the dataset.
    async fn access(&self) -> AccessLevel {
        self.0.access.into()
    }
    /// The access rules (in effect when `PROTECTED`). Visible to the order's editors and `DATA_MANAGEMENT`;
    /// `null` otherwise.
    async fn access_rules(&self, ctx: &Context<'_>) -> Result<Option<AccessRulesObject>, ApiError> {
        let p = principal(ctx);
        let allowed = self.order_of(ctx).await?.is_some_and(|o| can_read_order_logs(p, &o));
        Ok(allowed.then(|| AccessRulesObject(self.0.access_rules.clone())))
    }
    /// The dataset's files as the caller sees them (parameterised files once per value the caller is
    /// entitled to), oldest first.
    async fn files(&self, ctx: &Context<'_>) -> Result<Vec<super::file::DataFileObject>, ApiError> {
        let entries = loader(ctx)?.load_one(FilesOfDataset(self.0.id)).await.map_err(|e| ApiError::internal(&e))?;
        let access = crate::graphql::context::dataset_access(ctx).await?;
        let views =
            super::file::files(ctx)?.views(principal(ctx), &access, &self.0, entries.unwrap_or_default()).await?;
        Ok(views.into_iter().map(super::file::DataFileObject).collect())
    }
    /// The other datasets of the same order that the caller may see, oldest first: the first `first` of them
    /// (default and at most 100).
    #[graphql(complexity = "crate::graphql::cost::nested(first, child_complexity)")]
    async fn related(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<DatasetObject>, ApiError> {
        let n = crate::graphql::cost::nested_len(first)?;
        let list = loader(ctx)?.load_one(DatasetsOfOrder(self.0.order)).await.map_err(|e| ApiError::internal(&e))?;
        let mut visible =
            visible_datasets(ctx, list.unwrap_or_default().into_iter().filter(|d| d.id != self.0.id)).await?;
        visible.truncate(n);
        Ok(visible)
    }
    /// The collections containing this dataset, oldest first: the first `first` of them (default and at most
    /// 100). Visible to everyone.
    #[graphql(complexity = "crate::graphql::cost::nested(first, child_complexity)")]
    async fn collections(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<CollectionObject>, ApiError> {
        let n = crate::graphql::cost::nested_len(first)?;
        let list = loader(ctx)?.load_one(CollectionsOfDataset(self.0.id)).await.map_err(|e| ApiError::internal(&e))?;
        Ok(list.unwrap_or_default().into_iter().take(n).map(CollectionObject).collect())
    }
    /// Who generated the data (from the order; public profiles). Visible to everyone.
    #[graphql(complexity = "crate::graphql::cost::people(child_complexity)")]
    async fn generators(&self, ctx: &Context<'_>) -> Result<Vec<UserObject>, ApiError> {
        match self.order_of(ctx).await? {
            Some(o) => common::users(ctx, &o.generators).await,
            None => Ok(Vec::new()),
        }
    }
    /// Authors (from the order; public profiles). Visible to everyone.
    #[graphql(complexity = "crate::graphql::cost::people(child_complexity)")]
    async fn authors(&self, ctx: &Context<'_>) -> Result<Vec<UserObject>, ApiError> {
        match self.order_of(ctx).await? {
            Some(o) => common::users(ctx, &o.authors).await,
            None => Ok(Vec::new()),
        }
    }
    /// The organisation (from the order; public profile). Visible to everyone.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<UserObject>, ApiError> {
        match self.order_of(ctx).await? {
            Some(o) => common::user(ctx, o.organisation).await,
            None => Ok(None),
        }
    }
    /// Change log, oldest first. Visible to the order's editors and `DATA_MANAGEMENT`; `null` otherwise.
    #[graphql(complexity = "crate::graphql::cost::page(first, child_complexity)")]
    async fn log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Option<Conn<LogEntryObject>>, ApiError> {
        let p = principal(ctx);
        let allowed = self.order_of(ctx).await?.is_some_and(|o| can_read_order_logs(p, &o));
        let page =
            tracker(ctx)?.log_of(&log_reader(ctx).await?, allowed, self.0.id, page_request(first, after)?).await?;
        Ok(page.map(|p| connection(p, |l| l.entry.id, LogEntryObject)))
    }
}
