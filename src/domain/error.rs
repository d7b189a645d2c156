//! The domain error: what went wrong in terms of the tracker's rules.

/// An error raised by domain code or translated from the store at its call site.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The entity does not exist or is not visible; the string says what (e.g. `order`).
    #[error("{0} not found")]
    NotFound(String),
    /// The principal may not do this.
    #[error("forbidden")]
    Forbidden,
    /// No principal where one is needed.
    #[error("unauthenticated")]
    Unauthenticated,
    /// The input breaks a rule; `field` names the input field.
    #[error("{field}: {message}")]
    Invalid {
        /// The input field at fault.
        field: String,
        /// What is wrong, safe to show.
        message: String,
    },
    /// The change conflicts with stored state.
    #[error("conflict: {message}")]
    Conflict {
        /// The field at fault, when known.
        field: Option<String>,
        /// What conflicts, safe to show.
        message: String,
    },
    /// Too many attempts.
    #[error("rate limited")]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after: u64,
    },
    /// The database aborted the change because of a concurrent write (a transient transaction error);
    /// running it again may succeed. Retried by [`crate::store::Store::transaction`]; reaches the caller only
    /// when the retries are spent. The detail is logged, never sent.
    #[error("transient: {0}")]
    Transient(String),
    /// A failure that is not the caller's fault; the detail is logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl DomainError {
    /// An invalid-input error for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }

    /// A conflict on `field`.
    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::Conflict { field: field.map(str::to_owned), message: message.into() }
    }
}

impl From<crate::store::StoreError> for DomainError {
    fn from(err: crate::store::StoreError) -> Self {
        match err {
            crate::store::StoreError::Duplicate { index } => {
                Self::conflict(None, format!("an entry with the same value already exists ({index})"))
            }
            crate::store::StoreError::VersionConflict => {
                Self::conflict(Some("version"), "the entry was changed by someone else; reload and retry")
            }
            crate::store::StoreError::Transient(e) => Self::Transient(e.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl crate::store::Transient for DomainError {
    fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// Result alias for domain code.
pub type DomainResult<T> = Result<T, DomainError>;
