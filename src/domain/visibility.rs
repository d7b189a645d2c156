//! Who sees and who may change what. Every read path asks these functions; hidden fields read as `null`.

use bson::{doc, Document, Uuid};

use super::model::{AccessLevel, Collection, Dataset, Order, User};
use super::permissions::Permission;
use super::Principal;

fn is_listed(p: &Principal, users: &[Uuid]) -> bool {
    p.user_id().is_some_and(|me| users.contains(&bson::Uuid::from(me)))
}

/// Whether the principal is one of the order's editors.
pub fn is_order_editor(p: &Principal, o: &Order) -> bool {
    is_listed(p, &o.editors)
}

/// Orders are visible to their editors, `DATA_MANAGEMENT` and `OWNERS_READ`; to anyone else they do not exist.
pub fn can_see_order(p: &Principal, o: &Order) -> bool {
    p.has(Permission::DataManagement) || p.has(Permission::OwnersRead) || is_order_editor(p, o)
}

/// Editing an order or its datasets needs `DATA_MANAGEMENT`, or `ORDERS` and being an editor.
pub fn can_edit_order(p: &Principal, o: &Order) -> bool {
    p.has(Permission::DataManagement) || (p.has(Permission::Orders) && is_order_editor(p, o))
}

/// Logs of an order and of its datasets: its editors and `DATA_MANAGEMENT`.
pub fn can_read_order_logs(p: &Principal, o: &Order) -> bool {
    p.has(Permission::DataManagement) || is_order_editor(p, o)
}

/// The filter restricting an order query to the orders the principal may see; `None` when none.
pub fn visible_orders_filter(p: &Principal) -> Option<Document> {
    let me = p.user_id()?;
    if p.has(Permission::DataManagement) || p.has(Permission::OwnersRead) {
        Some(doc! {})
    } else {
        Some(doc! { "editors": bson::Uuid::from(me) })
    }
}

/// Owner information of a collection (its editors): its editors, `DATA_MANAGEMENT`, `OWNERS_READ`.
pub fn can_see_collection_owners(p: &Principal, c: &Collection) -> bool {
    p.has(Permission::DataManagement) || p.has(Permission::OwnersRead) || is_listed(p, &c.editors)
}

/// Editing a collection: its editors or `DATA_MANAGEMENT`.
pub fn can_edit_collection(p: &Principal, c: &Collection) -> bool {
    p.has(Permission::DataManagement) || is_listed(p, &c.editors)
}

/// Logs of a collection: its editors and `DATA_MANAGEMENT`.
pub fn can_read_collection_logs(p: &Principal, c: &Collection) -> bool {
    can_edit_collection(p, c)
}

/// A user's private fields (email, auth ids, permissions, scope, key status): the user and `USER_MANAGEMENT`.
pub fn can_see_user_private(p: &Principal, u: &User) -> bool {
    p.has(Permission::UserManagement) || p.user_id().is_some_and(|me| bson::Uuid::from(me) == u.id)
}

/// A user's logs and actions: the user and `USER_MANAGEMENT`.
pub fn can_read_user_logs(p: &Principal, u: &User) -> bool {
    can_see_user_private(p, u)
}

/// Which datasets a principal may read: the one place the access level and rules of a dataset are decided.
/// Every read path asks it, either per dataset ([`DatasetAccess::admits`]) or as a database filter
/// ([`DatasetAccess::filter`], so that pages and counts never include a hidden dataset). The two agree (a
/// unit test and the integration matrix check it).
///
/// - `PUBLIC`: everyone, anonymous included.
/// - `PROTECTED`: the users any of its rules admits (listed user; a listed permission held after
///   implications; an affiliation equal to a listed one; a statistics scope listing a listed column value),
///   plus the order's editors and `DATA_MANAGEMENT`.
/// - `PRIVATE`: only the order's editors and `DATA_MANAGEMENT`.
///
/// A dataset the principal may not read does not exist for them.
#[derive(Debug, Clone)]
pub struct DatasetAccess {
    reader: Reader,
}

#[derive(Debug, Clone)]
enum Reader {
    /// `DATA_MANAGEMENT` and the service itself.
    All,
    Anonymous,
    User {
        id: Uuid,
        permissions: Vec<String>,
        affiliation: Option<String>,
        scope: Vec<super::model::ScopeFilter>,
        edited_orders: Vec<Uuid>,
    },
}

impl DatasetAccess {
    /// Whether reading every dataset is allowed without looking at it (`DATA_MANAGEMENT`, the service).
    pub fn reads_all(p: &Principal) -> bool {
        matches!(p, Principal::System) || p.has(Permission::DataManagement)
    }

    /// The access of `p`, given the orders it is an editor of (only needed for a logged-in user without
    /// `DATA_MANAGEMENT`).
    pub fn new(p: &Principal, edited_orders: Vec<Uuid>) -> Self {
        let reader = match p {
            _ if Self::reads_all(p) => Reader::All,
            Principal::User(v) => Reader::User {
                id: v.id.into(),
                permissions: v.permissions.names(),
                affiliation: v.affiliation.clone().filter(|a| !a.is_empty()),
                scope: v.scope.clone(),
                edited_orders,
            },
            Principal::Anonymous | Principal::System => Reader::Anonymous,
        };
        Self { reader }
    }

    /// Access to everything (the service itself).
    pub fn all() -> Self {
        Self { reader: Reader::All }
    }

