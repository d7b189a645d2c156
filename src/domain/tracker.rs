//! The tracker service: the one entry point the API layer calls for orders, datasets, collections, users
//! and logs. Each `impl` block lives in the file of its entity.

use bson::{doc, Document, Uuid};

use super::model::{Collection, Dataset, LogEntry, Order, User};
use super::DomainError;
use crate::store::{Repo, Store};

/// Largest page of a nested list (logs, actions).
pub const MAX_PAGE: usize = 100;
/// Largest page of the top-level lists (`orders`, `datasets`, `collections`, `users`) and of the change
/// feed: scripts walk them in pages this large.
pub const MAX_LIST_PAGE: usize = 1000;
/// Page size when none is asked for.
pub const DEFAULT_PAGE: usize = 20;

/// Which page of a list: up to `first` items after the cursor `after`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// Items wanted (capped at `max`).
    pub first: Option<usize>,
    /// The id after which the page starts.
    pub after: Option<Uuid>,
    /// The largest page ([`MAX_PAGE`], or [`MAX_LIST_PAGE`] for the top-level lists).
    pub max: usize,
    /// Whether the total count is wanted (counting costs a scan; skipped when `totalCount` is not selected).
    pub want_total: bool,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { first: None, after: None, max: MAX_PAGE, want_total: true }
    }
}

impl PageRequest {
    /// The page size: `first` (default [`DEFAULT_PAGE`]) capped at `max`.
    pub fn size(&self) -> usize {
        self.first.unwrap_or(DEFAULT_PAGE).min(self.max)
    }
}

/// One page of a list in id (= creation) order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Whether more items follow.
    pub has_next: bool,
    /// Whether items precede the page.
    pub has_previous: bool,
    /// Items matching the filter in all (0 when not asked for, see [`PageRequest::want_total`]).
    pub total: u64,
}

/// The tracker service.
#[derive(Clone, Debug)]
pub struct Tracker {
    pub(crate) store: Store,
    pub(crate) orders: Repo<Order>,
    pub(crate) datasets: Repo<Dataset>,
    pub(crate) collections: Repo<Collection>,
    pub(crate) users: Repo<User>,
    pub(crate) logs: Repo<LogEntry>,
    pub(crate) user_cache: std::sync::Arc<super::user_cache::UserCache>,
}

impl Tracker {
    /// The service over `store`.
    pub fn new(store: Store) -> Self {
        Self {
            orders: Repo::new(&store, "orders"),
            datasets: Repo::new(&store, "datasets"),
            collections: Repo::new(&store, "collections"),
            users: Repo::new(&store, "users"),
            logs: Repo::new(&store, "logs"),
            user_cache: std::sync::Arc::default(),
            store,
        }
    }

    /// Users recently authenticated on this instance (forgotten whenever the tracker changes them).
    pub fn user_cache(&self) -> &super::user_cache::UserCache {
        &self.user_cache
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Reads a page of `repo` matching `filter`, a listing filter that matches a large share of the
    /// collection (read in id windows, see [`Repo::page`]).
    pub(crate) async fn page_of<T>(
        &self,
        repo: &Repo<T>,
        filter: Document,
        req: PageRequest,
    ) -> Result<Page<T>, DomainError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + Unpin,
    {
        self.read_page(repo, filter, req, false).await
    }

    /// Reads a page of `repo` matching `filter`, a filter that an index narrows to few documents (one
    /// entity's log, one dataset's file events; see [`Repo::page_by_index`]).
    pub(crate) async fn narrow_page_of<T>(
        &self,
        repo: &Repo<T>,
        filter: Document,
        req: PageRequest,
    ) -> Result<Page<T>, DomainError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + Unpin,
    {
        self.read_page(repo, filter, req, true).await
    }

    async fn read_page<T>(
        &self,
        repo: &Repo<T>,
        filter: Document,
        req: PageRequest,
        narrow: bool,
    ) -> Result<Page<T>, DomainError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + Unpin,
    {
        let first = req.size();
        let limit = first as i64 + 1;
        let mut items = if narrow {
            repo.page_by_index(filter.clone(), req.after, limit).await?
        } else {
            repo.page(filter.clone(), req.after, limit).await?
        };
        let has_next = items.len() > first;
        items.truncate(first);
        let total = match req.want_total {
            false => 0,
            // The whole collection: its tally when there is one (counting reads every document).
            true if filter.is_empty() => match crate::store::sequence::tally(self.store.db(), repo.name()).await? {
                Some(n) => n,
                None => repo.count(filter).await?,
            },
            true => repo.count(filter).await?,
        };
        Ok(Page { items, has_next, has_previous: req.after.is_some(), total })
    }

    /// The standard tag vocabulary.
    pub async fn standard_tags(&self) -> Result<Vec<String>, DomainError> {
        use futures::TryStreamExt;
        let docs: Vec<Document> = self
            .store
            .db()
            .collection::<Document>("standard_tags")
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await
            .map_err(crate::store::StoreError::from)?
            .try_collect()
            .await
            .map_err(crate::store::StoreError::from)?;
        Ok(docs.iter().filter_map(|d| d.get_str("_id").ok().map(str::to_owned)).collect())
    }

    /// Fails with the missing ids unless every user in `ids` exists.
    pub(crate) async fn ensure_users_exist(&self, field: &str, ids: &[Uuid]) -> Result<(), DomainError> {
        let found: std::collections::HashSet<Uuid> = self.users.get_many(ids).await?.iter().map(|u| u.id).collect();
        let missing: Vec<String> = ids.iter().filter(|id| !found.contains(id)).map(|id| id.to_string()).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid(field, format!("no such user: {}", missing.join(", "))))
        }
    }

    /// Fails with the missing ids unless every dataset in `ids` exists and `access` admits it (a hidden
    /// dataset reads as missing).
    pub(crate) async fn ensure_datasets_exist(
        &self,
        access: &super::visibility::DatasetAccess,
        field: &str,
        ids: &[Uuid],
    ) -> Result<(), DomainError> {
        let found: std::collections::HashSet<Uuid> =
            self.datasets.get_many(ids).await?.iter().filter(|d| access.admits(d)).map(|d| d.id).collect();
        let missing: Vec<String> = ids.iter().filter(|id| !found.contains(id)).map(|id| id.to_string()).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid(field, format!("no such dataset: {}", missing.join(", "))))
        }
    }
}

/// Escapes `text` for use inside a regular expression.
pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The filter matching entries whose title contains `search` (case-insensitive), carrying all `tags`.
pub fn listing_filter(search: Option<&str>, tags_standard: &[String], tags_user: &[String]) -> Document {
    let mut and: Vec<Document> = Vec::new();
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        and.push(doc! { "title": { "$regex": regex_escape(s), "$options": "i" } });
    }
    if !tags_standard.is_empty() {
        and.push(doc! { "tagsStandard": { "$all": tags_standard.to_vec() } });
    }
    if !tags_user.is_empty() {
        and.push(doc! { "tagsUser": { "$all": tags_user.to_vec() } });
    }
    if and.is_empty() {
        doc! {}
    } else {
        doc! { "$and": and }
    }
}
