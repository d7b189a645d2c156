//! Orders: created with `ORDERS`, visible to and edited by their editors (and `DATA_MANAGEMENT`).

use bson::{doc, Bson, Uuid};

use super::changes;
use super::logs;
use super::model::{new_id, DataType, LogAction, Order};
use super::permissions::Permission;
use super::tracker::{Page, PageRequest, Tracker};
use super::visibility::{can_edit_order, can_see_order, visible_orders_filter};
use super::{validate, DomainError, Principal};
use crate::store::Tx;

/// Fields of an order as given by the caller; `None` leaves a field as it is (on create: its default).
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    /// Title.
    pub title: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Generator user ids.
    pub generators: Option<Vec<String>>,
    /// Author user ids.
    pub authors: Option<Vec<String>>,
    /// Organisation user id.
    pub organisation: Option<String>,
    /// Editor user ids (at least one).
    pub editors: Option<Vec<String>>,
    /// Standard tags.
    pub tags_standard: Option<Vec<String>>,
    /// Free tags.
    pub tags_user: Option<Vec<String>>,
    /// The version the caller last read; a stale version is a `CONFLICT`.
    pub version: Option<i64>,
}

impl Tracker {
    /// An order by id, if the principal may see it (otherwise as if it did not exist).
    pub async fn order(&self, p: &Principal, id: &str) -> Result<Option<Order>, DomainError> {
        let id = validate::id("id", id)?;
        Ok(self.orders.get(id).await?.filter(|o| can_see_order(p, o)))
    }

    /// The orders the principal may see.
    pub async fn orders(&self, p: &Principal, page: PageRequest) -> Result<Page<Order>, DomainError> {
        match visible_orders_filter(p) {
            Some(filter) => self.page_of(&self.orders, filter, page).await,
            None => Ok(Page { items: Vec::new(), has_next: false, has_previous: false, total: 0 }),
        }
    }