    /// Whether the principal may read `ds`.
    pub fn admits(&self, ds: &Dataset) -> bool {
        match &self.reader {
            Reader::All => true,
            Reader::Anonymous => ds.access == AccessLevel::Public,
            Reader::User { id, permissions, affiliation, scope, edited_orders } => match ds.access {
                AccessLevel::Public => true,
                _ if edited_orders.contains(&ds.order) => true,
                AccessLevel::Private => false,
                AccessLevel::Protected => {
                    let r = &ds.access_rules;
                    r.users.contains(id)
                        || r.permissions.iter().any(|n| permissions.contains(n))
                        || affiliation.as_ref().is_some_and(|a| r.affiliations.contains(a))
                        || r.scope
                            .iter()
                            .any(|sv| scope.iter().any(|f| f.column == sv.column && f.values.contains(&sv.value)))
                }
            },
        }
    }

    /// The database filter selecting exactly the datasets [`admits`](Self::admits) admits; `None` when all.
    pub fn filter(&self) -> Option<Document> {
        let public = doc! { "access": { "$nin": [AccessLevel::Protected.as_str(), AccessLevel::Private.as_str()] } };
        match &self.reader {
            Reader::All => None,
            Reader::Anonymous => Some(public),
            Reader::User { id, permissions, affiliation, scope, edited_orders } => {
                let mut rules = vec![doc! { "accessRules.users": *id }];
                if !permissions.is_empty() {
                    rules.push(doc! { "accessRules.permissions": { "$in": permissions.clone() } });
                }
                if let Some(a) = affiliation {
                    rules.push(doc! { "accessRules.affiliations": a.clone() });
                }
                for f in scope.iter().filter(|f| !f.values.is_empty()) {
                    rules.push(doc! { "accessRules.scope": {
                        "$elemMatch": { "column": f.column.clone(), "value": { "$in": f.values.clone() } }
                    } });
                }
                let mut any = vec![public, doc! { "access": AccessLevel::Protected.as_str(), "$or": rules }];
                if !edited_orders.is_empty() {
                    any.push(doc! { "order": { "$in": edited_orders.clone() } });
                }
                Some(doc! { "$or": any })
            }
        }
    }

    /// `filter` restricted to the datasets admitted.
    pub fn restrict(&self, filter: Document) -> Document {
        match self.filter() {
            None => filter,
            Some(f) if filter.is_empty() => f,
            Some(f) => doc! { "$and": [filter, f] },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{AccessRules, ScopeFilter, ScopeValue};
    use crate::domain::permissions::PermissionSet;
    use crate::domain::Viewer;

    fn dataset(access: AccessLevel, rules: AccessRules) -> Dataset {
        let now = bson::DateTime::now();
        Dataset {
            id: crate::domain::model::new_id(),
            order: crate::domain::model::new_id(),
            title: "t".into(),
            description: String::new(),
            tags_standard: vec![],
            tags_user: vec![],
            cross_references: vec![],
            access,
            access_rules: rules,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn user(perms: &[&str], affiliation: Option<&str>, scope: Vec<ScopeFilter>) -> Principal {
        Principal::User(Viewer {
            id: uuid::Uuid::now_v7(),
            permissions: PermissionSet::from_names(perms),
            scope,
            affiliation: affiliation.map(str::to_owned),
        })
    }

    #[test]
    fn each_rule_kind_admits_and_private_admits_only_editors_and_data_management() {
        let p =
            user(&["ORDERS"], Some("Uni A"), vec![ScopeFilter { column: "school".into(), values: vec!["Oak".into()] }]);
        let me = Uuid::from(p.user_id().unwrap_or_default());
        let a = DatasetAccess::new(&p, vec![]);
        let by = |rules: AccessRules| dataset(AccessLevel::Protected, rules);
        assert!(a.admits(&dataset(AccessLevel::Public, AccessRules::default())));
        assert!(!a.admits(&by(AccessRules::default())));
        assert!(a.admits(&by(AccessRules { users: vec![me], ..Default::default() })));
        // DATA_MANAGEMENT implies ORDERS, not the other way round.
        assert!(a.admits(&by(AccessRules { permissions: vec!["ORDERS".into()], ..Default::default() })));
        assert!(!a.admits(&by(AccessRules { permissions: vec!["DATA_MANAGEMENT".into()], ..Default::default() })));
        assert!(a.admits(&by(AccessRules { affiliations: vec!["Uni A".into()], ..Default::default() })));
        assert!(!a.admits(&by(AccessRules { affiliations: vec!["uni a".into()], ..Default::default() })));
        let oak = ScopeValue { column: "school".into(), value: "Oak".into() };
        assert!(a.admits(&by(AccessRules { scope: vec![oak], ..Default::default() })));
        let elm = ScopeValue { column: "school".into(), value: "Elm".into() };
        assert!(!a.admits(&by(AccessRules { scope: vec![elm], ..Default::default() })));
        let private = dataset(AccessLevel::Private, AccessRules { users: vec![me], ..Default::default() });
        assert!(!a.admits(&private), "rules do not open a PRIVATE dataset");
        assert!(DatasetAccess::new(&p, vec![private.order]).admits(&private), "editors of its order");
        assert!(DatasetAccess::new(&user(&["DATA_MANAGEMENT"], None, vec![]), vec![]).admits(&private));
        assert!(!DatasetAccess::new(&user(&["OWNERS_READ"], None, vec![]), vec![]).admits(&private));
        assert!(!DatasetAccess::new(&Principal::Anonymous, vec![]).admits(&by(AccessRules::default())));
        assert!(DatasetAccess::new(&Principal::System, vec![]).filter().is_none());
    }
}
