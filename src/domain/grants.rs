//! Who may change whose account: the rules that keep anyone from gaining a permission nobody gave them.
//!
//! - A user's *held* set is the closure of their permissions, plus `STATS_READ` when they have a statistics
//!   scope (a scope grants scoped statistics access).
//! - A caller's *grantable* set is the closure of their permissions; `STATS_READ` counts only when the caller
//!   reads the whole frame (no scope of their own).
//! - Managing another account (any edit, a key, login identities, ending its sessions, deleting it) needs
//!   `USER_MANAGEMENT` and an account whose held set lies inside the caller's grantable set, before and
//!   after the change. So nobody grants what they lack, directly or through implication, and nobody takes
//!   over an account stronger than their own.
//! - Nobody changes their own permissions, login identities or scope.
//! - The last holder of `USER_MANAGEMENT` keeps it (`CONFLICT`).
//!
//! The operator CLI (the system principal) is bound by the last rule only.

use bson::doc;

use super::model::User;
use super::permissions::{Permission, PermissionSet};
use super::tracker::Tracker;
use super::{DomainError, Principal, Viewer};
use crate::store::Tx;

/// What `user` holds, for the rules.
pub fn held(user: &User) -> PermissionSet {
    let mut set = PermissionSet::from_names(&user.permissions);
    if !user.scope.is_empty() {
        set.insert(Permission::StatsRead);
    }
    set
}

/// What `viewer` may grant.
pub fn grantable(viewer: &Viewer) -> PermissionSet {
    let mut set = viewer.permissions.clone();
    if !viewer.scope.is_empty() {
        set.remove(Permission::StatsRead);
    }
    set
}

/// Checks that `p` may manage the account `current` (another user's) and, when given, turn it into `next`.
pub fn check_manage(p: &Principal, current: &User, next: Option<&User>) -> Result<(), DomainError> {
    if matches!(p, Principal::System) {
        return Ok(());
    }
    let viewer = p.require_user()?;
    if !viewer.permissions.has(Permission::UserManagement) {
        return Err(DomainError::Forbidden);
    }
    let mine = grantable(viewer);
    let dominated = |u: &User| held(u).missing_from(&mine).is_empty();
    if !dominated(current) || !next.is_none_or(dominated) {
        return Err(DomainError::Forbidden);
    }
    Ok(())
}

/// Whether `p` is the user `id`.
pub fn is_self(p: &Principal, id: bson::Uuid) -> bool {
    p.user_id().is_some_and(|me| bson::Uuid::from(me) == id)
}

fn holds_user_management(user: &User) -> bool {
    user.permissions.iter().any(|n| n == Permission::UserManagement.as_str())
}

impl Tracker {
    /// Inside `tx`: refuses with `CONFLICT` a change that takes `USER_MANAGEMENT` from its last holder
    /// (`next` = `None` for a deletion). Such a change writes to every holder's document first, so two of
    /// them at once (two managers removing each other) conflict: one runs again, sees the other's result,
    /// and is refused.
    pub(crate) async fn check_last_manager_in(
        &self,
        tx: &mut Tx,
        current: &User,
        next: Option<&User>,
    ) -> Result<(), DomainError> {
        if !holds_user_management(current) || next.is_some_and(holds_user_management) {
            return Ok(());
        }
        let holders = self.users.ids_in(tx, doc! { "permissions": Permission::UserManagement.as_str() }).await?;
        // Refused before anything is written, so a refused transaction holds no write (a short-lived CLI
        // process may exit before its abort reaches the server).
        if holders.iter().all(|id| *id == current.id) {
            return Err(DomainError::conflict(
                Some("permissions"),
                "this is the last user with USER_MANAGEMENT; grant it to someone else first",
            ));
        }
        self.users.lock_in(tx, &holders).await?;
        Ok(())
    }
}
