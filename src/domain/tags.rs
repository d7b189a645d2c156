//! The standard tag vocabulary (`tagsStandard` values), seeded by a migration and edited by `DATA_MANAGEMENT`.

use bson::{doc, Document};

use super::permissions::Permission;
use super::tracker::Tracker;
use super::{validate, DomainError, Principal};
use crate::store::StoreError;

impl Tracker {
    /// Adds a tag to the vocabulary (`DATA_MANAGEMENT`); `CONFLICT` if it exists.
    pub async fn add_standard_tag(&self, p: &Principal, tag: &str, description: &str) -> Result<String, DomainError> {
        require_data_management(p)?;
        let tag = validate::user_tags(&[tag.to_owned()]).map_err(|_| {
            DomainError::invalid("tag", format!("must be non-empty and at most {} characters", validate::MAX_TAG))
        })?;
        let tag = tag.into_iter().next().ok_or_else(|| DomainError::invalid("tag", "must not be empty"))?;
        let coll = self.store.db().collection::<Document>("standard_tags");
        match coll
            .insert_one(doc! { "_id": &tag, "description": description.trim() })
            .await
            .map_err(StoreError::classify)
        {
            Ok(_) => Ok(tag),
            Err(StoreError::Duplicate { .. }) => Err(DomainError::conflict(Some("tag"), "the tag already exists")),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a tag from the vocabulary (`DATA_MANAGEMENT`); `CONFLICT` while any entry still uses it.
    pub async fn remove_standard_tag(&self, p: &Principal, tag: &str) -> Result<String, DomainError> {
        require_data_management(p)?;
        let used = doc! { "tagsStandard": tag };
        for repo in [self.orders.raw(), self.datasets.raw(), self.collections.raw()] {
            if repo.count_documents(used.clone()).limit(1).await.map_err(StoreError::from)? > 0 {
                return Err(DomainError::conflict(
                    Some("tag"),
                    "the tag is still used; remove it from its entries first",
                ));
            }
        }
        let res = self
            .store
            .db()
            .collection::<Document>("standard_tags")
            .delete_one(doc! { "_id": tag })
            .await
            .map_err(StoreError::from)?;
        if res.deleted_count == 0 {
            return Err(DomainError::NotFound("tag".into()));
        }
        Ok(tag.to_owned())
    }
}

fn require_data_management(p: &Principal) -> Result<(), DomainError> {
    p.require_user()?;
    if p.has(Permission::DataManagement) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}
