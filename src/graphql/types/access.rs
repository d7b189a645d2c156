//! Dataset access levels and rules as GraphQL types.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};

use super::user::UserObject;
use crate::domain::access::AccessRulesInput;
use crate::domain::model::{self, AccessRules};
use crate::error::ApiError;

/// Who may read a dataset.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::model::AccessLevel")]
pub enum AccessLevel {
    /// Everyone, anonymous included (the default).
    Public,
    /// The viewers its access rules admit (any one rule admits), its order's editors and `DATA_MANAGEMENT`.
    Protected,
    /// Only its order's editors and `DATA_MANAGEMENT`.
    Private,
}

/// One value of a statistics scope column, e.g. `{column: "school", value: "Greenwood"}`.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "ScopeValueInput")]
pub struct ScopeValue {
    /// Frame column.
    pub column: String,
    /// The value.
    pub value: String,
}

/// Who a `PROTECTED` dataset admits; any one rule admits a viewer.
#[derive(InputObject, Default)]
#[graphql(name = "AccessRulesInput")]
pub struct AccessRulesFields {
    /// Users admitted by id (each must exist).
    #[graphql(default)]
    pub users: Vec<ID>,
    /// Holders of any of these permissions, implications included (each must be a known permission name).
    #[graphql(default)]
    pub permissions: Vec<String>,
    /// Users whose affiliation equals one of these (exact match).
    #[graphql(default)]
    pub affiliations: Vec<String>,
    /// Users whose statistics scope lists one of these values for the column.
    #[graphql(default)]
    pub scope: Vec<ScopeValue>,
}

impl From<AccessRulesFields> for AccessRulesInput {
    fn from(f: AccessRulesFields) -> Self {
        Self {
            users: f.users.into_iter().map(|i| i.0).collect(),
            permissions: f.permissions,
            affiliations: f.affiliations,
            scope: f.scope.into_iter().map(|s| model::ScopeValue { column: s.column, value: s.value }).collect(),
        }
    }
}

/// The access rules of a dataset (in effect only when it is `PROTECTED`).
pub struct AccessRulesObject(pub AccessRules);

#[Object(name = "AccessRules")]
impl AccessRulesObject {
    /// Users admitted (public profiles; deleted users are skipped).
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<UserObject>, ApiError> {
        super::common::users(ctx, &self.0.users).await
    }
    /// Permissions whose holders are admitted.
    async fn permissions(&self) -> &[String] {
        &self.0.permissions
    }
    /// Affiliations whose members are admitted.
    async fn affiliations(&self) -> &[String] {
        &self.0.affiliations
    }
    /// Statistics scope values whose holders are admitted.
    async fn scope(&self) -> Vec<ScopeValue> {
        self.0.scope.iter().map(|s| ScopeValue { column: s.column.clone(), value: s.value.clone() }).collect()
    }
}