    /// Creates an order (needs `ORDERS`); people default to the creator.
    pub async fn create_order(&self, p: &Principal, input: OrderInput) -> Result<Order, DomainError> {
        let me = Uuid::from(p.require_user()?.id);
        if !p.has(Permission::Orders) {
            return Err(DomainError::Forbidden);
        }
        let now = bson::DateTime::now();
        let mut order = Order {
            id: new_id(),
            title: validate::title(input.title.as_deref().unwrap_or(""))?,
            description: String::new(),
            generators: vec![me],
            authors: vec![me],
            organisation: me,
            editors: vec![me],
            tags_standard: Vec::new(),
            tags_user: Vec::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.apply_order_input(&mut order, input).await?;
        let people = &changes::added(&[], &people_of(&order));
        let order = &order;
        self.store
            .transaction(|mut tx| async move {
                self.lock_users(&mut tx, people).await?;
                self.orders.insert(&mut tx, order).await?;
                let data = Bson::Document(logs::snapshot(order)?);
                logs::record(&self.store, &mut tx, p, LogAction::Add, DataType::Order, order.id, data, "Order created")
                    .await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await?;
        Ok(order.clone())
    }

    /// Changes the given fields of an order.
    pub async fn update_order(&self, p: &Principal, id: &str, input: OrderInput) -> Result<Order, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let current = self
            .orders
            .get(id)
            .await?
            .filter(|o| can_see_order(p, o))
            .ok_or_else(|| DomainError::NotFound("order".into()))?;
        if !can_edit_order(p, &current) {
            return Err(DomainError::Forbidden);
        }
        check_version(input.version, current.version)?;
        let mut order = current.clone();
        self.apply_order_input(&mut order, input).await?;
        if changes::unchanged(&current, &order) {
            return Ok(current);
        }
        order.version = current.version + 1;
        order.updated_at = bson::DateTime::now();
        let people = &changes::added(&people_of(&current), &people_of(&order));
        let (order, expected) = (&order, current.version);
        self.store
            .transaction(|mut tx| async move {
                self.lock_users(&mut tx, people).await?;
                let edit = logs::Edit { data_type: DataType::Order, id, expected, comment: "Order edited" };
                logs::replace_logged(&self.store, &mut tx, &self.orders, p, order, edit).await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await?;
        Ok(order.clone())
    }

    /// Deletes an order, its datasets, and their places in collections, with every log entry, atomically.
    pub async fn delete_order(&self, p: &Principal, id: &str) -> Result<Uuid, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let order = self
            .orders
            .get(id)
            .await?
            .filter(|o| can_see_order(p, o))
            .ok_or_else(|| DomainError::NotFound("order".into()))?;
        if !can_edit_order(p, &order) {
            return Err(DomainError::Forbidden);
        }
        self.store
            .transaction(|mut tx| async move {
                // Delete the order first: a dataset being created in it concurrently locks the order, so one
                // of the two transactions conflicts and runs again after the other.
                if !self.orders.delete(&mut tx, id).await? {
                    return Err(DomainError::NotFound("order".into()));
                }
                let datasets = self.datasets.find_in(&mut tx, doc! { "order": id }).await?;
                for ds in &datasets {
                    self.remove_dataset_in(&mut tx, p, ds.id).await?;
                }
                let data = Bson::from(id);
                logs::record(&self.store, &mut tx, p, LogAction::Delete, DataType::Order, id, data, "Order deleted")
                    .await?;
                tx.commit().await?;
                Ok(())
            })
            .await?;
        Ok(id)
    }

    async fn apply_order_input(&self, order: &mut Order, input: OrderInput) -> Result<(), DomainError> {
        use validate::{MAX_PEOPLE, MAX_TAGS};
        // Every size and shape is checked before any database work.
        let people = |field: &str, ids: &Option<Vec<String>>| {
            ids.as_deref().map(|ids| validate::ids(field, ids, MAX_PEOPLE)).transpose()
        };
        let title = input.title.as_deref().map(validate::title).transpose()?;
        let description = input.description.as_deref().map(validate::description).transpose()?;
        let generators = people("generators", &input.generators)?;
        let authors = people("authors", &input.authors)?;
        let organisation = input.organisation.as_deref().map(|id| validate::id("organisation", id)).transpose()?;
        let editors = people("editors", &input.editors)?;
        if editors.as_ref().is_some_and(Vec::is_empty) {
            return Err(DomainError::invalid("editors", "an order needs at least one editor"));
        }
        if let Some(tags) = &input.tags_standard {
            validate::max_items("tagsStandard", tags, MAX_TAGS)?;
        }
        let tags_user = input.tags_user.as_deref().map(validate::user_tags).transpose()?;
        // Then what needs the database.
        let organisation = organisation.map(|o| vec![o]);
        for (field, ids) in
            [("generators", &generators), ("authors", &authors), ("organisation", &organisation), ("editors", &editors)]
        {
            if let Some(ids) = ids {
                self.ensure_users_exist(field, ids).await?;
            }
        }
        let tags_standard = match input.tags_standard {
            Some(tags) => Some(validate::standard_tags(&tags, &self.standard_tags().await?)?),
            None => None,
        };
        set(&mut order.title, title);
        set(&mut order.description, description);
        set(&mut order.generators, generators);
        set(&mut order.authors, authors);
        if let Some(o) = organisation.and_then(|o| o.first().copied()) {
            order.organisation = o;
        }
        set(&mut order.editors, editors);
        set(&mut order.tags_standard, tags_standard);
        set(&mut order.tags_user, tags_user);
        Ok(())
    }
}

/// Replaces `field` when a new value was given.
pub(crate) fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// Every user an order names (generators, authors, organisation, editors).
fn people_of(o: &Order) -> Vec<Uuid> {
    let mut all = Vec::with_capacity(o.generators.len() + o.authors.len() + o.editors.len() + 1);
    all.extend_from_slice(&o.generators);
    all.extend_from_slice(&o.authors);
    all.push(o.organisation);
    all.extend_from_slice(&o.editors);
    all
}

impl Tracker {
    /// Inside `tx`: locks the users a write starts to refer to; a user deleted meanwhile is a `CONFLICT`.
    pub(crate) async fn lock_users(&self, tx: &mut Tx, ids: &[Uuid]) -> Result<(), DomainError> {
        if (self.users.lock_in(tx, ids).await? as usize) < ids.len() {
            return Err(DomainError::conflict(
                None,
                "a user named in the change was deleted meanwhile; reload and retry",
            ));
        }
        Ok(())
    }
}

/// A stale version given by the caller is a conflict.
pub(crate) fn check_version(given: Option<i64>, current: i64) -> Result<(), DomainError> {
    match given {
        Some(v) if v != current => Err(DomainError::conflict(
            Some("version"),
            format!("the entry is at version {current}, not {v}; reload and retry"),
        )),
        _ => Ok(()),
    }
}
