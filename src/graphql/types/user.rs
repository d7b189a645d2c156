//! `User`: public profile for everyone; private fields for the user and `USER_MANAGEMENT`.

use async_graphql::{Context, Enum, Object, SimpleObject, ID};

use super::common::{connection, page_request, Conn};
use super::log::LogEntryObject;
use crate::domain::model::User;
use crate::domain::permissions::Permission as DomainPermission;
use crate::domain::visibility::{can_read_user_logs, can_see_user_private};
use crate::error::ApiError;
use crate::graphql::context::{log_reader, principal, tracker};

/// A permission. Implications are transitive: `DATA_MANAGEMENT` ⇒ `ORDERS`, `OWNERS_READ`;
/// `ORDERS` ⇒ `USER_ADD`, `USER_SEARCH`; `USER_MANAGEMENT` ⇒ `USER_ADD`, `USER_SEARCH`.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::permissions::Permission")]
pub enum Permission {
    /// Create orders; edit and delete orders (and their datasets) where listed as editor.
    Orders,
    /// Edit and delete any order, dataset or collection.
    DataManagement,
    /// Read owner information (editors, a dataset's order) of every entry.
    OwnersRead,
    /// Add users.
    UserAdd,
    /// List and search users (public profile fields only).
    UserSearch,
    /// Manage users whose permissions the holder holds too; nobody grants a permission they lack.
    UserManagement,
    /// Query the statistics frame (within the holder's scope, when they have one). Statistics access is
    /// granted, never default: without `STATS_READ` or a scope, statistics answer `FORBIDDEN`.
    StatsRead,
}

/// A statistics scope filter: the user's statistics only cover rows where `column` is one of `values`.
#[derive(SimpleObject, async_graphql::InputObject, Clone)]
#[graphql(input_name = "ScopeFilterInput")]
pub struct ScopeFilter {
    /// Frame column. Visible with `User.scope`.
    pub column: String,
    /// Allowed values. Visible with `User.scope`.
    pub values: Vec<String>,
}

/// GraphQL wrapper of a domain `User`.
pub struct UserObject(pub User);

impl UserObject {
    fn private<T>(&self, ctx: &Context<'_>, value: T) -> Option<T> {
        can_see_user_private(principal(ctx), &self.0).then_some(value)
    }
}

/// A user. The public profile (`id`, `name`, `affiliation`, `emailPublic`, `orcid`, `url`) is visible to
/// everyone wherever a user appears. Private fields read as `null` except to the user themself and
/// `USER_MANAGEMENT`. API key material is never readable.
#[Object(name = "User")]
impl UserObject {
    /// Id (UUID). Visible to everyone.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name. Visible to everyone.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Affiliation. Visible to everyone.
    async fn affiliation(&self) -> Option<&str> {
        self.0.affiliation.as_deref()
    }
    /// Email shown publicly. Visible to everyone.
    async fn email_public(&self) -> Option<&str> {
        self.0.email_public.as_deref()
    }
    /// ORCID iD. Visible to everyone.
    async fn orcid(&self) -> Option<&str> {
        self.0.orcid.as_deref()
    }
    /// Homepage. Visible to everyone.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// Contact email. Visible to the user and `USER_MANAGEMENT`; `null` otherwise.
    async fn email(&self, ctx: &Context<'_>) -> Option<String> {
        self.private(ctx, ()).and(self.0.email.clone())
    }
    /// Login identities (`identifier::source`). Visible to the user and `USER_MANAGEMENT`; `null` otherwise.
    async fn auth_ids(&self, ctx: &Context<'_>) -> Option<Vec<String>> {
        self.private(ctx, self.0.auth_ids.clone())
    }
    /// Permissions as granted (implied ones are not listed; unknown stored names are skipped). Visible to
    /// the user and `USER_MANAGEMENT`; `null` otherwise.
    async fn permissions(&self, ctx: &Context<'_>) -> Option<Vec<Permission>> {
        self.private(ctx, ())?;
        Some(self.0.permissions.iter().filter_map(|n| DomainPermission::parse(n)).map(Permission::from).collect())
    }
    /// Statistics scope filters applied to every statistics query of this user. Visible to the user and
    /// `USER_MANAGEMENT`; `null` otherwise.
    async fn scope(&self, ctx: &Context<'_>) -> Option<Vec<ScopeFilter>> {
        self.private(ctx, ())?;
        Some(self.0.scope.iter().map(|s| ScopeFilter { column: s.column.clone(), values: s.values.clone() }).collect())
    }
    /// Whether the user has an API key (the key itself is never readable). Visible to the user and
    /// `USER_MANAGEMENT`; `null` otherwise.
    async fn has_api_key(&self, ctx: &Context<'_>) -> Option<bool> {
        self.private(ctx, self.0.api_key.is_some())
    }
    /// Version, incremented by every change (compare-and-set, see `Order.version`). Visible to the user and
    /// `USER_MANAGEMENT` (it moves when private fields change); `null` otherwise.
    async fn version(&self, ctx: &Context<'_>) -> Option<i64> {
        self.private(ctx, self.0.version)
    }
    /// Changes made to this user, oldest first. Visible to the user and `USER_MANAGEMENT`; `null` otherwise.
    #[graphql(complexity = "crate::graphql::cost::page(first, child_complexity)")]
    async fn log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Option<Conn<LogEntryObject>>, ApiError> {
        let allowed = can_read_user_logs(principal(ctx), &self.0);
        let page =
            tracker(ctx)?.log_of(&log_reader(ctx).await?, allowed, self.0.id, page_request(first, after)?).await?;
        Ok(page.map(|p| connection(p, |l| l.entry.id, LogEntryObject)))
    }
    /// Changes this user made, oldest first. Visible to the user and `USER_MANAGEMENT` (`null` otherwise);
    /// to others than the user, entries about orders, datasets and collections are listed only with
    /// `DATA_MANAGEMENT`.
    #[graphql(complexity = "crate::graphql::cost::page(first, child_complexity)")]
    async fn actions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Option<Conn<LogEntryObject>>, ApiError> {
        let page = tracker(ctx)?.actions(&log_reader(ctx).await?, &self.0, page_request(first, after)?).await?;
        Ok(page.map(|p| connection(p, |l| l.entry.id, LogEntryObject)))
    }
}
