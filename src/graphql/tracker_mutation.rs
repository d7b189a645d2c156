//! Tracker mutations: thin translations of input types into domain calls.

use async_graphql::{Context, InputObject, Object, ID};

use super::context::{principal, tracker};
use super::types::access::{AccessLevel, AccessRulesFields};
use super::types::collection::CollectionObject;
use super::types::common::CrossReferenceObject;
use super::types::dataset::DatasetObject;
use super::types::order::OrderObject;
use super::types::user::{Permission, ScopeFilter, UserObject};
use crate::domain::collections::CollectionInput;
use crate::domain::datasets::DatasetInput;
use crate::domain::model;
use crate::domain::orders::OrderInput;
use crate::domain::users::UserInput;
use crate::error::ApiError;

fn ids(v: Option<Vec<ID>>) -> Option<Vec<String>> {
    v.map(|ids| ids.into_iter().map(|i| i.0).collect())
}

fn xrefs(v: Option<Vec<CrossReferenceObject>>) -> Option<Vec<model::CrossReference>> {
    v.map(|x| x.into_iter().map(Into::into).collect())
}

/// Fields of an order. On create, omitted people default to the creator; on update, omitted fields stay.
#[derive(InputObject)]
pub struct OrderFields {
    /// Title (trimmed; must not be empty). Required on create.
    pub title: Option<String>,
    /// Description (markdown).
    pub description: Option<String>,
    /// Generator user ids.
    pub generators: Option<Vec<ID>>,
    /// Author user ids.
    pub authors: Option<Vec<ID>>,
    /// Organisation user id.
    pub organisation: Option<ID>,
    /// Editor user ids (at least one).
    pub editors: Option<Vec<ID>>,
    /// Standard tags (from `standardTags`).
    pub tags_standard: Option<Vec<String>>,
    /// Free tags.
    pub tags_user: Option<Vec<String>>,
    /// On update: the version last read; the update is refused with `CONFLICT` if the order changed since.
    pub version: Option<i64>,
}

/// Fields of a dataset; on update, omitted fields stay.
#[derive(InputObject)]
pub struct DatasetFields {
    /// Title (trimmed; must not be empty). Required on create.
    pub title: Option<String>,
    /// Description (markdown).
    pub description: Option<String>,
    /// Standard tags.
    pub tags_standard: Option<Vec<String>>,
    /// Free tags.
    pub tags_user: Option<Vec<String>>,
    /// External identifiers and links.
    pub cross_references: Option<Vec<CrossReferenceObject>>,
    /// Who may read the dataset (default `PUBLIC`). Set by the order's editors; logged like any change.
    pub access: Option<AccessLevel>,
    /// The rules of a `PROTECTED` dataset (replace the stored ones; any one rule admits).
    pub access_rules: Option<AccessRulesFields>,
    /// On update: the version last read (compare-and-set).
    pub version: Option<i64>,
}

/// Fields of a collection; on update, omitted fields stay.
#[derive(InputObject)]
pub struct CollectionFields {
    /// Title (trimmed; must not be empty). Required on create.
    pub title: Option<String>,
    /// Description (markdown).
    pub description: Option<String>,
    /// Dataset ids (any existing dataset may be added).
    pub datasets: Option<Vec<ID>>,
    /// Editor user ids (at least one; default: the creator).
    pub editors: Option<Vec<ID>>,
    /// Standard tags.
    pub tags_standard: Option<Vec<String>>,
    /// Free tags.
    pub tags_user: Option<Vec<String>>,
    /// External identifiers and links.
    pub cross_references: Option<Vec<CrossReferenceObject>>,
    /// On update: the version last read (compare-and-set).
    pub version: Option<i64>,
}

