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
