//! Which frame every instance of the service serves (several instances behind one database).

use std::sync::Arc;

use async_graphql::{ComplexObject, Context, SimpleObject};
use chrono::{DateTime, Utc};

use super::stats::StatsStatus;
use crate::error::ApiError;
use crate::instances::{InstanceStatus, Instances};

/// The `Instances` handle from the schema data.
pub fn instances<'a>(ctx: &Context<'a>) -> Result<&'a Arc<Instances>, ApiError> {
    ctx.data_opt::<Arc<Instances>>().ok_or_else(|| ApiError::internal(&"instances missing from schema data"))
}

/// One instance of the service and the frame it serves, as it last reported (every few seconds).
#[derive(SimpleObject)]
pub struct StatsInstance {
    /// The instance's id (random per process).
    pub id: String,
    /// Whether it is the instance answering this request.
    pub current: bool,
    /// When it last reported.
    pub heartbeat_at: DateTime<Utc>,
    /// The reload generation its frame follows (every reload asked of any instance adds one).
    pub generation: i64,
    /// When its frame was loaded.
    pub loaded_at: Option<DateTime<Utc>>,
    /// Its frame's source.
    pub source: Option<String>,
    /// SHA-256 of its frame's source file.
    pub checksum: Option<String>,
    /// Rows of its frame.
    pub rows: usize,
    /// Its last load error (its previous frame kept serving).
    pub last_error: Option<String>,
}

impl StatsInstance {
    fn from_status(s: InstanceStatus, me: &str) -> Self {
        StatsInstance {
            current: s.id == me,
            id: s.id,
            heartbeat_at: s.heartbeat_at,
            generation: s.generation,
            loaded_at: s.status.loaded_at,
            source: s.status.source,
            checksum: s.status.checksum,
            rows: s.status.rows,
            last_error: s.status.last_error,
        }
    }
}

#[ComplexObject]
impl StatsStatus {
    /// This instance's id.
    async fn instance_id(&self, ctx: &Context<'_>) -> Result<String, ApiError> {
        Ok(instances(ctx)?.id().to_owned())
    }

    /// Every instance sharing this database that reported in the last 30 seconds, with the frame it serves.
    /// A reload asked of one instance reaches all of them within a few seconds.
    async fn instances(&self, ctx: &Context<'_>) -> Result<Vec<StatsInstance>, ApiError> {
        let fleet = instances(ctx)?;
        let me = fleet.id().to_owned();
        let list = fleet.list().await.map_err(|e| ApiError::internal(&e))?;
        Ok(list.into_iter().map(|s| StatsInstance::from_status(s, &me)).collect())
    }
}