/// Fields of a user; on update, omitted fields stay and an empty string clears an optional field.
#[derive(InputObject)]
pub struct UserFields {
    /// Name (must not be empty). Required on create.
    pub name: Option<String>,
    /// Contact email (unique). Required on create.
    pub email: Option<String>,
    /// Public email.
    pub email_public: Option<String>,
    /// Affiliation.
    pub affiliation: Option<String>,
    /// ORCID iD, e.g. `0000-0002-1825-0097` (check digit verified).
    pub orcid: Option<String>,
    /// Homepage (http or https).
    pub url: Option<String>,
    /// Permissions (only `USER_MANAGEMENT`; not in `updateMe`).
    pub permissions: Option<Vec<Permission>>,
    /// Login identities `identifier::source` (only `USER_MANAGEMENT`; not in `updateMe`).
    pub auth_ids: Option<Vec<String>>,
    /// Statistics scope (only `USER_MANAGEMENT`; not in `updateMe`).
    pub scope: Option<Vec<ScopeFilter>>,
    /// On update: the version last read (compare-and-set).
    pub version: Option<i64>,
}

impl From<OrderFields> for OrderInput {
    fn from(f: OrderFields) -> Self {
        Self {
            title: f.title,
            description: f.description,
            generators: ids(f.generators),
            authors: ids(f.authors),
            organisation: f.organisation.map(|i| i.0),
            editors: ids(f.editors),
            tags_standard: f.tags_standard,
            tags_user: f.tags_user,
            version: f.version,
        }
    }
}

impl From<DatasetFields> for DatasetInput {
    fn from(f: DatasetFields) -> Self {
        Self {
            title: f.title,
            description: f.description,
            tags_standard: f.tags_standard,
            tags_user: f.tags_user,
            cross_references: xrefs(f.cross_references),
            access: f.access.map(Into::into),
            access_rules: f.access_rules.map(Into::into),
            version: f.version,
        }
    }
}

impl From<CollectionFields> for CollectionInput {
    fn from(f: CollectionFields) -> Self {
        Self {
            title: f.title,
            description: f.description,
            datasets: ids(f.datasets),
            editors: ids(f.editors),
            tags_standard: f.tags_standard,
            tags_user: f.tags_user,
            cross_references: xrefs(f.cross_references),
            version: f.version,
        }
    }
}

impl From<UserFields> for UserInput {
    fn from(f: UserFields) -> Self {
        Self {
            name: f.name,
            email: f.email,
            email_public: f.email_public,
            affiliation: f.affiliation,
            orcid: f.orcid,
            url: f.url,
            permissions: f.permissions.map(|p| p.into_iter().map(Into::into).collect()),
            auth_ids: f.auth_ids,
            scope: f
                .scope
                .map(|s| s.into_iter().map(|f| model::ScopeFilter { column: f.column, values: f.values }).collect()),
            version: f.version,
        }
    }
}

/// Tracker mutations. Each change and its log entries are written in one transaction.
#[derive(Default)]
pub struct TrackerMutation;

