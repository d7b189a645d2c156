//! Generating API keys (the key is returned once; only its salted hash is stored).

use bson::Uuid;

use super::grants;
use super::model::User;
use super::permissions::Permission;
use super::tracker::Tracker;
use super::{validate, DomainError, Principal};

impl Tracker {
    /// Generates a new key for `user_id` (oneself, or with `USER_MANAGEMENT` an account holding nothing the
    /// caller lacks, see [`super::grants`]), replacing the old one; sessions started with the old key end. `hash` turns the clear key into its stored form. Returns the user and the clear key.
    pub async fn generate_api_key(
        &self,
        p: &Principal,
        user_id: Option<&str>,
        key: String,
        hash: super::model::ApiKeyHash,
    ) -> Result<(User, String), DomainError> {
        let target: Uuid = match user_id {
            Some(id) => validate::id("userId", id)?,
            None => Uuid::from(p.require_user()?.id),
        };
        let is_self = grants::is_self(p, target);
        if !is_self && !p.has(Permission::UserManagement) && !matches!(p, Principal::System) {
            return Err(if p.user_id().is_some() { DomainError::Forbidden } else { DomainError::Unauthenticated });
        }
        let current = self.users.get(target).await?.ok_or_else(|| DomainError::NotFound("user".into()))?;
        if !is_self {
            grants::check_manage(p, &current, None)?;
        }
        let mut user = current.clone();
        user.api_key = Some(hash);
        let user = self.replace_user(p, &current, user, "New API key").await?;
        Ok((user, key))
    }
}

impl Tracker {
    /// Ends every session of `user_id` (oneself, or with `USER_MANAGEMENT` an account holding nothing the
    /// caller lacks) by moving the account to a new session epoch. API keys stay valid.
    pub async fn end_sessions(&self, p: &Principal, user_id: Option<&str>) -> Result<User, DomainError> {
        let target: Uuid = match user_id {
            Some(id) => validate::id("userId", id)?,
            None => Uuid::from(p.require_user()?.id),
        };
        let current = self.users.get(target).await?.ok_or_else(|| DomainError::NotFound("user".into()))?;
        if !grants::is_self(p, target) {
            grants::check_manage(p, &current, None)?;
        }
        let mut user = current.clone();
        user.session_epoch = current.session_epoch.saturating_add(1);
        self.replace_user(p, &current, user, "All sessions ended").await
    }
}
