//! Dataset access levels: computing a principal's [`DatasetAccess`] and validating access rules.

use bson::{doc, Uuid};
use futures::TryStreamExt;

use super::model::{AccessRules, ScopeValue};
use super::permissions::Permission;
use super::tracker::Tracker;
use super::visibility::DatasetAccess;
use super::{DomainError, Principal};
use crate::store::StoreError;

/// Most entries in one access rule list.
pub const MAX_RULE_ENTRIES: usize = 1000;

/// Access rules as given by the caller (ids unparsed).
#[derive(Debug, Clone, Default)]
pub struct AccessRulesInput {
    /// User ids.
    pub users: Vec<String>,
    /// Permission names.
    pub permissions: Vec<String>,
    /// Affiliation values.
    pub affiliations: Vec<String>,
    /// Statistics scope values.
    pub scope: Vec<ScopeValue>,
}

impl Tracker {
    /// The datasets `p` may read. For a logged-in user without `DATA_MANAGEMENT` this reads the ids of the
    /// orders they edit (one indexed query); otherwise no database access.
    pub async fn dataset_access(&self, p: &Principal) -> Result<DatasetAccess, DomainError> {
        let edited = match p.user_id() {
            Some(me) if !DatasetAccess::reads_all(p) => {
                let docs: Vec<bson::Document> = self
                    .orders
                    .raw()
                    .find(doc! { "editors": Uuid::from(me) })
                    .projection(doc! { "_id": 1 })
                    .await
                    .map_err(StoreError::from)?
                    .try_collect()
                    .await
                    .map_err(StoreError::from)?;
                docs.iter().filter_map(|d| d.get("_id").and_then(as_uuid)).collect()
            }
            _ => Vec::new(),
        };
        Ok(DatasetAccess::new(p, edited))
    }

    /// Checks access rules: users must exist, permissions must be known, values non-empty and bounded.
    pub(crate) async fn validate_access_rules(&self, input: AccessRulesInput) -> Result<AccessRules, DomainError> {
        let field = "accessRules";
        let too_many = |what: &str| DomainError::invalid(field, format!("at most {MAX_RULE_ENTRIES} {what}"));
        for (n, what) in [
            (input.users.len(), "users"),
            (input.permissions.len(), "permissions"),
            (input.affiliations.len(), "affiliations"),
            (input.scope.len(), "scope values"),
        ] {
            if n > MAX_RULE_ENTRIES {
                return Err(too_many(what));
            }
        }
        let mut users = super::validate::ids("accessRules.users", &input.users)?;
        dedup(&mut users);
        self.ensure_users_exist("accessRules.users", &users).await?;
        let mut permissions = Vec::new();
        for name in &input.permissions {
            let p = Permission::parse(name.trim()).ok_or_else(|| {
                DomainError::invalid("accessRules.permissions", format!("`{}` is not a permission", short(name)))
            })?;
            permissions.push(p.as_str().to_owned());
        }
        dedup(&mut permissions);
        let mut affiliations = Vec::new();
        for a in &input.affiliations {
            affiliations.push(value("accessRules.affiliations", a)?);
        }
        dedup(&mut affiliations);
        let mut scope = Vec::new();
        for s in &input.scope {
            scope.push(ScopeValue {
                column: value("accessRules.scope.column", &s.column)?,
                value: value("accessRules.scope.value", &s.value)?,
            });
        }
        dedup(&mut scope);
        Ok(AccessRules { users, permissions, affiliations, scope })
    }
}

fn as_uuid(b: &bson::Bson) -> Option<Uuid> {
    match b {
        bson::Bson::Binary(bin) => Some(Uuid::from_bytes(bin.bytes.as_slice().try_into().ok()?)),
        _ => None,
    }
}

fn dedup<T: PartialEq + Clone>(items: &mut Vec<T>) {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items.drain(..) {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    *items = out;
}

fn value(field: &str, raw: &str) -> Result<String, DomainError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > 300 {
        return Err(DomainError::invalid(field, "must be at most 300 characters"));
    }
    Ok(v.to_owned())
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}
