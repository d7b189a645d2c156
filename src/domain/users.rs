//! Users: public profiles for everyone; private fields for the user and `USER_MANAGEMENT`.

use bson::{doc, Bson, Document, Uuid};

use super::changes;
use super::grants;
use super::logs;
use super::model::{new_id, DataType, LogAction, ScopeFilter, User};
use super::orders::check_version;
use super::permissions::Permission;
use super::tracker::{regex_escape, Page, PageRequest, Tracker};
use super::visibility::{can_see_collection_owners, can_see_order};
use super::{validate, DomainError, Principal};
use crate::store::{StoreError, Tx};

/// Fields of a user as given by the caller; `None` leaves a field as it is, an empty string clears it.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    /// Display name.
    pub name: Option<String>,
    /// Private contact email (unique).
    pub email: Option<String>,
    /// Public email.
    pub email_public: Option<String>,
    /// Affiliation.
    pub affiliation: Option<String>,
    /// ORCID iD.
    pub orcid: Option<String>,
    /// Homepage.
    pub url: Option<String>,
    /// Permissions (only `USER_MANAGEMENT` may set them).
    pub permissions: Option<Vec<Permission>>,
    /// Login identities `identifier::source` (only `USER_MANAGEMENT`).
    pub auth_ids: Option<Vec<String>>,
    /// Statistics scope (only `USER_MANAGEMENT`).
    pub scope: Option<Vec<ScopeFilter>>,
    /// The version the caller last read.
    pub version: Option<i64>,
}

impl UserInput {
    fn touches_privileged(&self) -> bool {
        self.permissions.is_some() || self.auth_ids.is_some() || self.scope.is_some()
    }
}

impl Tracker {
    /// A user by id (public profile readable by everyone; the API hides private fields).
    pub async fn user(&self, id: &str) -> Result<Option<User>, DomainError> {
        let id = validate::id("id", id)?;
        Ok(self.users.get(id).await?)
    }

    /// A user by id, without visibility checks (the principal's own record, loaders).
    pub async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, DomainError> {
        Ok(self.users.get(id).await?)
    }

