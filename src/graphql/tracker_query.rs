//! Tracker queries.

use async_graphql::{Context, InputObject, Object, ID};

use super::context::{dataset_access, principal, tracker};
use super::prefetch;
use super::types::collection::CollectionObject;
use super::types::common::{connection, list_request, Conn};
use super::types::dataset::DatasetObject;
use super::types::order::OrderObject;
use super::types::user::UserObject;
use crate::domain::datasets::ListingFilter;
use crate::error::ApiError;

/// Narrows a list of datasets or collections.
#[derive(InputObject, Default)]
pub struct ListingFilterInput {
    /// Case-insensitive substring of the title.
    pub search: Option<String>,
    /// Standard tags that must all be present.
    #[graphql(default)]
    pub tags_standard: Vec<String>,
    /// Free tags that must all be present.
    #[graphql(default)]
    pub tags_user: Vec<String>,
}

impl From<ListingFilterInput> for ListingFilter {
    fn from(f: ListingFilterInput) -> Self {
        Self { search: f.search, tags_standard: f.tags_standard, tags_user: f.tags_user }
    }
}

/// Tracker queries.
#[derive(Default)]
pub struct TrackerQuery;

#[Object]
impl TrackerQuery {
    /// The logged-in user (all their own fields); `null` when anonymous.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<UserObject>, ApiError> {
        match principal(ctx).user_id() {
            Some(id) => Ok(tracker(ctx)?.user_by_id(bson::Uuid::from(id)).await?.map(UserObject)),
            None => Ok(None),
        }
    }

    /// An order; `null` when it does not exist or the caller may not see it (the two are indistinguishable).
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<OrderObject>, ApiError> {
        Ok(tracker(ctx)?.order(principal(ctx), &id).await?.map(OrderObject))
    }

    /// The orders the caller may see (as editor, or all with `DATA_MANAGEMENT`/`OWNERS_READ`), oldest first.
    /// Page size: `first` (default 20, at most 1,000); `totalCount` is counted only when selected.
    #[graphql(complexity = "crate::graphql::cost::list(first, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<OrderObject>, ApiError> {
        let page = tracker(ctx)?.orders(principal(ctx), list_request(ctx, first, after)?).await?;
        prefetch::orders(ctx, &page.items).await?;
        Ok(connection(page, |o| o.id, OrderObject))
    }

    /// A dataset; `null` when it does not exist or its access level hides it from the caller (the two are
    /// indistinguishable).
    async fn dataset(&self, ctx: &Context<'_>, id: ID) -> Result<Option<DatasetObject>, ApiError> {
        let id = crate::domain::validate::id("id", &id)?;
        Ok(prefetch::dataset(ctx, id).await?.map(DatasetObject))
    }

    /// The datasets the caller may see (see `Dataset.access`), oldest first, optionally filtered by title and
    /// tags. Hidden datasets are neither listed nor counted in `totalCount`.
    #[graphql(complexity = "crate::graphql::cost::list(first, child_complexity)")]
    async fn datasets(
        &self,
        ctx: &Context<'_>,
        filter: Option<ListingFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<DatasetObject>, ApiError> {
        let filter: ListingFilter = filter.unwrap_or_default().into();
        let access = dataset_access(ctx).await?;
        let page = tracker(ctx)?.datasets(&access, &filter, list_request(ctx, first, after)?).await?;
        prefetch::datasets(ctx, &page.items).await?;
        Ok(connection(page, |d| d.id, DatasetObject))
    }

    /// A collection; `null` when it does not exist. Visible to everyone.
    async fn collection(&self, ctx: &Context<'_>, id: ID) -> Result<Option<CollectionObject>, ApiError> {
        Ok(tracker(ctx)?.collection(&id).await?.map(CollectionObject))
    }

    /// Collections, oldest first, optionally filtered by title and tags. Visible to everyone.
    #[graphql(complexity = "crate::graphql::cost::list(first, child_complexity)")]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        filter: Option<ListingFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<CollectionObject>, ApiError> {
        let filter: ListingFilter = filter.unwrap_or_default().into();
        let page = tracker(ctx)?.collections(&filter, list_request(ctx, first, after)?).await?;
        prefetch::collections(ctx, &page.items).await?;
        Ok(connection(page, |c| c.id, CollectionObject))
    }

    /// A user's public profile (private fields per `User`); `null` when no such user. Visible to everyone.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<UserObject>, ApiError> {
        Ok(tracker(ctx)?.user(&id).await?.map(UserObject))
    }

    /// Users whose name or affiliation contains `search` (case-insensitive) or whose email is exactly
    /// `search` (the email is not returned). Needs `USER_SEARCH`.
    #[graphql(complexity = "crate::graphql::cost::list(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<UserObject>, ApiError> {
        let page = tracker(ctx)?.users(principal(ctx), search.as_deref(), list_request(ctx, first, after)?).await?;
        Ok(connection(page, |u| u.id, UserObject))
    }

    /// The standard tag vocabulary (`tagsStandard` values). Visible to everyone.
    async fn standard_tags(&self, ctx: &Context<'_>) -> Result<Vec<String>, ApiError> {
        Ok(tracker(ctx)?.standard_tags().await?)
    }
}
