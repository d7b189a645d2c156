//! What resolvers take from the request context.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::Context;

use super::loaders::TrackerLoader;
use crate::domain::{Principal, Tracker};
use crate::error::ApiError;
use async_graphql::dataloader::HashMapCache;

static ANONYMOUS: Principal = Principal::Anonymous;

/// The request's principal (anonymous when none was attached).
pub fn principal<'a>(ctx: &Context<'a>) -> &'a Principal {
    ctx.data_opt::<Principal>().unwrap_or(&ANONYMOUS)
}

/// The tracker service.
pub fn tracker<'a>(ctx: &Context<'a>) -> Result<&'a Tracker, ApiError> {
    ctx.data_opt::<Tracker>().ok_or_else(|| ApiError::internal(&"tracker service missing from schema data"))
}

/// The request's loader (batched, cached for the request).
pub fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<TrackerLoader, HashMapCache>, ApiError> {
    ctx.data_opt::<Arc<DataLoader<TrackerLoader, HashMapCache>>>()
        .map(|l| l.as_ref())
        .ok_or_else(|| ApiError::internal(&"loader missing from request data"))
}

/// The request's session, what revokes it and the `Set-Cookie` values that clear it (for `logout`).
#[derive(Debug, Clone)]
pub struct Sessions {
    /// The session that authenticated the request, if any.
    pub current: Option<crate::auth::session::CurrentSession>,
    /// The denylist.
    pub revocations: crate::auth::session::Revocations,
    /// `Set-Cookie` values deleting the session cookies.
    pub clear_cookies: Vec<String>,
}

/// The request's dataset access, computed on first use and kept for the rest of the request.
#[derive(Debug, Default)]
pub struct AccessCell(tokio::sync::OnceCell<crate::domain::visibility::DatasetAccess>);

impl AccessCell {
    /// The access of `p`, computed on first use.
    pub async fn get(
        &self,
        t: &Tracker,
        p: &Principal,
    ) -> Result<crate::domain::visibility::DatasetAccess, crate::domain::DomainError> {
        Ok(self.0.get_or_try_init(|| t.dataset_access(p)).await?.clone())
    }
}

/// Which datasets the caller may read (cached per request when the request carries an [`AccessCell`]).
pub async fn dataset_access(ctx: &Context<'_>) -> Result<crate::domain::visibility::DatasetAccess, ApiError> {
    let t = tracker(ctx)?;
    let p = principal(ctx);
    match ctx.data_opt::<Arc<AccessCell>>() {
        Some(cell) => Ok(cell.get(t, p).await?),
        None => Ok(t.dataset_access(p).await?),
    }
}

/// Keeps the datasets the caller may read, as GraphQL objects, in order.
pub async fn visible_datasets(
    ctx: &Context<'_>,
    list: impl IntoIterator<Item = crate::domain::model::Dataset>,
) -> Result<Vec<super::types::dataset::DatasetObject>, ApiError> {
    let access = dataset_access(ctx).await?;
    Ok(list.into_iter().filter(|d| access.admits(d)).map(super::types::dataset::DatasetObject).collect())
}

/// The reader of log entries: the caller and their dataset access (cached per request).
pub async fn log_reader(ctx: &Context<'_>) -> Result<crate::domain::log_view::Reader, ApiError> {
    Ok(crate::domain::log_view::Reader { principal: principal(ctx).clone(), access: dataset_access(ctx).await? })
}
