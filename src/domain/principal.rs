//! The principal: the anonymous caller or a logged-in user with their effective permissions.

use crate::domain::permissions::{Permission, PermissionSet};

/// Who is calling.
#[derive(Debug, Clone, Default)]
pub enum Principal {
    /// No credentials.
    #[default]
    Anonymous,
    /// A logged-in user.
    User(Viewer),
    /// The service itself: the operator CLI and first-login account creation. Never reachable over HTTP.
    System,
}

/// A logged-in user as seen by the rules.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The user's id.
    pub id: uuid::Uuid,
    /// Effective permissions (implications applied).
    pub permissions: PermissionSet,
    /// Statistics scope filters, applied before anything else.
    pub scope: Vec<crate::domain::model::ScopeFilter>,
    /// Affiliation (organisation), for dataset access rules.
    pub affiliation: Option<String>,
}

impl Principal {
    /// The viewer, when logged in.
    pub fn viewer(&self) -> Option<&Viewer> {
        match self {
            Self::User(v) => Some(v),
            Self::Anonymous | Self::System => None,
        }
    }
}

impl Principal {
    /// Whether the principal holds `p` (always false when anonymous).
    pub fn has(&self, p: Permission) -> bool {
        self.viewer().is_some_and(|v| v.permissions.has(p))
    }

    /// The user id, when logged in.
    pub fn user_id(&self) -> Option<uuid::Uuid> {
        self.viewer().map(|v| v.id)
    }

    /// The statistics scope of the caller: statistics access is granted, never default. A viewer needs
    /// `STATS_READ` or a non-empty scope (set by `USER_MANAGEMENT`); anyone else gets `FORBIDDEN`
    /// (`UNAUTHENTICATED` when anonymous).
    pub fn stats_scope(&self) -> Result<&[crate::domain::model::ScopeFilter], crate::domain::DomainError> {
        let viewer = self.require_user()?;
        if viewer.permissions.has(Permission::StatsRead) || !viewer.scope.is_empty() {
            Ok(&viewer.scope)
        } else {
            Err(crate::domain::DomainError::Forbidden)
        }
    }

    /// The viewer, or `Unauthenticated`.
    pub fn require_user(&self) -> Result<&Viewer, crate::domain::DomainError> {
        self.viewer().ok_or(crate::domain::DomainError::Unauthenticated)
    }

    /// The actor name written in log entries: the user id, or `system`.
    pub fn actor(&self) -> String {
        self.user_id().map(|id| id.to_string()).unwrap_or_else(|| SYSTEM_ACTOR.to_owned())
    }
}

/// The actor recorded for changes made by the service itself (first login, operator CLI).
pub const SYSTEM_ACTOR: &str = "system";
