//! `Collection`: public, except owner information and the log.

use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};

use super::common::{self, connection, page_request, Conn, CrossReferenceObject};
use super::dataset::DatasetObject;
use super::log::LogEntryObject;
use super::user::UserObject;
use crate::domain::model::Collection;
use crate::domain::visibility::{can_read_collection_logs, can_see_collection_owners};
use crate::error::ApiError;
use crate::graphql::context::{loader, log_reader, principal, tracker, visible_datasets};
use crate::graphql::loaders::DatasetKey;

/// GraphQL wrapper of a domain `Collection`.
pub struct CollectionObject(pub Collection);

impl CollectionObject {
    /// The collection's datasets that the caller may see, in the collection's order (one batched load,
    /// shared with the rest of the request).
    async fn visible_members(&self, ctx: &Context<'_>) -> Result<Vec<DatasetObject>, ApiError> {
        let keys: Vec<DatasetKey> = self.0.datasets.iter().map(|d| DatasetKey(*d)).collect();
        let found = loader(ctx)?.load_many(keys.iter().copied()).await.map_err(|e| ApiError::internal(&e))?;
        visible_datasets(ctx, keys.iter().filter_map(|k| found.get(k).cloned())).await
    }
}

/// A collection of datasets. Visible to everyone, anonymous included, except `editors` (owner information)
/// and `log`, which read as `null` to those not allowed to see them.
#[Object(name = "Collection")]
impl CollectionObject {
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
    /// The datasets in the collection that the caller may see (hidden ones are left out, never counted): the
    /// first `first` of them (default and at most 100).
    #[graphql(complexity = "crate::graphql::cost::nested(first, child_complexity)")]
    async fn datasets(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<DatasetObject>, ApiError> {
        let n = crate::graphql::cost::nested_len(first)?;
        let mut visible = self.visible_members(ctx).await?;
        visible.truncate(n);
        Ok(visible)
    }
    /// The ids of all the datasets in the collection that the caller may see, in the collection's order,
    /// uncapped (a collection holds at most 1,000). Datasets the caller may not see are left out and never
    /// counted, exactly as in `datasets`. Adding or removing a dataset, and deleting one, is a change of the
    /// collection (an `EDIT` in its log and the change feed); a dataset that the caller loses or gains access
    /// to is not: it is reported as the dataset's own `REVOKE` or `EDIT`. Costs like `datasets`.
    #[graphql(complexity = "crate::graphql::cost::nested(None, 1)")]
    async fn dataset_ids(&self, ctx: &Context<'_>) -> Result<Vec<ID>, ApiError> {
        Ok(self.visible_members(ctx).await?.iter().map(|d| ID(d.0.id.to_string())).collect())
    }
    /// Tags from the standard vocabulary. Visible to everyone.
    async fn tags_standard(&self) -> &[String] {
        &self.0.tags_standard
    }
    /// Free tags. Visible to everyone.
    async fn tags_user(&self) -> &[String] {
        &self.0.tags_user
    }
    /// External identifiers and links. Visible to everyone.
    async fn cross_references(&self) -> Vec<CrossReferenceObject> {
        self.0.cross_references.iter().cloned().map(Into::into).collect()
    }
    /// Version, incremented by every change (compare-and-set, see `Order.version`). It moves when the
    /// editors change, so it is owner information: visible to the collection's editors, `DATA_MANAGEMENT` and
    /// `OWNERS_READ`; `null` otherwise.
    async fn version(&self, ctx: &Context<'_>) -> Option<i64> {
        can_see_collection_owners(principal(ctx), &self.0).then_some(self.0.version)
    }
    /// When the collection was created (UTC). Visible to everyone.
    async fn created_at(&self) -> DateTime<Utc> {
        common::utc(self.0.created_at)
    }
    /// When the collection last changed (UTC). Owner information, like `version`: visible to the
    /// collection's editors, `DATA_MANAGEMENT` and `OWNERS_READ`; `null` otherwise.
    async fn updated_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        can_see_collection_owners(principal(ctx), &self.0).then(|| common::utc(self.0.updated_at))
    }
    /// Editors (owner information). Visible to the collection's editors, `DATA_MANAGEMENT` and
    /// `OWNERS_READ`; `null` otherwise.
    #[graphql(complexity = "crate::graphql::cost::people(child_complexity)")]
    async fn editors(&self, ctx: &Context<'_>) -> Result<Option<Vec<UserObject>>, ApiError> {
        if !can_see_collection_owners(principal(ctx), &self.0) {
            return Ok(None);
        }
        Ok(Some(common::users(ctx, &self.0.editors).await?))
    }
    /// Change log, oldest first. Visible to the collection's editors and `DATA_MANAGEMENT`; `null` otherwise.
    #[graphql(complexity = "crate::graphql::cost::page(first, child_complexity)")]
    async fn log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Option<Conn<LogEntryObject>>, ApiError> {
        let allowed = can_read_collection_logs(principal(ctx), &self.0);
        let page =
            tracker(ctx)?.log_of(&log_reader(ctx).await?, allowed, self.0.id, page_request(first, after)?).await?;
        Ok(page.map(|p| connection(p, |l| l.entry.id, LogEntryObject)))
    }
}
