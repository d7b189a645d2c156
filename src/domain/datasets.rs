//! Datasets: entries that belong to one order for life; edited by that order's editors; read as their
//! access level allows ([`DatasetAccess`]).

use bson::{doc, Bson, Uuid};

use super::access::AccessRulesInput;
use super::logs;
use super::model::{new_id, AccessLevel, AccessRules, CrossReference, DataType, Dataset, LogAction};
use super::orders::check_version;
use super::tracker::{listing_filter, Page, PageRequest, Tracker};
use super::visibility::{can_edit_order, can_see_order, DatasetAccess};
use super::{validate, DomainError, Principal};
use crate::store::Tx;

/// Fields of a dataset as given by the caller; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct DatasetInput {
    /// Title.
    pub title: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Standard tags.
    pub tags_standard: Option<Vec<String>>,
    /// Free tags.
    pub tags_user: Option<Vec<String>>,
    /// External identifiers and links.
    pub cross_references: Option<Vec<CrossReference>>,
    /// Access level.
    pub access: Option<AccessLevel>,
    /// Access rules (replacing the stored ones).
    pub access_rules: Option<AccessRulesInput>,
    /// The version the caller last read.
    pub version: Option<i64>,
}

/// How to narrow a listing of datasets or collections.
#[derive(Debug, Clone, Default)]
pub struct ListingFilter {
    /// Case-insensitive substring of the title.
    pub search: Option<String>,
    /// Standard tags that must all be present.
    pub tags_standard: Vec<String>,
    /// Free tags that must all be present.
    pub tags_user: Vec<String>,
}

impl Tracker {
    /// A dataset by id, when `access` admits it (otherwise it does not exist).
    pub async fn dataset(&self, access: &DatasetAccess, id: &str) -> Result<Option<Dataset>, DomainError> {
        let id = validate::id("id", id)?;
        self.dataset_by_id(access, id).await
    }

    /// A dataset by parsed id, when `access` admits it.
    pub async fn dataset_by_id(&self, access: &DatasetAccess, id: Uuid) -> Result<Option<Dataset>, DomainError> {
        Ok(self.datasets.get(id).await?.filter(|d| access.admits(d)))
    }

    /// Datasets admitted by `access`, filtered (in the database, so pages and counts hold only those).
    pub async fn datasets(
        &self,
        access: &DatasetAccess,
        filter: &ListingFilter,
        page: PageRequest,
    ) -> Result<Page<Dataset>, DomainError> {
        let f = listing_filter(filter.search.as_deref(), &filter.tags_standard, &filter.tags_user);
        self.page_of(&self.datasets, access.restrict(f), page).await
    }

    /// A dataset `p` may read, or `NotFound` (the same answer for a hidden and an unknown id).
    pub(crate) async fn visible_dataset(&self, p: &Principal, id: Uuid) -> Result<Dataset, DomainError> {
        let access = self.dataset_access(p).await?;
        self.dataset_by_id(&access, id).await?.ok_or_else(|| DomainError::NotFound("dataset".into()))
    }

