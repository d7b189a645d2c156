//! Collections: any logged-in user may create one; its editors (or `DATA_MANAGEMENT`) change it.

use bson::{Bson, Uuid};

use super::changes;
use super::datasets::ListingFilter;
use super::logs;
use super::model::{new_id, Collection, CrossReference, DataType, LogAction};
use super::orders::{check_version, set};
use super::tracker::{listing_filter, Page, PageRequest, Tracker};
use super::visibility::can_edit_collection;
use super::{validate, DomainError, Principal};
use crate::store::Tx;

/// Fields of a collection as given by the caller; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CollectionInput {
    /// Title.
    pub title: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Dataset ids (adding a dataset needs only read access to it; datasets are public).
    pub datasets: Option<Vec<String>>,
    /// Editor user ids (at least one).
    pub editors: Option<Vec<String>>,
    /// Standard tags.
    pub tags_standard: Option<Vec<String>>,
    /// Free tags.
    pub tags_user: Option<Vec<String>>,
    /// External identifiers and links.
    pub cross_references: Option<Vec<CrossReference>>,
    /// The version the caller last read.
    pub version: Option<i64>,
}

impl Tracker {
    /// A collection by id (collections are public).
    pub async fn collection(&self, id: &str) -> Result<Option<Collection>, DomainError> {
        let id = validate::id("id", id)?;
        Ok(self.collections.get(id).await?)
    }

    /// Collections, filtered.
    pub async fn collections(
        &self,
        filter: &ListingFilter,
        page: PageRequest,
    ) -> Result<Page<Collection>, DomainError> {
        validate::listing(filter.search.as_deref(), &filter.tags_standard, &filter.tags_user)?;
        let f = listing_filter(filter.search.as_deref(), &filter.tags_standard, &filter.tags_user);
        self.page_of(&self.collections, f, page).await
    }

