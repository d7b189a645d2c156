//! Datasets: entries that belong to one order for life; edited by that order's editors; read as their
//! access level allows ([`DatasetAccess`]).

use bson::{doc, Bson, Uuid};

use super::access::AccessRulesInput;
use super::changes;
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
        validate::listing(filter.search.as_deref(), &filter.tags_standard, &filter.tags_user)?;
        let f = listing_filter(filter.search.as_deref(), &filter.tags_standard, &filter.tags_user);
        if !f.is_empty() || !page.want_total {
            return self.page_of(&self.datasets, access.restrict(f), page).await;
        }
        // The whole listing: its total from the tally (counting reads the whole collection).
        let mut out =
            self.page_of(&self.datasets, access.restrict(f), PageRequest { want_total: false, ..page }).await?;
        out.total = self.visible_dataset_total(access).await?;
        Ok(out)
    }

    /// How many datasets `access` admits: the tally of all datasets, less the `PROTECTED` and `PRIVATE`
    /// ones, plus those of them it admits (two counts an index narrows to the non-public datasets). Counts
    /// the collection when the tally is not there yet.
    async fn visible_dataset_total(&self, access: &DatasetAccess) -> Result<u64, DomainError> {
        let Some(all) = crate::store::sequence::tally(self.store.db(), "datasets").await? else {
            return Ok(self.datasets.count(access.restrict(doc! {})).await?);
        };
        let Some(admitted) = access.filter() else { return Ok(all) };
        let non_public = doc! { "access": { "$in": [AccessLevel::Protected.as_str(), AccessLevel::Private.as_str()] } };
        let hidden_or_not = self.datasets.count(non_public.clone()).await?;
        let admitted = self.datasets.count(doc! { "$and": [non_public, admitted] }).await?;
        Ok(all.saturating_sub(hidden_or_not) + admitted)
    }

    /// The first `limit` datasets of an order that `access` admits, oldest first (one query, narrowed by the
    /// order's index).
    pub async fn datasets_of_order(
        &self,
        access: &DatasetAccess,
        order: Uuid,
        limit: i64,
    ) -> Result<Vec<Dataset>, DomainError> {
        Ok(self.datasets.page_by_index(access.restrict(doc! { "order": order }), None, limit).await?)
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
        let ds = &ds;
        self.store
            .transaction(|mut tx| async move {
                // The order must still exist when the dataset is written: lock it inside the transaction, so
                // that a concurrent delete of the order conflicts with this write and one of them runs again.
                if self.orders.lock_in(&mut tx, &[ds.order]).await? == 0 {
                    return Err(DomainError::conflict(Some("orderId"), "the order was deleted meanwhile"));
                }
                self.datasets.insert(&mut tx, ds).await?;
                let data = Bson::Document(logs::snapshot(ds)?);
                logs::record(
                    &self.store,
                    &mut tx,
                    p,
                    LogAction::Add,
                    DataType::Dataset,
                    ds.id,
                    data,
                    "Dataset created",
                )
                .await?;
                tx.commit().await?;
                Ok(())
            })
            .await?;
        Ok(ds.clone())
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
        if changes::unchanged(&current, &ds) {
            return Ok(current);
        }
        ds.version = current.version + 1;
        ds.updated_at = bson::DateTime::now();
        let (ds, expected) = (&ds, current.version);
        self.store
            .transaction(|mut tx| async move {
                let edit = logs::Edit { data_type: DataType::Dataset, id, expected, comment: "Dataset edited" };
                logs::replace_logged(&self.store, &mut tx, &self.datasets, p, ds, edit).await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await?;
        Ok(ds.clone())
    }

    /// Deletes a dataset and removes it from every collection, atomically.
    pub async fn delete_dataset(&self, p: &Principal, id: &str) -> Result<Uuid, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let ds = self.visible_dataset(p, id).await?;
        self.require_dataset_editor(p, &ds).await?;
        self.store
            .transaction(|mut tx| async move {
                self.remove_dataset_in(&mut tx, p, id).await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await?;
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
        if !self.datasets.delete(tx, id).await? {
            return Err(DomainError::NotFound("dataset".into()));
        }
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
        super::file_writes::remove_files_of_dataset(tx, &self.store, id).await?;
        logs::record(&self.store, tx, p, LogAction::Delete, DataType::Dataset, id, Bson::from(id), "Dataset deleted")
            .await?;
        Ok(())
    }

    async fn apply_dataset_input(&self, ds: &mut Dataset, input: DatasetInput) -> Result<(), DomainError> {
        // Sizes first: the standard tags below need a database read.
        if let Some(tags) = &input.tags_standard {
            validate::max_items("tagsStandard", tags, validate::MAX_TAGS)?;
        }
        if let Some(x) = &input.cross_references {
            validate::max_items("crossReferences", x, validate::MAX_CROSS_REFERENCES)?;
        }
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
