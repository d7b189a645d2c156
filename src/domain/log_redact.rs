//! The field rules applied to a logged copy: what `order(id)`, `dataset(id)`, `collection(id)`, `user(id)`
//! (and a dataset's `files`) would show the reader for that state — the same visibility functions the
//! GraphQL types call. Fields outside those types (bookkeeping, key material, session epochs) never leave.

use std::collections::{HashMap, HashSet};

use bson::{Bson, Document, Uuid};

use super::log_view::{is_file_entry, EntityState, LogView, Mode, Reader, ViewAction};
use super::model::{Dataset, LogEntry, Order, User};
use super::permissions::Permission;
use super::visibility::{
    can_read_collection_logs, can_read_order_logs, can_read_user_logs, can_see_collection_owners, can_see_order,
    can_see_user_private,
};
use super::{DomainError, Tracker};

/// Public profile fields of a user (everyone).
const USER_PUBLIC: [&str; 6] = ["_id", "name", "affiliation", "emailPublic", "orcid", "url"];
/// Private fields of a user (the user and `USER_MANAGEMENT`).
const USER_PRIVATE: [&str; 5] = ["email", "authIds", "permissions", "scope", "version"];
/// Fields of a file entry shown to whoever sees its dataset.
const FILE_FIELDS: [&str; 10] =
    ["_id", "dataset", "name", "key", "parameter", "size", "sha256", "mediaType", "description", "createdAt"];

/// What the rules need besides the copies: current orders (dataset owner information) and datasets
/// (a collection's members).
struct Lookups {
    orders: HashMap<Uuid, Order>,
    datasets: HashMap<Uuid, Dataset>,
}

/// Renders decided entries: `data` through the field rules, the actor when the reader may know it.
pub(crate) async fn render(
    t: &Tracker,
    reader: &Reader,
    decided: Vec<(LogEntry, ViewAction, Option<EntityState>)>,
    mode: Mode,
) -> Result<Vec<LogView>, DomainError> {
    // The feed shows no `data` (its entities are typed and go through the GraphQL types' own rules), so it
    // needs no lookups for it; the orders only for the actor's visibility, which `DATA_MANAGEMENT` always has.
    let data_shown = mode != Mode::Feed;
    let need_orders = data_shown || !reader.principal.has(Permission::DataManagement);
    let lookups = lookups(t, &decided, data_shown, need_orders).await?;
    let mut out = Vec::with_capacity(decided.len());
    for (mut entry, action, entity) in decided {
        let data = match (&entity, action) {
            (_, ViewAction::Delete | ViewAction::Revoke) => Bson::from(entry.entity_id),
            _ if !data_shown => Bson::from(entry.entity_id),
            (_, _) if is_file_entry(&entry) => keep(&entry.data, &FILE_FIELDS),
            (Some(s), _) => Bson::Document(redact(reader, s, &lookups)?),
            (None, _) => Bson::from(entry.entity_id),
        };
        let actor_visible = mode != Mode::Feed || actor_visible(reader, &entry, entity.as_ref(), &lookups);
        entry.data = data;
        let entity = if matches!(action, ViewAction::Add | ViewAction::Edit) { entity } else { None };
        out.push(LogView { entry, action, entity, actor_visible });
    }
    Ok(out)
}

async fn lookups(
    t: &Tracker,
    decided: &[(LogEntry, ViewAction, Option<EntityState>)],
    datasets_needed: bool,
    orders_needed: bool,
) -> Result<Lookups, DomainError> {
    let mut order_ids = HashSet::new();
    let mut dataset_ids = HashSet::new();
    for (_, _, s) in decided {
        match s {
            Some(EntityState::Dataset(d)) if orders_needed => {
                order_ids.insert(d.order);
            }
            Some(EntityState::Collection(c)) if datasets_needed => dataset_ids.extend(c.datasets.iter().copied()),
            _ => {}
        }
    }
    let orders = t.orders.get_many(&order_ids.into_iter().collect::<Vec<_>>()).await?;
    let datasets = t.datasets.get_many(&dataset_ids.into_iter().collect::<Vec<_>>()).await?;
    Ok(Lookups {
        orders: orders.into_iter().map(|o| (o.id, o)).collect(),
        datasets: datasets.into_iter().map(|d| (d.id, d)).collect(),
    })
}

fn to_doc<T: serde::Serialize>(v: &T) -> Result<Document, DomainError> {
    bson::to_document(v).map_err(|e| DomainError::Internal(format!("cannot render log entry: {e}")))
}

fn keep(data: &Bson, keys: &[&str]) -> Bson {
    match data {
        Bson::Document(d) => Bson::Document(keep_doc(d, keys)),
        other => other.clone(),
    }
}

fn keep_doc(d: &Document, keys: &[&str]) -> Document {
    d.iter().filter(|(k, _)| keys.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn redact(r: &Reader, s: &EntityState, l: &Lookups) -> Result<Document, DomainError> {
    let p = &r.principal;
    Ok(match s {
        // Whoever sees an order sees all of it.
        EntityState::Order(o) => to_doc(o)?,
        EntityState::Dataset(d) => {
            let mut doc = to_doc(d)?;
            let order = l.orders.get(&d.order);
            if !order.is_some_and(|o| can_see_order(p, o)) {
                doc.remove("order");
            }
            if !order.is_some_and(|o| can_read_order_logs(p, o)) {
                doc.remove("accessRules");
            }
            doc
        }
        EntityState::Collection(c) => {
            let mut shown = c.clone();
            shown.datasets.retain(|id| l.datasets.get(id).is_some_and(|d| r.access.admits(d)));
            let mut doc = to_doc(&shown)?;
            if !can_see_collection_owners(p, c) {
                for k in ["editors", "version", "updatedAt"] {
                    doc.remove(k);
                }
            }
            doc
        }
        EntityState::User(u) => user_doc(r, u)?,
    })
}

fn user_doc(r: &Reader, u: &User) -> Result<Document, DomainError> {
    let full = to_doc(u)?;
    let mut keys: Vec<&str> = USER_PUBLIC.to_vec();
    if can_see_user_private(&r.principal, u) {
        keys.extend(USER_PRIVATE);
    }
    Ok(keep_doc(&full, &keys))
}

/// In the feed, the actor is shown to those who may read the entity's log, and to the actor themself.
fn actor_visible(r: &Reader, e: &LogEntry, s: Option<&EntityState>, l: &Lookups) -> bool {
    let p = &r.principal;
    if p.user_id().is_some_and(|me| me.to_string() == e.user) || p.has(Permission::DataManagement) {
        return true;
    }
    match s {
        Some(EntityState::Order(o)) => can_read_order_logs(p, o),
        Some(EntityState::Dataset(d)) => l.orders.get(&d.order).is_some_and(|o| can_read_order_logs(p, o)),
        Some(EntityState::Collection(c)) => can_read_collection_logs(p, c),
        Some(EntityState::User(u)) => can_read_user_logs(p, u),
        None => false,
    }
}
