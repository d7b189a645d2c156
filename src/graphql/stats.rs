//! Safe-statistics fields: thin wrappers that run the engine on the blocking pool with the caller's scope.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::context::principal;
use super::stats_limit::{begin_table, run_table};
use crate::domain::permissions::Permission;
use crate::error::ApiError;
use crate::stats::audit::StatsAudit;
use crate::stats::{self, StatsService, StatsStatus as Status, StatsTable as Table};

fn service<'a>(ctx: &Context<'a>) -> Result<&'a Arc<StatsService>, ApiError> {
    ctx.data_opt::<Arc<StatsService>>().ok_or_else(|| ApiError::internal(&"stats service missing from schema data"))
}

/// Runs `f` on the blocking pool with the request's tracing span, so long queries never stall the runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, stats::StatsError> + Send + 'static,
) -> Result<T, ApiError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f)).await.map_err(|e| ApiError::internal(&e))?.map_err(Into::into)
}

fn audit<'a>(ctx: &Context<'a>) -> Result<&'a StatsAudit, ApiError> {
    ctx.data_opt::<StatsAudit>().ok_or_else(|| ApiError::internal(&"stats audit missing from schema data"))
}

/// Counts the table, computes it under the request's deadline and the instance's concurrency limit, then
/// lets the differencing audit admit (and remember) its population.
async fn answer(
    ctx: &Context<'_>,
    field: &str,
    kind: &str,
    f: impl FnOnce(&StatsService, &stats::Budget) -> Result<Table, stats::StatsError> + Send + 'static,
) -> Result<StatsTableObject, ApiError> {
    let deadline = begin_table(ctx, field)?;
    let svc = service(ctx)?.clone();
    let table = run_table(svc, deadline, f).await?;
    audit(ctx)?.admit(&table, kind).await?;
    Ok(StatsTableObject(table))
}

fn scope_of(ctx: &Context<'_>) -> Result<Vec<stats::Filter>, ApiError> {
    let scope = principal(ctx).stats_scope()?;
    Ok(scope.iter().map(|s| stats::Filter { column: s.column.clone(), values: s.values.clone() }).collect())
}

/// A membership filter: rows where `column` is one of `values` (one value = equality).
#[derive(InputObject)]
pub struct StatsFilterInput {
    /// An allowed dimension (see `statsColumns`).
    pub column: String,
    /// Category labels to keep.
    pub values: Vec<String>,
}

fn filters(f: Vec<StatsFilterInput>) -> Vec<stats::Filter> {
    f.into_iter().map(|f| stats::Filter { column: f.column, values: f.values }).collect()
}

/// A frequency table request.
#[derive(InputObject)]
pub struct FrequencyTableInput {
    /// Row dimensions (may be empty: one total).
    #[graphql(default)]
    pub group_by: Vec<String>,
    /// Optional column dimension: one output column per category, then `Total`.
    pub value_column: Option<String>,
    /// Filters, applied after the caller's scope.
    #[graphql(default)]
    pub filters: Vec<StatsFilterInput>,
}

/// A means table request.
#[derive(InputObject)]
pub struct MeansTableInput {
    /// Row dimensions (may be empty).
    #[graphql(default)]
    pub group_by: Vec<String>,
    /// Measures (see `statsColumns`).
    pub value_columns: Vec<String>,
    /// Filters, applied after the caller's scope.
    #[graphql(default)]
    pub filters: Vec<StatsFilterInput>,
}

/// A wave-change request.
#[derive(InputObject)]
pub struct WaveChangeInput {
    /// Baseline wave (a category of `wave`).
    pub from_wave: String,
    /// Follow-up wave.
    pub to_wave: String,
    /// Row dimensions, taken from the baseline row (`wave` not allowed).
    #[graphql(default)]
    pub group_by: Vec<String>,
    /// Measures.
    pub value_columns: Vec<String>,
    /// Filters; the baseline and follow-up rows must both pass them.
    #[graphql(default)]
    pub filters: Vec<StatsFilterInput>,
}

/// The role of an allowed column.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::stats::ColumnRole")]
pub enum StatsColumnRole {
    /// Categorical: usable in `groupBy`, `valueColumn` and filters.
    Dimension,
    /// Numeric: usable in `valueColumns`.
    Measure,
}

/// An allowed column. Visible to logged-in users; never carries counts.
#[derive(SimpleObject)]
pub struct StatsColumn {
    /// Column name. Visible to logged-in users.
    pub name: String,
    /// Its role. Visible to logged-in users.
    pub role: StatsColumnRole,
    /// Category labels (dimensions only). Visible to logged-in users.
    pub categories: Vec<String>,
}

