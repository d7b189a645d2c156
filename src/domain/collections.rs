//! Collections: any logged-in user may create one; its editors (or `DATA_MANAGEMENT`) change it.

use bson::{Bson, Uuid};

use super::datasets::ListingFilter;
use super::logs;
use super::model::{new_id, Collection, CrossReference, DataType, LogAction};
use super::orders::check_version;
use super::tracker::{listing_filter, Page, PageRequest, Tracker};
use super::visibility::can_edit_collection;
use super::{validate, DomainError, Principal};

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
        let mut tx = self.store.begin().await?;
        self.collections.insert(&mut tx, &c).await?;
        let data = Bson::Document(logs::snapshot(&c)?);
        logs::record(&self.store, &mut tx, p, LogAction::Add, DataType::Collection, c.id, data, "Collection created")
            .await?;
        tx.commit().await?;
        Ok(c)
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
        c.version = current.version + 1;
        c.updated_at = bson::DateTime::now();
        let mut tx = self.store.begin().await?;
        let edit =
            logs::Edit { data_type: DataType::Collection, id, expected: current.version, comment: "Collection edited" };
        logs::replace_logged(&self.store, &mut tx, &self.collections, p, &c, edit).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Deletes a collection (its datasets stay).
    pub async fn delete_collection(&self, p: &Principal, id: &str) -> Result<Uuid, DomainError> {
        let id = validate::id("id", id)?;
        p.require_user()?;
        let c = self.collections.get(id).await?.ok_or_else(|| DomainError::NotFound("collection".into()))?;
        if !can_edit_collection(p, &c) {
            return Err(DomainError::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        if !self.collections.delete(&mut tx, id).await? {
            return Err(DomainError::NotFound("collection".into()));
        }
        logs::record(
            &self.store,
            &mut tx,
            p,
            LogAction::Delete,
            DataType::Collection,
            id,
            Bson::from(id),
            "Collection deleted",
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn apply_collection_input(
        &self,
        p: &Principal,
        c: &mut Collection,
        input: CollectionInput,
    ) -> Result<(), DomainError> {
        if let Some(t) = input.title {
            c.title = validate::title(&t)?;
        }
        if let Some(d) = input.description {
            c.description = validate::description(&d)?;
        }
        if let Some(ids) = input.datasets {
            let ids = validate::ids("datasets", &ids)?;
            let access = self.dataset_access(p).await?;
            self.ensure_datasets_exist(&access, "datasets", &ids).await?;
            c.datasets = ids;
        }
        if let Some(ids) = input.editors {
            let editors = validate::ids("editors", &ids)?;
            if editors.is_empty() {
                return Err(DomainError::invalid("editors", "a collection needs at least one editor"));
            }
            self.ensure_users_exist("editors", &editors).await?;
            c.editors = editors;
        }
        if let Some(tags) = input.tags_standard {
            c.tags_standard = validate::standard_tags(&tags, &self.standard_tags().await?)?;
        }
        if let Some(tags) = input.tags_user {
            c.tags_user = validate::user_tags(&tags)?;
        }
        if let Some(x) = input.cross_references {
            c.cross_references = validate::cross_references(x)?;
        }
        Ok(())
    }
}
