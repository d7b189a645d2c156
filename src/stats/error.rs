//! The error type of the statistics engine; the API layer maps each variant to one client code.

/// Everything that can go wrong in the statistics engine.
///
/// Messages never depend on cell values, so an error does not tell whether a cell was small.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    /// The request names a column or value that is not allowed (maps to `BAD_USER_INPUT`).
    #[error("{message}")]
    BadInput {
        /// The input field at fault, e.g. `groupBy`, `filters`, `valueColumns`.
        field: String,
        /// Human-readable message naming the allowed columns or values.
        message: String,
    },
    /// The user's scope cannot be applied to the frame (fail closed: nothing is answered).
    #[error("the user's data scope cannot be applied; access denied")]
    ScopeDenied {
        /// Internal detail for logs and `statsStatus` (which scope column is wrong).
        detail: String,
    },
    /// No frame has been loaded yet.
    #[error("no statistics frame is loaded")]
    NoFrame,
    /// Loading or validating a data file failed; the previous frame (if any) keeps serving.
    #[error("loading the statistics frame failed: {0}")]
    Load(String),
    /// The table is refused to protect confidentiality (maps to `FORBIDDEN`). One message whatever the rule
    /// (population too small, too close to a table already answered, panel too close to a cross-section), so
    /// a refusal tells nothing about sizes.
    #[error("{REFUSED}")]
    Refused,
    /// The computation passed the request's deadline or the request was dropped (maps to
    /// `SERVICE_UNAVAILABLE`).
    #[error("the statistics table took too long to compute; ask for a smaller table or retry later")]
    Cancelled,
    /// The differencing audit's storage failed; the table is not answered (fail closed).
    #[error("the statistics audit is not available: {0}")]
    Audit(String),
}

/// The one message of every refused table.
pub const REFUSED: &str = "this table cannot be published: it could disclose information about individual \
                           students, alone or compared with tables already published";

impl StatsError {
    /// Builds a [`StatsError::BadInput`].
    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        StatsError::BadInput { field: field.to_owned(), message: message.into() }
    }
}

impl From<polars::error::PolarsError> for StatsError {
    fn from(e: polars::error::PolarsError) -> Self {
        StatsError::Load(e.to_string())
    }
}