/// One row of a published table. Visible to the caller who asked for the table.
#[derive(SimpleObject)]
pub struct StatsRow {
    /// One label per group column: a category, or `Total` for a margin.
    pub groups: Vec<String>,
    /// One value per column of `StatsTable.columns`; `null` when suppressed (or a mean without data).
    pub cells: Vec<Option<f64>>,
}

/// A suppressed cell (no reason is given, by design). Visible to the caller who asked for the table.
#[derive(SimpleObject)]
pub struct StatsSuppressedCell {
    /// Index into `StatsTable.rows`.
    pub row: usize,
    /// Column name, as in `StatsTable.columns`.
    pub column: String,
}

/// A published, disclosure-controlled table. Visible to the logged-in caller who asked for it, after their
/// scope. Every count (margins included) is perturbed by at most ±3 with noise that depends only on which
/// students are in the cell, so the same cell always gets the same value; no published cell describes
/// fewer than `MIN_N` distinct students; means are perturbed and never published beside an exact count or
/// sum.
pub struct StatsTableObject(Table);

#[Object(name = "StatsTable")]
impl StatsTableObject {
    /// The group columns, in order. Visible to the caller.
    async fn group_columns(&self) -> &[String] {
        &self.0.group_columns
    }
    /// The value columns: `n`; or the value column's categories then `Total`; or per measure `m` and `m_n`.
    /// Visible to the caller.
    async fn columns(&self) -> &[String] {
        &self.0.columns
    }
    /// Rows, margins (`Total`) included. Visible to the caller.
    async fn rows(&self) -> Vec<StatsRow> {
        self.0.rows.iter().map(|r| StatsRow { groups: r.groups.clone(), cells: r.cells.clone() }).collect()
    }
    /// Every suppressed cell. Visible to the caller.
    async fn suppressed(&self) -> Vec<StatsSuppressedCell> {
        self.0.suppressed.iter().map(|s| StatsSuppressedCell { row: s.row, column: s.column.clone() }).collect()
    }
    /// The table as CSV: group columns, then value columns; suppressed cells empty. Visible to the caller.
    async fn csv(&self) -> String {
        self.0.csv()
    }
}

/// The state of the statistics frame. Visible to `DATA_MANAGEMENT` only.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct StatsStatus {
    /// When the serving frame was loaded.
    pub loaded_at: Option<DateTime<Utc>>,
    /// Its source: a file path, or `generated:…` for a sample.
    pub source: Option<String>,
    /// SHA-256 of the source file.
    pub checksum: Option<String>,
    /// Rows of the serving frame.
    pub rows: usize,
    /// Distinct students.
    pub students: usize,
    /// Wave labels.
    pub waves: Vec<String>,
    /// The last load error; the previous frame kept serving.
    pub last_error: Option<String>,
    /// When it happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// The last user scope that could not be applied (fail closed), with its detail.
    pub last_scope_denial: Option<String>,
    /// When it happened.
    pub last_scope_denial_at: Option<DateTime<Utc>>,
}

impl From<Status> for StatsStatus {
    fn from(s: Status) -> Self {
        Self {
            loaded_at: s.loaded_at,
            source: s.source,
            checksum: s.checksum,
            rows: s.rows,
            students: s.students,
            waves: s.waves,
            last_error: s.last_error,
            last_error_at: s.last_error_at,
            last_scope_denial: s.last_scope_denial,
            last_scope_denial_at: s.last_scope_denial_at,
        }
    }
}

/// A remembered table population. Visible to `DATA_MANAGEMENT` only.
#[derive(SimpleObject)]
pub struct StatsAuditEntry {
    /// The frame version (source checksum) the population belongs to.
    pub frame: String,
    /// Number of students in the population.
    pub students: u64,
    /// Stored size of its bitmap, in bytes.
    pub bytes: u64,
    /// Kind of the first table answered with it: `frequency`, `means` or `waveChange`.
    pub kind: String,
    /// When it was first answered.
    pub created_at: DateTime<Utc>,
}

/// A page of the differencing audit. Visible to `DATA_MANAGEMENT` only.
#[derive(SimpleObject)]
pub struct StatsAuditPage {
    /// Populations stored in all.
    pub total: u64,
    /// The newest ones.
    pub entries: Vec<StatsAuditEntry>,
}

