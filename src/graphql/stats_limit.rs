//! Bounds on statistics work per request: a table count per request (aliases count), a deadline that CPU
//! work checks, and the instance-wide concurrency limit (a semaphore), so that a burst of heavy tables
//! cannot starve `/health` and ordinary requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::{Context, Request, ServerResult};
use tokio::time::Instant;

use crate::error::ApiError;
use crate::stats::{Budget, StatsError, StatsService};

/// Per-request statistics state, put in the request's data by [`StatsLimit`].
#[derive(Debug)]
pub struct StatsRequest {
    tables: AtomicUsize,
    max_tables: usize,
    deadline: Instant,
}

/// Extension factory giving every request its [`StatsRequest`].
pub struct StatsLimit {
    /// Most statistics tables in one request.
    pub max_tables: usize,
    /// How long a request may run (the HTTP request timeout).
    pub timeout: Duration,
}

impl ExtensionFactory for StatsLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StatsLimitExtension { max_tables: self.max_tables, timeout: self.timeout })
    }
}

struct StatsLimitExtension {
    max_tables: usize,
    timeout: Duration,
}

#[async_trait::async_trait]
impl Extension for StatsLimitExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let state = StatsRequest {
            tables: AtomicUsize::new(0),
            max_tables: self.max_tables,
            // A little before the HTTP timeout, so that the caller gets a GraphQL error rather than a 408.
            deadline: Instant::now() + self.timeout.mul_f64(0.9),
        };
        next.run(ctx, request.data(state)).await
    }
}

/// Counts one more table for this request (before any work) and returns its deadline; refuses past the
/// per-request limit with `BAD_USER_INPUT` naming the field.
pub fn begin_table(ctx: &Context<'_>, field: &str) -> Result<Option<Instant>, ApiError> {
    let Some(req) = ctx.data_opt::<StatsRequest>() else { return Ok(None) };
    let n = req.tables.fetch_add(1, Ordering::SeqCst) + 1;
    if n > req.max_tables {
        return Err(ApiError::bad_input(
            field,
            format!(
                "at most {} statistics tables per request (aliases count); send the others separately",
                req.max_tables
            ),
        ));
    }
    Ok(Some(req.deadline))
}

/// Cancels the computation when the request's future is dropped (timeout, client gone).
struct CancelOnDrop(Budget);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs `f` on the blocking pool under one of the service's permits, with a budget ending at `deadline`.
/// Waiting for a permit also ends at the deadline.
pub async fn run_table<T: Send + 'static>(
    svc: Arc<StatsService>,
    deadline: Option<Instant>,
    f: impl FnOnce(&StatsService, &Budget) -> Result<T, StatsError> + Send + 'static,
) -> Result<T, ApiError> {
    let permits = Arc::clone(svc.permits());
    let permit = match deadline {
        Some(d) => tokio::time::timeout_at(d, permits.acquire_owned()).await.map_err(|_| StatsError::Cancelled)?,
        None => permits.acquire_owned().await,
    }
    .map_err(|e| ApiError::internal(&e))?;
    let budget = match deadline {
        Some(d) => Budget::until(d.into_std()),
        None => Budget::unlimited(),
    };
    let guard = CancelOnDrop(budget.clone());
    let span = tracing::Span::current();
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        span.in_scope(|| f(&svc, &budget))
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    drop(guard);
    result.map_err(Into::into)
}
