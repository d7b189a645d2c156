//! Batched loading so that a page of entries costs a fixed number of database round trips.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use bson::{doc, Uuid};

use crate::domain::file_model::DataFile;
use crate::domain::model::{Collection, Dataset, Order, User};
use crate::domain::visibility::DatasetAccess;
use crate::domain::{Principal, Tracker};
use crate::graphql::context::AccessCell;
use crate::store::Repo;

/// Key: a user by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserKey(pub Uuid);
/// Key: an order by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderKey(pub Uuid);
/// Key: a dataset by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DatasetKey(pub Uuid);
/// Key: the datasets of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DatasetsOfOrder(pub Uuid);
/// Key: the collections containing a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CollectionsOfDataset(pub Uuid);

/// Key: the file entries of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilesOfDataset(pub Uuid);

/// The loader over the tracker's collections, for one caller.
pub struct TrackerLoader {
    tracker: Tracker,
    principal: Principal,
    /// The request's dataset access, shared with its resolvers; `None` computes it at each load (a
    /// subscription's connection, whose caller's access may change while it lasts).
    access: Option<Arc<AccessCell>>,
}

impl TrackerLoader {
    async fn access(&self) -> Result<DatasetAccess, LoadError> {
        match &self.access {
            Some(cell) => cell.get(&self.tracker, &self.principal).await,
            None => self.tracker.dataset_access(&self.principal).await,
        }
        .map_err(err)
    }
}

/// A loader for one request of `principal` (caching what it loaded for the rest of the request), sharing
/// the request's dataset access `cell`, or computing it at each load when `None`.
pub fn request_loader(
    tracker: Tracker,
    principal: Principal,
    cell: Option<Arc<AccessCell>>,
) -> Arc<DataLoader<TrackerLoader, HashMapCache>> {
    let loader = TrackerLoader { tracker, principal, access: cell };
    Arc::new(DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default()))
}

/// How many of an order's datasets are loaded for `related` and `order.datasets`: their largest page (100)
/// and the dataset itself.
pub const ORDER_DATASETS: i64 = 101;

/// A load failure (the detail is logged where it is turned into an API error).
pub type LoadError = Arc<String>;

fn err(e: impl std::fmt::Display) -> LoadError {
    Arc::new(e.to_string())
}

fn repo<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + Unpin>(t: &Tracker, name: &str) -> Repo<T> {
    Repo::new(t.store(), name)
}

/// Users by id.
pub async fn fetch_users(t: &Tracker, keys: &[UserKey]) -> Result<HashMap<UserKey, User>, LoadError> {
    let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
    let found = repo::<User>(t, "users").get_many(&ids).await.map_err(err)?;
    Ok(found.into_iter().map(|u| (UserKey(u.id), u)).collect())
}

/// Orders by id.
pub async fn fetch_orders(t: &Tracker, keys: &[OrderKey]) -> Result<HashMap<OrderKey, Order>, LoadError> {
    let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
    let found = repo::<Order>(t, "orders").get_many(&ids).await.map_err(err)?;
    Ok(found.into_iter().map(|o| (OrderKey(o.id), o)).collect())
}

/// Datasets by id.
pub async fn fetch_datasets(t: &Tracker, keys: &[DatasetKey]) -> Result<HashMap<DatasetKey, Dataset>, LoadError> {
    let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
    let found = repo::<Dataset>(t, "datasets").get_many(&ids).await.map_err(err)?;
    Ok(found.into_iter().map(|d| (DatasetKey(d.id), d)).collect())
}

/// The first [`ORDER_DATASETS`] datasets of each order that `access` admits, oldest first (every key
/// present, possibly with an empty list): one bounded query per order, a few at a time, so that the cost
/// follows the page and not the size of the orders.
pub async fn fetch_datasets_of_orders(
    t: &Tracker,
    access: &DatasetAccess,
    keys: &[DatasetsOfOrder],
) -> Result<HashMap<DatasetsOfOrder, Vec<Dataset>>, LoadError> {
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(keys.iter().copied())
        .map(|k| async move { Ok((k, t.datasets_of_order(access, k.0, ORDER_DATASETS).await.map_err(err)?)) })
        .buffer_unordered(8)
        .try_collect()
        .await
}

/// The collections containing each dataset (every key present, possibly with an empty list).
pub async fn fetch_collections_of_datasets(
    t: &Tracker,
    keys: &[CollectionsOfDataset],
) -> Result<HashMap<CollectionsOfDataset, Vec<Collection>>, LoadError> {
    let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
    let found = repo::<Collection>(t, "collections").find(doc! { "datasets": { "$in": ids } }).await.map_err(err)?;
    let mut out: HashMap<CollectionsOfDataset, Vec<Collection>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for c in found {
        for d in &c.datasets {
            if let Some(list) = out.get_mut(&CollectionsOfDataset(*d)) {
                list.push(c.clone());
            }
        }
    }
    Ok(out)
}

