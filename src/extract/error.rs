//! The extractor's one error type and its exit codes.

/// Exit code: the extract completed; the output is current.
pub const EXIT_OK: u8 = 0;
/// Exit code: bad flags, an unreadable key file, or a checkpoint for another URL, key, type list or format.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code: the server refused the credentials (unknown user, wrong or regenerated key).
pub const EXIT_AUTH: u8 = 3;
/// Exit code: the extract stopped part way (network, server or disk trouble after retries); the checkpoint
/// did not move past what was written, and a rerun resumes.
pub const EXIT_INCOMPLETE: u8 = 4;
/// Exit code: the checkpoint's feed position is no longer known to the server; rerun with `--full`.
pub const EXIT_FEED_LOST: u8 = 5;

/// Why an extract stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// Configuration: flags, key file, output directory, or a checkpoint that does not match.
    #[error("configuration: {0}")]
    Config(String),
    /// The server refused the credentials.
    #[error("authentication: {0}")]
    Auth(String),
    /// Stopped part way; a rerun resumes.
    #[error("incomplete: {0}")]
    Incomplete(String),
    /// The feed position is lost.
    #[error("feed position lost: {0}")]
    FeedLost(String),
}

impl ExtractError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) => EXIT_CONFIG,
            Self::Auth(_) => EXIT_AUTH,
            Self::Incomplete(_) => EXIT_INCOMPLETE,
            Self::FeedLost(_) => EXIT_FEED_LOST,
        }
    }

    /// An I/O failure on `what` (the output is incomplete; a rerun resumes).
    pub fn io(what: impl std::fmt::Display, e: std::io::Error) -> Self {
        Self::Incomplete(format!("{what}: {e}"))
    }
}

impl From<polars::error::PolarsError> for ExtractError {
    fn from(e: polars::error::PolarsError) -> Self {
        Self::Incomplete(format!("parquet: {e}"))
    }
}
