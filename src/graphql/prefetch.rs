//! Prefetching for lists: when a page's nodes select computed fields, fetch what they need for the whole
//! page with one query per kind and feed it into the request's loader cache before the nodes resolve. The
//! number of database round trips then depends neither on the page size nor on resolver timing.

use std::collections::HashSet;
use std::hash::Hash;

use async_graphql::{Context, Lookahead};
use bson::Uuid;

use super::context::{dataset_access, loader, tracker};
use super::loaders::{self, CollectionsOfDataset, DatasetKey, DatasetsOfOrder, OrderKey, UserKey};
use crate::domain::model::{Collection, Dataset, Order};
use crate::error::ApiError;

/// The page's node selection: under `edges { node }`, or under `nodes` (what scripts usually select).
fn nodes<'a>(ctx: &'a Context<'_>) -> Lookahead<'a> {
    let edges = ctx.look_ahead().field("edges").field("node");
    if edges.exists() {
        edges
    } else {
        ctx.look_ahead().field("nodes")
    }
}

fn selects(node: &Lookahead<'_>, names: &[&str]) -> bool {
    names.iter().any(|n| node.field(n).exists())
}

fn unique<K: Hash + Eq + Copy>(keys: impl Iterator<Item = K>) -> Vec<K> {
    let mut seen = HashSet::new();
    keys.filter(|k| seen.insert(*k)).collect()
}

fn internal(e: loaders::LoadError) -> ApiError {
    ApiError::internal(&e)
}

async fn users(ctx: &Context<'_>, keys: Vec<UserKey>) -> Result<(), ApiError> {
    if !keys.is_empty() {
        let found = loaders::fetch_users(tracker(ctx)?, &keys).await.map_err(internal)?;
        loader(ctx)?.feed_many(found).await;
    }
    Ok(())
}

fn order_people(orders: &[Order]) -> Vec<UserKey> {
    unique(
        orders
            .iter()
            .flat_map(|o| o.generators.iter().chain(&o.authors).chain(&o.editors).chain([&o.organisation]))
            .map(|u| UserKey(*u)),
    )
}

/// Prefetches what a page of datasets selects.
pub async fn datasets(ctx: &Context<'_>, page: &[Dataset]) -> Result<(), ApiError> {
    datasets_at(ctx, nodes(ctx), page).await
}

/// Reads one dataset for `dataset(id)`. When its computed fields are selected, the dataset, its order, its
/// order's datasets, its collections and the order's people come in one aggregation and are fed to the loader.
pub async fn dataset(ctx: &Context<'_>, id: Uuid) -> Result<Option<Dataset>, ApiError> {
    let node = ctx.look_ahead();
    let t = tracker(ctx)?;
    let access = dataset_access(ctx).await?;
    if !selects(
        &node,
        &["order", "editors", "generators", "authors", "organisation", "log", "related", "collections", "accessRules"],
    ) {
        return Ok(t.dataset_by_id(&access, id).await?);
    }
    let Some(bundle) = loaders::fetch_dataset_bundle(t, id).await.map_err(internal)? else {
        return Ok(None);
    };
    if !access.admits(&bundle.dataset) {
        return Ok(None);
    }
    let l = loader(ctx)?;
    if let Some(order) = &bundle.order {
        l.feed_one(OrderKey(order.id), order.clone()).await;
    }
    l.feed_many(bundle.people.into_iter().map(|u| (UserKey(u.id), u))).await;
    l.feed_one(CollectionsOfDataset(bundle.dataset.id), bundle.collections).await;
    if node.field("related").exists() {
        // Read now rather than through the loader, which waits to batch keys that a single dataset never
        // has (that wait cost more than the query).
        let keys = [DatasetsOfOrder(bundle.dataset.order)];
        l.feed_many(loaders::fetch_datasets_of_orders(t, &access, &keys).await.map_err(internal)?).await;
    }
    Ok(Some(bundle.dataset))
}

/// Fetches orders, related datasets and collections concurrently, then the people of the orders.
async fn datasets_at(ctx: &Context<'_>, node: Lookahead<'_>, page: &[Dataset]) -> Result<(), ApiError> {
    let (t, l) = (tracker(ctx)?, loader(ctx)?);
    let want_orders =
        selects(&node, &["order", "editors", "generators", "authors", "organisation", "log", "accessRules"]);
    let want_people = selects(&node, &["editors", "generators", "authors", "organisation"]);
    let orders = async {
        if !want_orders {
            return Ok(Vec::new());
        }
        let keys = unique(page.iter().map(|d| OrderKey(d.order)));
        let found = loaders::fetch_orders(t, &keys).await.map_err(internal)?;
        let orders: Vec<Order> = found.values().cloned().collect();
        l.feed_many(found).await;
        Ok::<_, ApiError>(orders)
    };
    let related = async {
        if node.field("related").exists() {
            let keys = unique(page.iter().map(|d| DatasetsOfOrder(d.order)));
            let access = dataset_access(ctx).await?;
            l.feed_many(loaders::fetch_datasets_of_orders(t, &access, &keys).await.map_err(internal)?).await;
        }
        Ok::<_, ApiError>(())
    };
    let collections = async {
        if node.field("collections").exists() {
            let keys = unique(page.iter().map(|d| CollectionsOfDataset(d.id)));
            l.feed_many(loaders::fetch_collections_of_datasets(t, &keys).await.map_err(internal)?).await;
        }
        Ok::<_, ApiError>(())
    };
    let (orders, (), ()) = futures::try_join!(orders, related, collections)?;
    if want_people {
        users(ctx, order_people(&orders)).await?;
    }
    Ok(())
}

/// Prefetches what a page of collections selects.
pub async fn collections(ctx: &Context<'_>, page: &[Collection]) -> Result<(), ApiError> {
    let node = nodes(ctx);
    if selects(&node, &["datasets", "datasetIds"]) {
        let keys = unique(page.iter().flat_map(|c| c.datasets.iter().map(|d| DatasetKey(*d))));
        if !keys.is_empty() {
            let found = loaders::fetch_datasets(tracker(ctx)?, &keys).await.map_err(internal)?;
            loader(ctx)?.feed_many(found).await;
        }
    }
    if node.field("editors").exists() {
        users(ctx, unique(page.iter().flat_map(|c| c.editors.iter().map(|u| UserKey(*u))))).await?;
    }
    Ok(())
}

/// Prefetches what a page of orders selects.
pub async fn orders(ctx: &Context<'_>, page: &[Order]) -> Result<(), ApiError> {
    let node = nodes(ctx);
    if selects(&node, &["editors", "generators", "authors", "organisation"]) {
        users(ctx, order_people(page)).await?;
    }
    if node.field("datasets").exists() {
        let keys = unique(page.iter().map(|o| DatasetsOfOrder(o.id)));
        let access = dataset_access(ctx).await?;
        let found = loaders::fetch_datasets_of_orders(tracker(ctx)?, &access, &keys).await.map_err(internal)?;
        loader(ctx)?.feed_many(found).await;
    }
    Ok(())
}