#[Object]
impl TrackerMutation {
    /// Creates an order. Needs `ORDERS`.
    async fn create_order(&self, ctx: &Context<'_>, input: OrderFields) -> Result<OrderObject, ApiError> {
        Ok(OrderObject(tracker(ctx)?.create_order(principal(ctx), input.into()).await?))
    }
    /// Changes an order. Needs to be an editor with `ORDERS`, or `DATA_MANAGEMENT`.
    async fn update_order(&self, ctx: &Context<'_>, id: ID, input: OrderFields) -> Result<OrderObject, ApiError> {
        Ok(OrderObject(tracker(ctx)?.update_order(principal(ctx), &id, input.into()).await?))
    }
    /// Deletes an order, its datasets and their places in collections. Returns the deleted id.
    async fn delete_order(&self, ctx: &Context<'_>, id: ID) -> Result<ID, ApiError> {
        let deleted = tracker(ctx)?.delete_order(principal(ctx), &id).await?;
        super::types::file::files(ctx)?.sweep().await;
        Ok(ID(deleted.to_string()))
    }
    /// Adds a dataset to an order. Needs the right to edit the order.
    async fn create_dataset(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        input: DatasetFields,
    ) -> Result<DatasetObject, ApiError> {
        Ok(DatasetObject(tracker(ctx)?.create_dataset(principal(ctx), &order_id, input.into()).await?))
    }
    /// Changes a dataset. Needs the right to edit its order.
    async fn update_dataset(&self, ctx: &Context<'_>, id: ID, input: DatasetFields) -> Result<DatasetObject, ApiError> {
        Ok(DatasetObject(tracker(ctx)?.update_dataset(principal(ctx), &id, input.into()).await?))
    }
    /// Deletes a dataset, removes it from collections and deletes its file entries (objects uploaded through
    /// the service are removed from storage; registered objects stay). Returns the deleted id.
    async fn delete_dataset(&self, ctx: &Context<'_>, id: ID) -> Result<ID, ApiError> {
        let deleted = tracker(ctx)?.delete_dataset(principal(ctx), &id).await?;
        super::types::file::files(ctx)?.sweep().await;
        Ok(ID(deleted.to_string()))
    }
    /// Creates a collection. Any logged-in user.
    async fn create_collection(
        &self,
        ctx: &Context<'_>,
        input: CollectionFields,
    ) -> Result<CollectionObject, ApiError> {
        Ok(CollectionObject(tracker(ctx)?.create_collection(principal(ctx), input.into()).await?))
    }
    /// Changes a collection. Its editors or `DATA_MANAGEMENT`.
    async fn update_collection(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CollectionFields,
    ) -> Result<CollectionObject, ApiError> {
        Ok(CollectionObject(tracker(ctx)?.update_collection(principal(ctx), &id, input.into()).await?))
    }
    /// Deletes a collection (not its datasets). Returns the deleted id.
    async fn delete_collection(&self, ctx: &Context<'_>, id: ID) -> Result<ID, ApiError> {
        Ok(ID(tracker(ctx)?.delete_collection(principal(ctx), &id).await?.to_string()))
    }
    /// Adds a user. Needs `USER_ADD`; setting permissions, auth ids or scope needs `USER_MANAGEMENT` and no
    /// permission the caller lacks. The email counts as verified only when `USER_MANAGEMENT` sets it.
    async fn create_user(&self, ctx: &Context<'_>, input: UserFields) -> Result<UserObject, ApiError> {
        Ok(UserObject(tracker(ctx)?.create_user(principal(ctx), input.into()).await?))
    }
    /// Changes a user. Needs `USER_MANAGEMENT`, and the account must hold — before and after — no permission
    /// the caller lacks (a scope counts as `STATS_READ`); nobody changes their own permissions, auth ids or
    /// scope, and the last holder of `USER_MANAGEMENT` keeps it (`CONFLICT`). An email set here is verified.
    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UserFields) -> Result<UserObject, ApiError> {
        Ok(UserObject(tracker(ctx)?.update_user(principal(ctx), &id, input.into()).await?))
    }
    /// Deletes a user and removes them from every order and collection; `CONFLICT` if that would leave an
    /// entry without editors or organisation, or no holder of `USER_MANAGEMENT`. Needs `USER_MANAGEMENT` over
    /// an account holding no permission the caller lacks. Returns the deleted id.
    async fn delete_user(&self, ctx: &Context<'_>, id: ID) -> Result<ID, ApiError> {
        Ok(ID(tracker(ctx)?.delete_user(principal(ctx), &id).await?.to_string()))
    }
    /// Changes the caller's own profile (not permissions, auth ids or scope). A changed email is unverified
    /// and never links a login; the answer is the same whether or not another account uses that email.
    async fn update_me(&self, ctx: &Context<'_>, input: UserFields) -> Result<UserObject, ApiError> {
        Ok(UserObject(tracker(ctx)?.update_me(principal(ctx), input.into()).await?))
    }
    /// Adds a tag to the standard vocabulary. Needs `DATA_MANAGEMENT`. Returns the tag.
    async fn add_standard_tag(
        &self,
        ctx: &Context<'_>,
        tag: String,
        #[graphql(default)] description: String,
    ) -> Result<String, ApiError> {
        Ok(tracker(ctx)?.add_standard_tag(principal(ctx), &tag, &description).await?)
    }
    /// Removes a tag from the standard vocabulary; `CONFLICT` while entries use it. Needs `DATA_MANAGEMENT`.
    async fn remove_standard_tag(&self, ctx: &Context<'_>, tag: String) -> Result<String, ApiError> {
        Ok(tracker(ctx)?.remove_standard_tag(principal(ctx), &tag).await?)
    }
}
