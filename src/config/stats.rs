//! Statistics protection settings: the secret of the cell keys, the perturbation table and the query limits.

use super::{ConfigError, Secret, Source};

/// The statistics secret used in local mode when none is configured. Refused outside local mode.
pub const DEV_STATS_SECRET: &str = "datatracker-local-statistics-secret-do-not-use";

/// How published statistics are protected (see the README's section for data protection officers).
#[derive(Debug, Clone)]
pub struct StatsProtectionSettings {
    /// Secret the students' record keys are derived from (`DATATRACKER_STATS_SECRET`; required outside
    /// local mode, at least 32 bytes; never printed). Keep it stable: a new secret gives new noise, and
    /// answers from before and after could then be averaged.
    pub secret: Secret,
    /// Maximum absolute noise of a count (`DATATRACKER_STATS_NOISE_MAX`, default 3).
    pub noise_max: u32,
    /// Variance of the count noise (`DATATRACKER_STATS_NOISE_VARIANCE`, default 1.5; below `D²/2`).
    pub noise_variance: f64,
    /// The p of the means' p%-rule (`DATATRACKER_STATS_DOMINANCE_PERCENT`, default 10).
    pub dominance_percent: f64,
    /// Most cells of a table, margins included (`DATATRACKER_STATS_MAX_CELLS`, default 20000: admits school ×
    /// yearGroup × sex of a 450-school cohort, about 10,700 cells).
    pub max_cells: usize,
    /// Most variables crossed in one table, counting group columns, the value column, filter columns and
    /// the user's scope columns (`DATATRACKER_STATS_MAX_VARIABLES`, default 4).
    pub max_variables: usize,
    /// Fewest students a table may describe after scope and filters (`DATATRACKER_STATS_MIN_POPULATION`,
    /// default 20).
    pub min_population: u64,
    /// Most statistics tables in one GraphQL request, aliases counted (`DATATRACKER_STATS_MAX_TABLES`,
    /// default 5).
    pub max_tables_per_request: usize,
    /// Most tables computed at once by one instance (`DATATRACKER_STATS_CONCURRENCY`, default: half the
    /// CPUs, at least 1), so that a burst of heavy tables cannot starve other requests.
    pub concurrency: usize,
    /// Threads one table is computed with (`DATATRACKER_STATS_THREADS`, default: the CPUs divided by
    /// `concurrency`, at least 1), so that the tables running at once use the CPUs between them.
    pub threads: usize,
}

pub(super) fn protection(src: &Source, local_mode: bool) -> Result<StatsProtectionSettings, ConfigError> {
    let name = "DATATRACKER_STATS_SECRET";
    let secret = match src.get(name) {
        Some(s) => Secret::new(s),
        None if local_mode => Secret::new(DEV_STATS_SECRET),
        None => {
            return Err(ConfigError {
                variable: name.into(),
                problem: "missing; statistics are perturbed with keys derived from this secret: set at least 32 \
                          random bytes (e.g. `openssl rand -hex 32`) and keep it stable"
                    .into(),
            })
        }
    };
    if !local_mode && (secret.expose().len() < 32 || secret.expose() == DEV_STATS_SECRET) {
        return Err(ConfigError {
            variable: name.into(),
            problem: "must be at least 32 bytes and not the local-mode default".into(),
        });
    }
    let err = |variable: &str, problem: &str| ConfigError { variable: variable.into(), problem: problem.into() };
    let noise_max = src.parse("DATATRACKER_STATS_NOISE_MAX", 3u32, "a whole number")?;
    if !(1..=20).contains(&noise_max) {
        return Err(err("DATATRACKER_STATS_NOISE_MAX", "must be between 1 and 20"));
    }
    let noise_variance = src.parse("DATATRACKER_STATS_NOISE_VARIANCE", 1.5f64, "a number")?;
    if !(noise_variance > 0.0 && noise_variance < f64::from(noise_max * noise_max) / 2.0) {
        return Err(err("DATATRACKER_STATS_NOISE_VARIANCE", "must be above 0 and below NOISE_MAX²/2"));
    }
    let dominance_percent = src.parse("DATATRACKER_STATS_DOMINANCE_PERCENT", 10f64, "a number")?;
    if !(0.0..=100.0).contains(&dominance_percent) {
        return Err(err("DATATRACKER_STATS_DOMINANCE_PERCENT", "must be between 0 and 100"));
    }
    let positive = |name: &str, default: usize| -> Result<usize, ConfigError> {
        let v = src.parse(name, default, "a whole number")?;
        if v == 0 {
            return Err(err(name, "must be greater than 0"));
        }
        Ok(v)
    };
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let concurrency = positive("DATATRACKER_STATS_CONCURRENCY", (cpus / 2).max(1))?;
    Ok(StatsProtectionSettings {
        secret,
        noise_max,
        noise_variance,
        dominance_percent,
        max_cells: positive("DATATRACKER_STATS_MAX_CELLS", 20_000)?,
        max_variables: positive("DATATRACKER_STATS_MAX_VARIABLES", 4)?,
        min_population: src.parse("DATATRACKER_STATS_MIN_POPULATION", 20u64, "a whole number")?,
        max_tables_per_request: positive("DATATRACKER_STATS_MAX_TABLES", 5)?,
        concurrency,
        threads: positive("DATATRACKER_STATS_THREADS", (cpus / concurrency).max(1))?,
    })
}