    /// Creates a collection; editors default to the creator.
    pub async fn create_collection(&self, p: &Principal, input: CollectionInput) -> Result<Collection, DomainError> {
        let me = Uuid::from(p.require_user()?.id);
        let now = bson::DateTime::now();
        let mut c = Collection {
            id: new_id(),
            title: validate::title(input.title.as_deref().unwrap_or(""))?,
            description: String::new(),
            datasets: Vec::new(),
            editors: vec![me],
            tags_standard: Vec::new(),
            tags_user: Vec::new(),
            cross_references: Vec::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.apply_collection_input(p, &mut c, input).await?;
        let (users, datasets) = (&changes::added(&[], &c.editors), &changes::added(&[], &c.datasets));
        let c = &c;
        self.store
            .transaction(|mut tx| async move {
                self.lock_references(&mut tx, users, datasets).await?;
                self.collections.insert(&mut tx, c).await?;
                let data = Bson::Document(logs::snapshot(c)?);
                let comment = "Collection created";
                logs::record(&self.store, &mut tx, p, LogAction::Add, DataType::Collection, c.id, data, comment)
                    .await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await?;
        Ok(c.clone())
    }

    /// Changes the given fields of a collection.
    pub async fn update_collection(
        &self,
        p: &Principal,
        id: &str,
        input: CollectionInput,
    ) -> Result<Collection, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let current = self.collections.get(id).await?.ok_or_else(|| DomainError::NotFound("collection".into()))?;
        if !can_edit_collection(p, &current) {
            return Err(DomainError::Forbidden);
        }
        check_version(input.version, current.version)?;
        let mut c = current.clone();
        self.apply_collection_input(p, &mut c, input).await?;
        if changes::unchanged(&current, &c) {
            return Ok(current);
        }
        c.version = current.version + 1;
        c.updated_at = bson::DateTime::now();
        let users = &changes::added(&current.editors, &c.editors);
        let datasets = &changes::added(&current.datasets, &c.datasets);
        let (c, expected) = (&c, current.version);
        self.store
            .transaction(|mut tx| async move {
                self.lock_references(&mut tx, users, datasets).await?;
                let edit = logs::Edit { data_type: DataType::Collection, id, expected, comment: "Collection edited" };
                logs::replace_logged(&self.store, &mut tx, &self.collections, p, c, edit).await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await?;
        Ok(c.clone())
    }

    /// Deletes a collection (its datasets stay).
    pub async fn delete_collection(&self, p: &Principal, id: &str) -> Result<Uuid, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let c = self.collections.get(id).await?.ok_or_else(|| DomainError::NotFound("collection".into()))?;
        if !can_edit_collection(p, &c) {
            return Err(DomainError::Forbidden);
        }
        self.store
            .transaction(|mut tx| async move {
                if !self.collections.delete(&mut tx, id).await? {
                    return Err(DomainError::NotFound("collection".into()));
                }
                let data = Bson::from(id);
                let comment = "Collection deleted";
                logs::record(&self.store, &mut tx, p, LogAction::Delete, DataType::Collection, id, data, comment)
                    .await?;
                tx.commit().await?;
                Ok(())
            })
            .await?;
        Ok(id)
    }

    /// Inside `tx`: locks the editors and datasets a collection starts to refer to; one deleted meanwhile
    /// is a `CONFLICT`.
    async fn lock_references(&self, tx: &mut Tx, users: &[Uuid], datasets: &[Uuid]) -> Result<(), DomainError> {
        self.lock_users(tx, users).await?;
        if (self.datasets.lock_in(tx, datasets).await? as usize) < datasets.len() {
            return Err(DomainError::conflict(Some("datasets"), "a dataset was deleted meanwhile; reload and retry"));
        }
        Ok(())
    }

    async fn apply_collection_input(
        &self,
        p: &Principal,
        c: &mut Collection,
        input: CollectionInput,
    ) -> Result<(), DomainError> {
        use validate::{MAX_DATASETS, MAX_PEOPLE, MAX_TAGS};
        // Every size and shape is checked before any database work.
        let title = input.title.as_deref().map(validate::title).transpose()?;
        let description = input.description.as_deref().map(validate::description).transpose()?;
        let datasets = input.datasets.as_deref().map(|ids| validate::ids("datasets", ids, MAX_DATASETS)).transpose()?;
        let editors = input.editors.as_deref().map(|ids| validate::ids("editors", ids, MAX_PEOPLE)).transpose()?;
        if editors.as_ref().is_some_and(Vec::is_empty) {
            return Err(DomainError::invalid("editors", "a collection needs at least one editor"));
        }
        if let Some(tags) = &input.tags_standard {
            validate::max_items("tagsStandard", tags, MAX_TAGS)?;
        }
        let tags_user = input.tags_user.as_deref().map(validate::user_tags).transpose()?;
        let cross_references = input.cross_references.map(validate::cross_references).transpose()?;
        // Then what needs the database.
        let mut datasets = datasets;
        if let Some(ids) = &mut datasets {
            let access = self.dataset_access(p).await?;
            self.ensure_datasets_exist(&access, "datasets", ids).await?;
            // Members this editor cannot see stay: a list they were never shown cannot remove them.
            let hidden: Vec<Uuid> = self
                .datasets
                .get_many(&c.datasets)
                .await?
                .iter()
                .filter(|d| !access.admits(d) && !ids.contains(&d.id))
                .map(|d| d.id)
                .collect();
            ids.extend(c.datasets.iter().filter(|id| hidden.contains(id)));
        }
        if let Some(ids) = &editors {
            self.ensure_users_exist("editors", ids).await?;
        }
        let tags_standard = match input.tags_standard {
            Some(tags) => Some(validate::standard_tags(&tags, &self.standard_tags().await?)?),
            None => None,
        };
        set(&mut c.title, title);
        set(&mut c.description, description);
        set(&mut c.datasets, datasets);
        set(&mut c.editors, editors);
        set(&mut c.tags_standard, tags_standard);
        set(&mut c.tags_user, tags_user);
        set(&mut c.cross_references, cross_references);
        Ok(())
    }
}
