//! Batched loading so that a page of entries costs a fixed number of database round trips.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use bson::{doc, Uuid};

use crate::domain::model::{Collection, Dataset, Order, User};
use crate::domain::Tracker;
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

/// The loader over the tracker's collections.
pub struct TrackerLoader {
    tracker: Tracker,
}

/// A loader for one request.
pub fn request_loader(tracker: Tracker) -> Arc<DataLoader<TrackerLoader>> {
    Arc::new(DataLoader::new(TrackerLoader { tracker }, tokio::spawn))
}

type LoadError = Arc<String>;

fn err(e: impl std::fmt::Display) -> LoadError {
    Arc::new(e.to_string())
}

fn repo<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + Unpin>(
    t: &Tracker,
    name: &str,
) -> Repo<T> {
    Repo::new(t.store(), name)
}

impl Loader<UserKey> for TrackerLoader {
    type Value = User;
    type Error = LoadError;
    async fn load(&self, keys: &[UserKey]) -> Result<HashMap<UserKey, User>, LoadError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = repo::<User>(&self.tracker, "users")
            .get_many(&ids)
            .await
            .map_err(err)?;
        Ok(found.into_iter().map(|u| (UserKey(u.id), u)).collect())
    }
}

impl Loader<OrderKey> for TrackerLoader {
    type Value = Order;
    type Error = LoadError;
    async fn load(&self, keys: &[OrderKey]) -> Result<HashMap<OrderKey, Order>, LoadError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = repo::<Order>(&self.tracker, "orders")
            .get_many(&ids)
            .await
            .map_err(err)?;
        Ok(found.into_iter().map(|o| (OrderKey(o.id), o)).collect())
    }
}

impl Loader<DatasetKey> for TrackerLoader {
    type Value = Dataset;
    type Error = LoadError;
    async fn load(&self, keys: &[DatasetKey]) -> Result<HashMap<DatasetKey, Dataset>, LoadError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = repo::<Dataset>(&self.tracker, "datasets")
            .get_many(&ids)
            .await
            .map_err(err)?;
        Ok(found.into_iter().map(|d| (DatasetKey(d.id), d)).collect())
    }
}

impl Loader<DatasetsOfOrder> for TrackerLoader {
    type Value = Vec<Dataset>;
    type Error = LoadError;
    async fn load(
        &self,
        keys: &[DatasetsOfOrder],
    ) -> Result<HashMap<DatasetsOfOrder, Vec<Dataset>>, LoadError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = repo::<Dataset>(&self.tracker, "datasets")
            .find(doc! { "order": { "$in": ids } })
            .await
            .map_err(err)?;
        let mut out: HashMap<DatasetsOfOrder, Vec<Dataset>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for d in found {
            out.entry(DatasetsOfOrder(d.order)).or_default().push(d);
        }
        Ok(out)
    }
}

impl Loader<CollectionsOfDataset> for TrackerLoader {
    type Value = Vec<Collection>;
    type Error = LoadError;
    async fn load(
        &self,
        keys: &[CollectionsOfDataset],
    ) -> Result<HashMap<CollectionsOfDataset, Vec<Collection>>, LoadError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = repo::<Collection>(&self.tracker, "collections")
            .find(doc! { "datasets": { "$in": ids } })
            .await
            .map_err(err)?;
        let mut out: HashMap<CollectionsOfDataset, Vec<Collection>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for c in found {
            for d in &c.datasets {
                if let Some(list) = out.get_mut(&CollectionsOfDataset(*d)) {
                    list.push(c.clone());
                }
            }
        }
        Ok(out)
    }
}
