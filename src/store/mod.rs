//! MongoDB access: one pooled client for the process, the database handle, and the migrations runner.

pub mod migrations;
pub mod repo;
pub mod retry;
pub mod sequence;
mod window;

pub use repo::{Repo, Tx};
pub use retry::Transient;

use std::time::Duration;

use bson::doc;
use mongodb::options::ClientOptions;
use mongodb::{Client, Database};

/// A store failure, translated by the domain at its call site.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index rejected the write; `index` is the index name.
    #[error("duplicate key on index {index}")]
    Duplicate {
        /// Name of the unique index.
        index: String,
    },
    /// A compare-and-set on the entity's version found another version.
    #[error("version conflict")]
    VersionConflict,
    /// The transaction was aborted by a concurrent write or a failover (`TransientTransactionError`); running
    /// it again may succeed. [`Store::transaction`] does that.
    #[error("transient transaction error: {0}")]
    Transient(mongodb::error::Error),
    /// A stored document does not have the expected shape.
    #[error("malformed document: {0}")]
    Malformed(String),
    /// Any other driver error.
    #[error("database error: {0}")]
    Driver(#[from] mongodb::error::Error),
}

impl StoreError {
    /// Classifies a driver error, recognising duplicate-key errors (code 11000) and naming their index.
    pub fn classify(err: mongodb::error::Error) -> Self {
        use mongodb::error::{ErrorKind, WriteFailure};
        let dup = |code: i32, msg: &str| -> Option<Self> {
            (code == 11000).then(|| Self::Duplicate { index: index_name_from_message(msg) })
        };
        let found = match err.kind.as_ref() {
            ErrorKind::Write(WriteFailure::WriteError(we)) => dup(we.code, &we.message),
            ErrorKind::Command(ce) => dup(ce.code, &ce.message),
            ErrorKind::InsertMany(im) => {
                im.write_errors.as_ref().and_then(|errs| errs.iter().find_map(|we| dup(we.code, &we.message)))
            }
            _ => None,
        };
        found.unwrap_or(Self::Driver(err))
    }
}

fn index_name_from_message(msg: &str) -> String {
    // "E11000 duplicate key error collection: db.users index: users_email_unique dup key: { ... }"
    msg.split("index: ").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap_or("unknown").to_owned()
}

/// The database handle shared by the whole process.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    db: Database,
    hooks: std::sync::Arc<sequence::Hooks>,
}

impl Store {
    /// Builds the client from a connection string (pool settings come from the URI). Does not connect yet.
    pub async fn connect(uri: &str, database: &str) -> Result<Self, StoreError> {
        let options = ClientOptions::parse(uri).await?;
        Self::from_options(options, database)
    }

    /// Builds the client from parsed options (tests add command monitoring this way).
    pub fn from_options(mut options: ClientOptions, database: &str) -> Result<Self, StoreError> {
        if options.app_name.is_none() {
            options.app_name = Some("datatracker".into());
        }
        if options.server_selection_timeout.is_none() {
            options.server_selection_timeout = Some(Duration::from_secs(5));
        }
        let client = Client::with_options(options)?;
        let db = client.database(database);
        Ok(Self { client, db, hooks: std::sync::Arc::default() })
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Test hooks shared by every clone of this store (see [`sequence::Hooks`]).
    pub fn hooks(&self) -> &std::sync::Arc<sequence::Hooks> {
        &self.hooks
    }

    /// The client, for sessions and transactions.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Whether the server answers a ping.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.run_command(doc! { "ping": 1 }).await?;
        Ok(())
    }

    /// Pings until the server answers, waiting with exponential backoff (capped at 30 s) between attempts;
    /// gives up after `max_wait`.
    pub async fn wait_until_reachable(&self, max_wait: Duration) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let mut delay = Duration::from_millis(250);
        loop {
            match self.ping().await {
                Ok(()) => return Ok(()),
                Err(err) if started.elapsed() + delay < max_wait => {
                    tracing::warn!(error = %err, retry_in_ms = delay.as_millis() as u64, "MongoDB is not reachable; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
                Err(err) => return Err(err),
            }
        }
    }
}