    /// Adds a dataset to an order (needs to be allowed to edit the order).
    pub async fn create_dataset(
        &self,
        p: &Principal,
        order_id: &str,
        input: DatasetInput,
    ) -> Result<Dataset, DomainError> {
        let order_id = validate::id("orderId", order_id)?;
        p.require_user()?;
        let order = self
            .orders
            .get(order_id)
            .await?
            .filter(|o| can_see_order(p, o))
            .ok_or_else(|| DomainError::NotFound("order".into()))?;
        if !can_edit_order(p, &order) {
            return Err(DomainError::Forbidden);
        }
        let now = bson::DateTime::now();
        let mut ds = Dataset {
            id: new_id(),
            order: order.id,
            title: validate::title(input.title.as_deref().unwrap_or(""))?,
            description: String::new(),
            tags_standard: Vec::new(),
            tags_user: Vec::new(),
            cross_references: Vec::new(),
            access: AccessLevel::Public,
            access_rules: AccessRules::default(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.apply_dataset_input(&mut ds, input).await?;
        let mut tx = self.store.begin().await?;
        // The order must still exist when the dataset is written: re-read it inside the transaction.
        if self.orders.get_in(&mut tx, order.id).await?.is_none() {
            return Err(DomainError::NotFound("order".into()));
        }
        self.datasets.insert(&mut tx, &ds).await?;
        let data = Bson::Document(logs::snapshot(&ds)?);
        logs::record(&self.store, &mut tx, p, LogAction::Add, DataType::Dataset, ds.id, data, "Dataset created")
            .await?;
        tx.commit().await?;
        Ok(ds)
    }

    /// Changes the given fields of a dataset.
    pub async fn update_dataset(&self, p: &Principal, id: &str, input: DatasetInput) -> Result<Dataset, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let current = self.visible_dataset(p, id).await?;
        self.require_dataset_editor(p, &current).await?;
        check_version(input.version, current.version)?;
        let mut ds = current.clone();
        self.apply_dataset_input(&mut ds, input).await?;
        ds.version = current.version + 1;
        ds.updated_at = bson::DateTime::now();
        let mut tx = self.store.begin().await?;
        let edit =
            logs::Edit { data_type: DataType::Dataset, id, expected: current.version, comment: "Dataset edited" };
        logs::replace_logged(&self.store, &mut tx, &self.datasets, p, &ds, edit).await?;
        tx.commit().await?;
        Ok(ds)
    }

    /// Deletes a dataset and removes it from every collection, atomically.
    pub async fn delete_dataset(&self, p: &Principal, id: &str) -> Result<Uuid, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let ds = self.visible_dataset(p, id).await?;
        self.require_dataset_editor(p, &ds).await?;
        let mut tx = self.store.begin().await?;
        self.remove_dataset_in(&mut tx, p, id).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn require_dataset_editor(&self, p: &Principal, ds: &Dataset) -> Result<(), DomainError> {
        let order = self.orders.get(ds.order).await?;
        match order {
            Some(o) if can_edit_order(p, &o) => Ok(()),
            _ => Err(DomainError::Forbidden),
        }
    }

    /// Inside `tx`: deletes the dataset, removes it from collections, and logs each change.
    pub(crate) async fn remove_dataset_in(&self, tx: &mut Tx, p: &Principal, id: Uuid) -> Result<(), DomainError> {
        let containing = self.collections.find_in(tx, doc! { "datasets": id }).await?;
        for current in containing {
            let mut c = current.clone();
            c.datasets.retain(|d| *d != id);
            c.version += 1;
            c.updated_at = bson::DateTime::now();
            let edit = logs::Edit {
                data_type: DataType::Collection,
                id: c.id,
                expected: current.version,
                comment: "Dataset removed from collection",
            };
            logs::replace_logged(&self.store, tx, &self.collections, p, &c, edit).await?;
        }
        if !self.datasets.delete(tx, id).await? {
            return Err(DomainError::NotFound("dataset".into()));
        }
        super::file_writes::remove_files_of_dataset(tx, &self.store, id).await?;
        logs::record(&self.store, tx, p, LogAction::Delete, DataType::Dataset, id, Bson::from(id), "Dataset deleted")
            .await?;
        Ok(())
    }

    async fn apply_dataset_input(&self, ds: &mut Dataset, input: DatasetInput) -> Result<(), DomainError> {
        if let Some(t) = input.title {
            ds.title = validate::title(&t)?;
        }
        if let Some(d) = input.description {
            ds.description = validate::description(&d)?;
        }
        if let Some(tags) = input.tags_standard {
            ds.tags_standard = validate::standard_tags(&tags, &self.standard_tags().await?)?;
        }
        if let Some(tags) = input.tags_user {
            ds.tags_user = validate::user_tags(&tags)?;
        }
        if let Some(x) = input.cross_references {
            ds.cross_references = validate::cross_references(x)?;
        }
        if let Some(level) = input.access {
            ds.access = level;
        }
        if let Some(rules) = input.access_rules {
            ds.access_rules = self.validate_access_rules(rules).await?;
        }
        Ok(())
    }
}