/// The file entries of each dataset (every key present, possibly with an empty list).
pub async fn fetch_files_of_datasets(
    t: &Tracker,
    keys: &[FilesOfDataset],
) -> Result<HashMap<FilesOfDataset, Vec<DataFile>>, LoadError> {
    let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
    let found = repo::<DataFile>(t, "dataset_files").find(doc! { "dataset": { "$in": ids } }).await.map_err(err)?;
    let mut out: HashMap<FilesOfDataset, Vec<DataFile>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for f in found {
        out.entry(FilesOfDataset(f.dataset)).or_default().push(f);
    }
    Ok(out)
}

macro_rules! loader_for {
    ($key:ty, $value:ty, $fetch:ident) => {
        impl Loader<$key> for TrackerLoader {
            type Value = $value;
            type Error = LoadError;
            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                $fetch(&self.tracker, keys).await
            }
        }
    };
}

loader_for!(UserKey, User, fetch_users);
loader_for!(OrderKey, Order, fetch_orders);
loader_for!(DatasetKey, Dataset, fetch_datasets);
impl Loader<DatasetsOfOrder> for TrackerLoader {
    type Value = Vec<Dataset>;
    type Error = LoadError;
    async fn load(&self, keys: &[DatasetsOfOrder]) -> Result<HashMap<DatasetsOfOrder, Vec<Dataset>>, LoadError> {
        fetch_datasets_of_orders(&self.tracker, &self.access().await?, keys).await
    }
}
loader_for!(CollectionsOfDataset, Vec<Collection>, fetch_collections_of_datasets);
loader_for!(FilesOfDataset, Vec<DataFile>, fetch_files_of_datasets);

/// A dataset with its order, its order's datasets and the collections containing it, in one round trip.
pub struct DatasetBundle {
    /// The dataset.
    pub dataset: Dataset,
    /// Its order, if it still exists.
    pub order: Option<Order>,
    /// The collections containing the dataset.
    pub collections: Vec<Collection>,
    /// The order's generators, authors, editors and organisation.
    pub people: Vec<User>,
}

/// Reads a dataset and what its computed fields need with one aggregation (`$lookup`), instead of one
/// query per kind. Not the order's other datasets: a lookup reads every one of them, however many
/// (`related` loads a bounded page of them, [`fetch_datasets_of_orders`]).
pub async fn fetch_dataset_bundle(t: &Tracker, id: Uuid) -> Result<Option<DatasetBundle>, LoadError> {
    use futures::TryStreamExt;
    let mut pipeline = vec![
        doc! { "$match": { "_id": id } },
        doc! { "$lookup": { "from": "orders", "localField": "order", "foreignField": "_id", "as": "_order" } },
    ];
    pipeline.extend([
        doc! { "$lookup": { "from": "collections", "localField": "_id", "foreignField": "datasets", "as": "_collections" } },
        doc! { "$addFields": { "_people": { "$let": {
            "vars": { "o": { "$arrayElemAt": ["$_order", 0] } },
            "in": { "$concatArrays": [
                { "$ifNull": ["$$o.generators", []] },
                { "$ifNull": ["$$o.authors", []] },
                { "$ifNull": ["$$o.editors", []] },
                [{ "$ifNull": ["$$o.organisation", null] }],
            ] },
        } } } },
        doc! { "$lookup": { "from": "users", "localField": "_people", "foreignField": "_id", "as": "_users" } },
        doc! { "$project": { "_people": 0 } },
    ]);
    let raw = repo::<Dataset>(t, "datasets").raw();
    let mut docs: Vec<bson::Document> = raw.aggregate(pipeline).await.map_err(err)?.try_collect().await.map_err(err)?;
    let Some(mut d) = docs.pop() else { return Ok(None) };
    fn take<T: serde::de::DeserializeOwned>(d: &mut bson::Document, key: &str) -> Result<Vec<T>, LoadError> {
        match d.remove(key) {
            Some(bson::Bson::Array(items)) => items.into_iter().map(|b| bson::from_bson(b).map_err(err)).collect(),
            _ => Ok(Vec::new()),
        }
    }
    let order = take::<Order>(&mut d, "_order")?.pop();
    let mut collections = take::<Collection>(&mut d, "_collections")?;
    collections.sort_by_key(|c| c.id);
    let people = take::<User>(&mut d, "_users")?;
    let dataset: Dataset = bson::from_document(d).map_err(err)?;
    Ok(Some(DatasetBundle { dataset, order, collections, people }))
}
