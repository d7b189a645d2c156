//! One rendering path for log entries: an entity's `log`, a user's `actions`, the change feed and its
//! subscription all show an entry through this module, never as the raw stored copy.
//!
//! **Which entries a reader sees.** The state of the entity an entry describes is its copy (for a file
//! entry, which copies a file, the dataset's latest copy before it). Whether the reader may see that state is
//! decided by the same rules as a direct read, with the reader's rights *now*: an order by
//! [`can_see_order`], a dataset by [`DatasetAccess::admits`] (the single decision point), collections and
//! users are visible to everyone. Then:
//! - `ADD`/`EDIT`: shown when the reader may see the new state;
//! - otherwise, in the feed, `REVOKE` when the reader could see the state before (the entity left their view:
//!   treat it like a deletion), and nothing at all when they never could (no id, no trace);
//! - `DELETE`: shown when the reader could see the last state before the deletion.
//!
//! Access lost through a change of *another* entity (being removed from an order's editors hides that
//! order's private datasets) is reported for the entity that changed (the order's `REVOKE`), not for each
//! dataset; a full extract reconciles those.
//!
//! **Which fields.** A shown copy goes through the field rules of its type ([`super::log_redact`]): what
//! `order(id)`, `dataset(id)`, `collection(id)` and `user(id)` would show the reader for that state.

use std::collections::HashMap;

use bson::{doc, Bson, Document, Uuid};
use futures::{StreamExt, TryStreamExt};

use super::model::{Collection, DataType, Dataset, LogAction, LogEntry, Order, User};
use super::visibility::{can_see_order, DatasetAccess};
use super::{DomainError, Principal, Tracker};
use crate::store::sequence::SEQ;
use crate::store::StoreError;

/// What a reader is told an entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewAction {
    /// Created.
    Add,
    /// Changed.
    Edit,
    /// Deleted.
    Delete,
    /// The reader lost access to the entity (treat like a deletion). Only in the change feed.
    Revoke,
}

/// The state of an entity as a log entry records it.
#[derive(Debug, Clone)]
pub enum EntityState {
    /// An order.
    Order(Order),
    /// A dataset.
    Dataset(Dataset),
    /// A collection.
    Collection(Collection),
    /// A user.
    User(User),
}

/// A log entry as one reader may see it.
#[derive(Debug, Clone)]
pub struct LogView {
    /// The stored entry, with `data` replaced by its rendering for the reader (never the raw copy; in the
    /// feed, which shows typed entities instead, just the entity's id).
    pub entry: LogEntry,
    /// What the reader is told happened.
    pub action: ViewAction,
    /// The entity after the change, for `ADD`/`EDIT` (typed rendering applies the field rules).
    pub entity: Option<EntityState>,
    /// Whether the reader may know who made the change (they may read the entity's log, or made it).
    pub actor_visible: bool,
}

/// How entries are filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An entity's log, already allowed as a whole: every entry is shown, through the field rules.
    EntityLog,
    /// A user's actions: entries about entities the reader may not see are left out.
    Actions,
    /// The change feed: as `Actions`, plus `REVOKE` for entities the reader lost.
    Feed,
}

/// The reader: who, and which datasets they may read.
#[derive(Debug, Clone)]
pub struct Reader {
    /// Who reads.
    pub principal: Principal,
    /// Their dataset access.
    pub access: DatasetAccess,
}

fn parse_state(data_type: DataType, data: &Bson) -> Option<EntityState> {
    let Bson::Document(d) = data else { return None };
    let state = match data_type {
        DataType::Order => EntityState::Order(bson::from_document(d.clone()).ok()?),
        // File entries are logged on their dataset; they copy the file, which has no `order`.
        DataType::Dataset if d.contains_key("order") => EntityState::Dataset(bson::from_document(d.clone()).ok()?),
        DataType::Dataset => return None,
        DataType::Collection => EntityState::Collection(bson::from_document(d.clone()).ok()?),
        DataType::User => EntityState::User(bson::from_document(d.clone()).ok()?),
    };
    Some(state)
}

/// Whether the entry copies a file of a dataset (rather than the dataset).
pub(crate) fn is_file_entry(e: &LogEntry) -> bool {
    e.data_type == DataType::Dataset && matches!(&e.data, Bson::Document(d) if d.contains_key("dataset"))
}

fn visible(r: &Reader, s: &EntityState) -> bool {
    match s {
        EntityState::Order(o) => can_see_order(&r.principal, o),
        EntityState::Dataset(d) => r.access.admits(d),
        EntityState::Collection(_) | EntityState::User(_) => true,
    }
}

/// Whether entries of this type can be hidden from someone (orders and datasets); collections and users
/// are visible to everyone.
fn can_hide(t: DataType) -> bool {
    matches!(t, DataType::Order | DataType::Dataset)
}

