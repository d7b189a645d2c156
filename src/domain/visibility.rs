//! Who sees and who may change what. Every read path asks these functions; hidden fields read as `null`.

use bson::{doc, Document, Uuid};

use super::model::{Collection, Order, User};
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