    /// Lists users matching `search` in name or affiliation (case-insensitive), or an exact email —
    /// which is never returned. Needs `USER_SEARCH`.
    pub async fn users(
        &self,
        p: &Principal,
        search: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<User>, DomainError> {
        p.require_user()?;
        if !p.has(Permission::UserSearch) {
            return Err(DomainError::Forbidden);
        }
        if let Some(s) = search {
            validate::max_chars("search", s, validate::MAX_SEARCH)?;
        }
        let filter = match search.map(str::trim).filter(|s| !s.is_empty()) {
            None => doc! {},
            Some(s) => {
                let re = regex_escape(s);
                doc! { "$or": [
                    { "name": { "$regex": &re, "$options": "i" } },
                    { "affiliation": { "$regex": &re, "$options": "i" } },
                    { "email": s.to_lowercase() },
                ] }
            }
        };
        self.page_of(&self.users, filter, page).await
    }

    /// Adds a user (needs `USER_ADD`; permissions, auth ids and scope need `USER_MANAGEMENT` and follow
    /// [`super::grants`]). The email counts as verified when `USER_MANAGEMENT` (or the operator CLI) sets it.
    pub async fn create_user(&self, p: &Principal, input: UserInput) -> Result<User, DomainError> {
        let system = matches!(p, Principal::System);
        if !p.has(Permission::UserAdd) && p.user_id().is_some() {
            return Err(DomainError::Forbidden);
        }
        if p.user_id().is_none() && !system {
            return Err(DomainError::Unauthenticated);
        }
        let privileged = input.touches_privileged();
        if privileged && !p.has(Permission::UserManagement) && !system {
            return Err(DomainError::Forbidden);
        }
        let email = input
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| DomainError::invalid("email", "is required"))?;
        let now = bson::DateTime::now();
        let mut user = User {
            id: new_id(),
            name: validate::name(input.name.as_deref().unwrap_or(""))?,
            email: Some(validate::email("email", email)?),
            email_verified: system || p.has(Permission::UserManagement),
            email_public: None,
            affiliation: None,
            orcid: None,
            url: None,
            permissions: Vec::new(),
            auth_ids: Vec::new(),
            api_key: None,
            scope: Vec::new(),
            session_epoch: 0,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        apply_user_input(&mut user, input)?;
        if privileged {
            grants::check_manage(p, &user, None)?;
        }
        self.insert_user(p, &user, "User created").await?;
        Ok(user)
    }

    /// Inserts a prepared user with its log entry.
    pub(crate) async fn insert_user(&self, p: &Principal, user: &User, comment: &str) -> Result<(), DomainError> {
        self.store
            .transaction(|mut tx| async move {
                self.users.insert(&mut tx, user).await.map_err(user_conflict)?;
                let data = Bson::Document(logs::snapshot(user)?);
                logs::record(&self.store, &mut tx, p, LogAction::Add, DataType::User, user.id, data, comment).await?;
                tx.commit().await.map_err(user_conflict)
            })
            .await
    }

    /// Changes another user (needs `USER_MANAGEMENT` and follows [`super::grants`]: the account, before and
    /// after, holds nothing the caller lacks). An email set here counts as verified. On the caller's own
    /// account only the profile fields may change, as with [`Tracker::update_me`].
    pub async fn update_user(&self, p: &Principal, id: &str, input: UserInput) -> Result<User, DomainError> {
        let id = validate::id("id", id)?;
        if !matches!(p, Principal::System) {
            p.require_user()?;
            if !p.has(Permission::UserManagement) {
                return Err(DomainError::Forbidden);
            }
            if grants::is_self(p, id) {
                return self.update_me(p, input).await;
            }
        }
        let current = self.users.get(id).await?.ok_or_else(|| DomainError::NotFound("user".into()))?;
        check_version(input.version, current.version)?;
        let mut user = current.clone();
        if input.email.is_some() {
            user.email_verified = true;
        }
        apply_user_input(&mut user, input)?;
        grants::check_manage(p, &current, Some(&user))?;
        self.replace_user(p, &current, user, "User edited").await
    }

    /// Changes the caller's own profile (not permissions, auth ids or scope). A changed email is unverified:
    /// it never links a provider login, and it may equal another account's email, so the answer tells
    /// nothing about which emails are registered.
    pub async fn update_me(&self, p: &Principal, input: UserInput) -> Result<User, DomainError> {
        let me = Uuid::from(p.require_user()?.id);
        if input.touches_privileged() {
            return Err(DomainError::Forbidden);
        }
        let current = self.users.get(me).await?.ok_or_else(|| DomainError::NotFound("user".into()))?;
        check_version(input.version, current.version)?;
        let mut user = current.clone();
        apply_user_input(&mut user, input)?;
        if user.email != current.email {
            user.email_verified = false;
        }
        self.replace_user(p, &current, user, "Profile edited").await
    }

    /// Writes `user` over `current` (compare-and-set) with a log entry.
    pub(crate) async fn replace_user(
        &self,
        p: &Principal,
        current: &User,
        mut user: User,
        comment: &str,
    ) -> Result<User, DomainError> {
        if changes::unchanged(current, &user) {
            return Ok(current.clone());
        }
        user.version = current.version + 1;
        user.updated_at = bson::DateTime::now();
        let user = &user;
        self.store
            .transaction(|mut tx| async move {
                let users = &self.users;
                self.check_last_manager_in(&mut tx, current, Some(user)).await?;
                users.replace_versioned(&mut tx, current.id, current.version, user).await.map_err(user_conflict)?;
                let data = Bson::Document(logs::snapshot(user)?);
                logs::record(&self.store, &mut tx, p, LogAction::Edit, DataType::User, user.id, data, comment).await?;
                tx.commit().await.map_err(user_conflict)
            })
            .await?;
        self.user_cache.forget_user(user.id);
        Ok(user.clone())
    }

    /// Deletes a user (needs `USER_MANAGEMENT` over the account, see [`super::grants`]) and removes them from every order and collection, atomically;
    /// refused with `CONFLICT` when an entry would be left without editors or organisation.
    pub async fn delete_user(&self, p: &Principal, id: &str) -> Result<Uuid, DomainError> {
        let id = validate::id("id", id)?;
        if !matches!(p, Principal::System) {
            p.require_user()?;
            if !p.has(Permission::UserManagement) {
                return Err(DomainError::Forbidden);
            }
        }
        self.store
            .transaction(|mut tx| async move {
                self.delete_user_in(&mut tx, p, id).await?;
                tx.commit().await?;
                Ok::<(), DomainError>(())
            })
            .await?;
        self.user_cache.forget_user(id);
        Ok(id)
    }

    /// Inside `tx`: deletes the user, removing them from every order and collection, with log entries.
    async fn delete_user_in(&self, tx: &mut Tx, p: &Principal, id: Uuid) -> Result<(), DomainError> {
        let Some(target) = self.users.get_in(tx, id).await? else {
            return Err(DomainError::NotFound("user".into()));
        };
        grants::check_manage(p, &target, None)?;
        self.check_last_manager_in(tx, &target, None).await?;
        let refs =
            doc! { "$or": [ { "editors": id }, { "generators": id }, { "authors": id }, { "organisation": id } ] };
        let orders = self.orders.find_in(tx, refs).await?;
        let collections = self.collections.find_in(tx, doc! { "editors": id }).await?;
        let blocking_orders = orders.iter().filter(|o| o.organisation == id || o.editors == [id]);
        let blocking_collections = collections.iter().filter(|c| c.editors == [id]);
        // Name only the entries whose owners the caller may see; count the others.
        let mut named: Vec<String> = Vec::new();
        let mut hidden = 0usize;
        for o in blocking_orders {
            match can_see_order(p, o) {
                true => named.push(format!("order {}", o.id)),
                false => hidden += 1,
            }
        }
        for c in blocking_collections {
            match can_see_collection_owners(p, c) {
                true => named.push(format!("collection {}", c.id)),
                false => hidden += 1,
            }
        }
        if hidden > 0 {
            named.push(format!("{hidden} entr{} you cannot see", if hidden == 1 { "y" } else { "ies" }));
        }
        if !named.is_empty() {
            return Err(DomainError::conflict(
                Some("id"),
                format!("the user is the only editor or the organisation of: {}; change those first", named.join(", ")),
            ));
        }
        for current in orders {
            let mut o = current.clone();
            for list in [&mut o.editors, &mut o.generators, &mut o.authors] {
                list.retain(|u| *u != id);
            }
            o.version += 1;
            o.updated_at = bson::DateTime::now();
            let edit =
                logs::Edit { data_type: DataType::Order, id: o.id, expected: current.version, comment: "User removed" };
            logs::replace_logged(&self.store, tx, &self.orders, p, &o, edit).await?;
        }
        for current in collections {
            let mut c = current.clone();
            c.editors.retain(|u| *u != id);
            c.version += 1;
            c.updated_at = bson::DateTime::now();
            let edit = logs::Edit {
                data_type: DataType::Collection,
                id: c.id,
                expected: current.version,
                comment: "User removed",
            };
            logs::replace_logged(&self.store, tx, &self.collections, p, &c, edit).await?;
        }
        self.users.delete(tx, id).await?;
        logs::record(&self.store, tx, p, LogAction::Delete, DataType::User, id, Bson::from(id), "User deleted").await?;
        Ok(())
    }

    /// The user with login identity `auth_id` (`identifier::source`).
    pub async fn user_by_auth_id(&self, auth_id: &str) -> Result<Option<User>, DomainError> {
        self.users
            .raw()
            .find_one(doc! { "authIds": auth_id })
            .await
            .map_err(StoreError::from)?
            .map(from_doc)
            .transpose()
    }

    /// The user with this (lower-cased) email, verified.
    pub async fn user_by_verified_email(&self, email: &str) -> Result<Option<User>, DomainError> {
        let filter: Document = doc! { "email": email.trim().to_lowercase(), "emailVerified": true };
        self.users.raw().find_one(filter).await.map_err(StoreError::from)?.map(from_doc).transpose()
    }
}

fn from_doc(d: Document) -> Result<User, DomainError> {
    bson::from_document(d).map_err(|e| DomainError::Internal(format!("malformed user document: {e}")))
}

/// Translates the unique indexes of `users` into conflicts on the named field.
fn user_conflict(err: StoreError) -> DomainError {
    match err {
        StoreError::Duplicate { ref index } if index == "users_verified_email_unique" => {
            DomainError::conflict(Some("email"), "another user has this verified email")
        }
        StoreError::Duplicate { ref index } if index == "users_auth_ids_unique" => {
            DomainError::conflict(Some("authIds"), "another user has this login identity")
        }
        other => other.into(),
    }
}

fn apply_user_input(user: &mut User, input: UserInput) -> Result<(), DomainError> {
    if let Some(n) = input.name {
        user.name = validate::name(&n)?;
    }
    if let Some(e) = input.email {
        user.email = Some(validate::email("email", &e)?);
    }
    if let Some(e) = input.email_public {
        user.email_public = match e.trim() {
            "" => None,
            t => Some(validate::email("emailPublic", t)?),
        };
    }
    if let Some(a) = input.affiliation {
        user.affiliation = validate::optional_text("affiliation", Some(&a))?;
    }
    if let Some(o) = input.orcid {
        user.orcid = match o.trim() {
            "" => None,
            t => Some(validate::orcid(t)?),
        };
    }
    if let Some(u) = input.url {
        user.url = match u.trim() {
            "" => None,
            t => Some(validate::http_url("url", t)?),
        };
    }
    if let Some(perms) = &input.permissions {
        validate::max_items("permissions", perms, 50)?;
    }
    if let Some(ids) = &input.auth_ids {
        validate::max_items("authIds", ids, 20)?;
        for id in ids {
            validate::max_chars("authIds", id, 500)?;
        }
    }
    if let Some(scope) = &input.scope {
        validate::max_items("scope", scope, 50)?;
        for f in scope {
            validate::max_chars("scope", &f.column, 200)?;
            validate::max_items("scope", &f.values, 1_000)?;
            for v in &f.values {
                validate::max_chars("scope", v, 200)?;
            }
        }
    }
    if let Some(perms) = input.permissions {
        let mut names: Vec<String> = perms.iter().map(|p| p.as_str().to_owned()).collect();
        names.sort();
        names.dedup();
        user.permissions = names;
    }
    if let Some(ids) = input.auth_ids {
        let mut out: Vec<String> = Vec::new();
        for id in ids {
            let t = id.trim();
            match t.split_once("::") {
                Some((ident, source)) if !ident.is_empty() && !source.is_empty() => {}
                _ => return Err(DomainError::invalid("authIds", "each must look like `identifier::source`")),
            }
            if !out.iter().any(|o| o == t) {
                out.push(t.to_owned());
            }
        }
        user.auth_ids = out;
    }
    if let Some(scope) = input.scope {
        for f in &scope {
            if f.column.trim().is_empty() || f.values.is_empty() {
                return Err(DomainError::invalid("scope", "each filter needs a column and at least one value"));
            }
        }
        user.scope = scope;
    }
    Ok(())
}

impl Tracker {
    /// Every user, oldest first (the operator CLI; needs `USER_MANAGEMENT` or the system).
    pub async fn all_users(&self, p: &Principal) -> Result<Vec<User>, DomainError> {
        if !matches!(p, Principal::System) && !p.has(Permission::UserManagement) {
            return Err(DomainError::Forbidden);
        }
        Ok(self.users.page(doc! {}, None, i64::MAX).await?)
    }
}