impl Tracker {
    /// Renders `entries` (in order) for `reader`; hidden ones are left out.
    pub async fn render_log(
        &self,
        reader: &Reader,
        entries: Vec<LogEntry>,
        mode: Mode,
    ) -> Result<Vec<LogView>, DomainError> {
        let prior = self.prior_states(reader, &entries, mode).await?;
        let mut last: HashMap<Uuid, Option<EntityState>> = HashMap::new();
        let mut decided = Vec::with_capacity(entries.len());
        for e in entries {
            let before = match last.get(&e.entity_id) {
                Some(s) => s.clone(),
                None => prior.get(&e.entity_id).cloned().flatten(),
            };
            let own = parse_state(e.data_type, &e.data);
            let state = if is_file_entry(&e) { before.clone() } else { own };
            if e.action != LogAction::Delete {
                last.insert(e.entity_id, state.clone().or_else(|| before.clone()));
            } else {
                last.insert(e.entity_id, None);
            }
            if let Some((action, entity)) = decide(reader, &e, state, before, mode) {
                decided.push((e, action, entity));
            }
        }
        super::log_redact::render(self, reader, decided, mode).await
    }

    /// For each entity whose earlier state decides an entry (deletions, file entries, and — outside an
    /// entity's log — entries the reader may not see now), the latest copy logged before the first such
    /// entry in `entries`. One indexed query per entity, run concurrently.
    async fn prior_states(
        &self,
        reader: &Reader,
        entries: &[LogEntry],
        mode: Mode,
    ) -> Result<HashMap<Uuid, Option<EntityState>>, DomainError> {
        let mut wanted: HashMap<Uuid, (DataType, i64)> = HashMap::new();
        let mut seen: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
        for e in entries {
            let first = seen.insert(e.entity_id);
            if !first
                || mode == Mode::EntityLog
                || !can_hide(e.data_type)
                || DatasetAccess::reads_all(&reader.principal)
            {
                continue;
            }
            let needs = e.action == LogAction::Delete
                || is_file_entry(e)
                || (mode != Mode::EntityLog && parse_state(e.data_type, &e.data).is_some_and(|s| !visible(reader, &s)));
            if needs {
                wanted.insert(e.entity_id, (e.data_type, e.seq));
            }
        }
        let lookups = wanted.into_iter().map(|(id, (t, seq))| async move {
            let state = self.state_before(id, t, seq).await?;
            Ok::<_, DomainError>((id, state))
        });
        let found = futures::stream::iter(lookups).buffer_unordered(8).try_collect::<Vec<_>>().await?;
        Ok(found.into_iter().collect())
    }

    /// The latest copy of the entity logged before sequence number `seq`.
    async fn state_before(&self, id: Uuid, t: DataType, seq: i64) -> Result<Option<EntityState>, DomainError> {
        let shape = match t {
            DataType::Order => "data.editors",
            DataType::Dataset => "data.order",
            DataType::Collection => "data.title",
            DataType::User => "data.name",
        };
        let filter = doc! { "entityId": id, SEQ: { "$lt": seq }, shape: { "$exists": true } };
        let found: Option<Document> =
            self.logs.raw().find_one(filter).sort(doc! { SEQ: -1 }).await.map_err(StoreError::from)?;
        Ok(found.and_then(|d| d.get("data").and_then(|data| parse_state(t, data))))
    }

    /// The reader for `p`.
    pub async fn log_reader(&self, p: &Principal) -> Result<Reader, DomainError> {
        Ok(Reader { principal: p.clone(), access: self.dataset_access(p).await? })
    }
}

fn decide(
    r: &Reader,
    e: &LogEntry,
    state: Option<EntityState>,
    before: Option<EntityState>,
    mode: Mode,
) -> Option<(ViewAction, Option<EntityState>)> {
    let everything = mode == Mode::EntityLog || DatasetAccess::reads_all(&r.principal) || !can_hide(e.data_type);
    // With no earlier copy (entries older than the log of their entity), only readers of everything see it.
    let saw_before = before.as_ref().map(|s| visible(r, s)).unwrap_or(everything);
    match e.action {
        LogAction::Delete => (everything || saw_before).then_some((ViewAction::Delete, None)),
        LogAction::Add | LogAction::Edit => {
            let action = if e.action == LogAction::Add { ViewAction::Add } else { ViewAction::Edit };
            match state {
                Some(s) if everything || visible(r, &s) => Some((action, Some(s))),
                Some(_) if mode == Mode::Feed && saw_before => Some((ViewAction::Revoke, None)),
                Some(_) => None,
                // A file entry whose dataset has no earlier copy: only readers of everything.
                None => everything.then_some((action, None)),
            }
        }
    }
}
