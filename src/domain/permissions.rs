//! Permissions and their transitive implications.

use std::collections::BTreeSet;

/// A permission a user can hold. Unknown names in stored documents are ignored, never fatal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Create orders; edit or delete orders (and their datasets) where listed as editor.
    Orders,
    /// Edit or delete any order, dataset or collection.
    DataManagement,
    /// Read owner information (editors, a dataset's order) of every entry.
    OwnersRead,
    /// Add users.
    UserAdd,
    /// List and search users (public profile fields only).
    UserSearch,
    /// Manage users whose permissions the holder holds too (see `domain::grants`).
    UserManagement,
    /// Query the statistics frame (within the holder's scope, when they have one).
    StatsRead,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 7] = [
        Self::Orders,
        Self::DataManagement,
        Self::OwnersRead,
        Self::UserAdd,
        Self::UserSearch,
        Self::UserManagement,
        Self::StatsRead,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Orders => "ORDERS",
            Self::DataManagement => "DATA_MANAGEMENT",
            Self::OwnersRead => "OWNERS_READ",
            Self::UserAdd => "USER_ADD",
            Self::UserSearch => "USER_SEARCH",
            Self::UserManagement => "USER_MANAGEMENT",
            Self::StatsRead => "STATS_READ",
        }
    }

    /// Parses a stored name; `None` for unknown names.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    fn implies(self) -> &'static [Permission] {
        match self {
            Self::Orders => &[Self::UserAdd, Self::UserSearch],
            Self::DataManagement => &[Self::Orders, Self::OwnersRead],
            Self::UserManagement => &[Self::UserAdd, Self::UserSearch],
            Self::OwnersRead | Self::UserAdd | Self::UserSearch | Self::StatsRead => &[],
        }
    }
}

/// A set of permissions closed under implication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    /// The closure of the stored names (unknown names ignored).
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Self {
        Self::closure(names.iter().filter_map(|n| Permission::parse(n.as_ref())))
    }

    /// The closure of the given permissions.
    pub fn closure(granted: impl IntoIterator<Item = Permission>) -> Self {
        let mut set = BTreeSet::new();
        let mut todo: Vec<Permission> = granted.into_iter().collect();
        while let Some(p) = todo.pop() {
            if set.insert(p) {
                todo.extend_from_slice(p.implies());
            }
        }
        Self(set)
    }

    /// Whether the set holds `p`.
    pub fn has(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }

    /// Adds `p` and what it implies.
    pub fn insert(&mut self, p: Permission) {
        let more = Self::closure([p]);
        self.0.extend(more.0);
    }

    /// Removes `p` alone (what it implies stays).
    pub fn remove(&mut self, p: Permission) {
        self.0.remove(&p);
    }

    /// The permissions of `self` missing from `other`.
    pub fn missing_from(&self, other: &PermissionSet) -> Vec<Permission> {
        self.0.difference(&other.0).copied().collect()
    }

    /// The stored names of the permissions held.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|p| p.as_str().to_owned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implications_are_transitive() {
        let set = PermissionSet::from_names(&["DATA_MANAGEMENT"]);
        for p in [Permission::Orders, Permission::OwnersRead, Permission::UserAdd, Permission::UserSearch] {
            assert!(set.has(p), "{p:?}");
        }
        assert!(!set.has(Permission::UserManagement));
    }

    #[test]
    fn unknown_names_are_ignored() {
        let set = PermissionSet::from_names(&["NOPE", "USER_SEARCH"]);
        assert!(set.has(Permission::UserSearch));
        assert!(!set.has(Permission::UserAdd));
    }
}