fn require_data_management(ctx: &Context<'_>) -> Result<(), ApiError> {
    let p = principal(ctx);
    if p.viewer().is_none() {
        return Err(ApiError::unauthenticated());
    }
    if !p.has(Permission::DataManagement) {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// Statistics queries.
#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// The allowed columns, their roles and (for dimensions) categories. Logged-in users.
    async fn stats_columns(&self, ctx: &Context<'_>) -> Result<Vec<StatsColumn>, ApiError> {
        let scope = scope_of(ctx)?;
        let svc = service(ctx)?.clone();
        let cols = blocking(move || svc.columns_in_scope(&scope)).await?;
        Ok(cols
            .into_iter()
            .map(|c| StatsColumn { name: c.name, role: c.role.into(), categories: c.categories })
            .collect())
    }

    /// Distinct students per cell, with margins, disclosure-controlled. Users with `STATS_READ` or a scope;
    /// the caller's scope applies first. Refused (`FORBIDDEN`, one message) when the table describes too few
    /// students or differs from a table already answered by a few students; at most 5 tables per request.
    async fn frequency_table(
        &self,
        ctx: &Context<'_>,
        input: FrequencyTableInput,
    ) -> Result<StatsTableObject, ApiError> {
        let scope = scope_of(ctx)?;
        let input = stats::FrequencyInput {
            group_by: input.group_by,
            value_column: input.value_column,
            filters: filters(input.filters),
        };
        answer(ctx, "frequencyTable", "frequency", move |svc, b| svc.frequency_within(&scope, &input, b)).await
    }

    /// Per cell and measure, the mean and its distinct-student n. A student with several rows in one cell
    /// (several waves, when `wave` is not a dimension) counts once: their rows are averaged first, then the
    /// mean is taken over students. Users with `STATS_READ` or a scope; the caller's scope applies first.
    /// Refused like `frequencyTable`.
    async fn means_table(&self, ctx: &Context<'_>, input: MeansTableInput) -> Result<StatsTableObject, ApiError> {
        let scope = scope_of(ctx)?;
        let input = stats::MeansInput {
            group_by: input.group_by,
            value_columns: input.value_columns,
            filters: filters(input.filters),
        };
        answer(ctx, "meansTable", "means", move |svc, b| svc.means_within(&scope, &input, b)).await
    }

    /// Per student present in both waves, `to − from`; then means per group (groups from the baseline wave),
    /// n = matched students. Users with `STATS_READ` or a scope; the caller's scope applies first. Refused
    /// like `frequencyTable`, and when the matched panel differs from a wave's students by a few students.
    async fn wave_change(&self, ctx: &Context<'_>, input: WaveChangeInput) -> Result<StatsTableObject, ApiError> {
        let scope = scope_of(ctx)?;
        let input = stats::WaveChangeInput {
            from_wave: input.from_wave,
            to_wave: input.to_wave,
            group_by: input.group_by,
            value_columns: input.value_columns,
            filters: filters(input.filters),
        };
        answer(ctx, "waveChange", "waveChange", move |svc, b| svc.wave_change_within(&scope, &input, b)).await
    }

    /// The frame's state: loaded at, source, checksum, rows, students, waves, last errors. `DATA_MANAGEMENT`.
    async fn stats_status(&self, ctx: &Context<'_>) -> Result<StatsStatus, ApiError> {
        require_data_management(ctx)?;
        Ok(service(ctx)?.status().into())
    }

    /// The differencing audit: the populations of answered tables (sizes only, never students), newest
    /// first, shared by every instance. `DATA_MANAGEMENT`.
    async fn stats_audit(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100, validator(minimum = 1, maximum = 1000))] limit: i64,
    ) -> Result<StatsAuditPage, ApiError> {
        require_data_management(ctx)?;
        let (entries, total) = audit(ctx)?.entries(limit).await?;
        let entries = entries
            .into_iter()
            .map(|e| StatsAuditEntry {
                frame: e.frame,
                students: e.students,
                bytes: e.bytes,
                kind: e.kind,
                created_at: e.created_at,
            })
            .collect();
        Ok(StatsAuditPage { total, entries })
    }
}

/// Statistics mutations.
#[derive(Default)]
pub struct StatsMutation;

#[Object]
impl StatsMutation {
    /// Reloads the frame from its source now. The new frame is built completely, then swapped in; on any
    /// error the previous frame keeps serving and the error is reported (here and in `statsStatus`).
    /// Every other instance of the service reloads too, within a few seconds. `DATA_MANAGEMENT`.
    async fn reload_stats_frame(&self, ctx: &Context<'_>) -> Result<StatsStatus, ApiError> {
        require_data_management(ctx)?;
        let svc = service(ctx)?.clone();
        let status = blocking(move || svc.reload()).await?;
        // Every other instance follows within a few seconds (see `crate::instances`).
        super::stats_instances::instances(ctx)?.request_reload().await.map_err(|e| ApiError::internal(&e))?;
        Ok(status.into())
    }
}
