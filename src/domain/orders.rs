//! Orders: created with `ORDERS`, visible to and edited by their editors (and `DATA_MANAGEMENT`).

use bson::{doc, Bson, Uuid};

use super::logs;
use super::model::{new_id, DataType, LogAction, Order};
use super::permissions::Permission;
use super::tracker::{Page, PageRequest, Tracker};
use super::visibility::{can_edit_order, can_see_order, visible_orders_filter};
use super::{validate, DomainError, Principal};

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
        let mut tx = self.store.begin().await?;
        self.orders.insert(&mut tx, &order).await?;
        let data = Bson::Document(logs::snapshot(&order)?);
        logs::record(&self.store, &mut tx, p, LogAction::Add, DataType::Order, order.id, data, "Order created").await?;
        tx.commit().await?;
        Ok(order)
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
        order.version = current.version + 1;
        order.updated_at = bson::DateTime::now();
        let mut tx = self.store.begin().await?;
        let edit = logs::Edit { data_type: DataType::Order, id, expected: current.version, comment: "Order edited" };
        logs::replace_logged(&self.store, &mut tx, &self.orders, p, &order, edit).await?;
        tx.commit().await?;
        Ok(order)
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
        let mut tx = self.store.begin().await?;
        let datasets = self.datasets.find_in(&mut tx, doc! { "order": id }).await?;
        for ds in &datasets {
            self.remove_dataset_in(&mut tx, p, ds.id).await?;
        }
        if !self.orders.delete(&mut tx, id).await? {
            return Err(DomainError::NotFound("order".into()));
        }
        logs::record(&self.store, &mut tx, p, LogAction::Delete, DataType::Order, id, Bson::from(id), "Order deleted")
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn apply_order_input(&self, order: &mut Order, input: OrderInput) -> Result<(), DomainError> {
        if let Some(t) = input.title {
            order.title = validate::title(&t)?;
        }
        if let Some(d) = input.description {
            order.description = validate::description(&d)?;
        }
        if let Some(ids) = input.generators {
            order.generators = validate::ids("generators", &ids)?;
            self.ensure_users_exist("generators", &order.generators).await?;
        }
        if let Some(ids) = input.authors {
            order.authors = validate::ids("authors", &ids)?;
            self.ensure_users_exist("authors", &order.authors).await?;
        }
        if let Some(id) = input.organisation {
            order.organisation = validate::id("organisation", &id)?;
            self.ensure_users_exist("organisation", &[order.organisation]).await?;
        }
        if let Some(ids) = input.editors {
            let editors = validate::ids("editors", &ids)?;
            if editors.is_empty() {
                return Err(DomainError::invalid("editors", "an order needs at least one editor"));
            }
            self.ensure_users_exist("editors", &editors).await?;
            order.editors = editors;
        }
        if let Some(tags) = input.tags_standard {
            order.tags_standard = validate::standard_tags(&tags, &self.standard_tags().await?)?;
        }
        if let Some(tags) = input.tags_user {
            order.tags_user = validate::user_tags(&tags)?;
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
