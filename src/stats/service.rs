//! The shared, hot-reloadable frame and the entry points the API layer calls.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::aggregate::Budget;
use super::error::StatsError;
use super::frame::Frame;
use super::query::{self, Filter, FrequencyInput, MeansInput, WaveChangeInput};
use super::{generate, load, ColumnInfo, StatsSettings, StatsTable};

/// What `statsStatus` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsStatus {
    /// When the serving frame was loaded.
    pub loaded_at: Option<DateTime<Utc>>,
    /// Where it came from (a file path, or `generated:…` for a sample).
    pub source: Option<String>,
    /// SHA-256 (hex) of the source file's bytes.
    pub checksum: Option<String>,
    /// Rows of the serving frame.
    pub rows: usize,
    /// Distinct students.
    pub students: usize,
    /// Wave labels.
    pub waves: Vec<String>,
    /// The last load error (the previous frame kept serving).
    pub last_error: Option<String>,
    /// When it happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// The last scope that was denied (fail closed), with its detail.
    pub last_scope_denial: Option<String>,
    /// When it happened.
    pub last_scope_denial_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct Loaded {
    frame: Arc<Frame>,
    loaded_at: DateTime<Utc>,
    source: String,
    checksum: Option<String>,
}

#[derive(Debug, Default)]
struct Errors {
    load: Option<(String, DateTime<Utc>)>,
    scope: Option<(String, DateTime<Utc>)>,
}

/// Holds the current frame; queries clone the `Arc`, never the frame. The lock is held only to swap or
/// clone the pointer, so queries run in parallel and a reload never blocks them.
#[derive(Debug)]
pub struct StatsService {
    settings: StatsSettings,
    current: RwLock<Option<Arc<Loaded>>>,
    errors: Mutex<Errors>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl StatsService {
    /// A service with no frame loaded yet.
    pub fn new(settings: StatsSettings) -> Self {
        let permits = Arc::new(tokio::sync::Semaphore::new(settings.concurrency.max(1)));
        StatsService { settings, current: RwLock::new(None), errors: Mutex::new(Errors::default()), permits }
    }

    /// The permits bounding how many tables this instance computes at once (take one before computing).
    pub fn permits(&self) -> &Arc<tokio::sync::Semaphore> {
        &self.permits
    }

    /// The settings in force.
    pub fn settings(&self) -> &StatsSettings {
        &self.settings
    }

    /// Loads the configured file (or, without a data path, a generated sample of 2,000 students × 3 waves).
    pub fn reload(&self) -> Result<StatsStatus, StatsError> {
        match self.settings.data_path.clone() {
            Some(path) => self.reload_from(&path),
            None => self.install_generated(2_000, 3, 42),
        }
    }

    /// Loads `path`, builds the new frame completely and swaps it in; on error the old frame keeps serving
    /// and the error is recorded in the status.
    pub fn reload_from(&self, path: &Path) -> Result<StatsStatus, StatsError> {
        let result = load::load_file(path, &self.settings.dimensions, &self.settings.measures);
        match result {
            Ok((frame, checksum)) => {
                self.install(frame, path.display().to_string(), Some(checksum));
                Ok(self.status())
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "stats frame reload failed");
                self.record_load_error(&e);
                Err(e)
            }
        }
    }

    /// Generates a sample (see [`generate::generate`]) and serves it.
    pub fn install_generated(&self, students: usize, waves: usize, seed: u64) -> Result<StatsStatus, StatsError> {
        let built = generate::generate(students, waves, seed)
            .to_dataframe()
            .and_then(|df| load::frame_from_dataframe(&df, &self.settings.dimensions, &self.settings.measures));
        match built {
            Ok(frame) => {
                let source = format!("generated:students={students},waves={waves},seed={seed}");
                self.install(frame, source, None);
                Ok(self.status())
            }
            Err(e) => {
                self.record_load_error(&e);
                Err(e)
            }
        }
    }

    fn install(&self, mut frame: Frame, source: String, checksum: Option<String>) {
        frame.derive_keys(&self.settings.secret);
        let checksum = checksum.or_else(|| {
            use sha2::Digest;
            Some(hex::encode(sha2::Sha256::digest(source.as_bytes())))
        });
        let loaded = Arc::new(Loaded { frame: Arc::new(frame), loaded_at: Utc::now(), source, checksum });
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        *guard = Some(loaded);
    }

    fn record_load_error(&self, e: &StatsError) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        errors.load = Some((e.to_string(), Utc::now()));
    }

    fn loaded(&self) -> Option<Arc<Loaded>> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The serving frame (a cheap `Arc` clone), or [`StatsError::NoFrame`].
    pub fn frame(&self) -> Result<Arc<Frame>, StatsError> {
        self.loaded().map(|l| Arc::clone(&l.frame)).ok_or(StatsError::NoFrame)
    }

    /// The serving frame and its version (the source checksum; for a generated sample, a hash of its
    /// recipe): the differencing audit keeps populations per frame version.
    pub fn versioned_frame(&self) -> Result<(Arc<Frame>, String), StatsError> {
        let l = self.loaded().ok_or(StatsError::NoFrame)?;
        Ok((Arc::clone(&l.frame), l.checksum.clone().unwrap_or_default()))
    }

    /// Whether a frame is loaded (for `/ready`).
    pub fn is_ready(&self) -> bool {
        self.loaded().is_some()
    }

    /// The status reported by `statsStatus`.
    pub fn status(&self) -> StatsStatus {
        let errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        let mut status = StatsStatus {
            last_error: errors.load.as_ref().map(|e| e.0.clone()),
            last_error_at: errors.load.as_ref().map(|e| e.1),
            last_scope_denial: errors.scope.as_ref().map(|e| e.0.clone()),
            last_scope_denial_at: errors.scope.as_ref().map(|e| e.1),
            ..StatsStatus::default()
        };
        drop(errors);
        if let Some(l) = self.loaded() {
            status.loaded_at = Some(l.loaded_at);
            status.source = Some(l.source.clone());
            status.checksum = l.checksum.clone();
            status.rows = l.frame.rows();
            status.students = l.frame.students();
            status.waves = l.frame.waves().to_vec();
        }
        status
    }

    /// Checks a user's scope against the serving frame (e.g. to list broken scopes in `statsStatus`).
    pub fn check_scope(&self, scope: &[Filter]) -> Result<(), StatsError> {
        let frame = self.frame()?;
        self.observe(query::check_scope(&frame, &self.settings, scope))
    }

    fn observe<T>(&self, result: Result<T, StatsError>) -> Result<T, StatsError> {
        if let Err(StatsError::ScopeDenied { detail }) = &result {
            tracing::warn!(detail = %detail, "stats scope denied");
            let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
            errors.scope = Some((detail.clone(), Utc::now()));
        }
        result
    }

    /// The allowed columns with their roles and categories (`statsColumns`).
    pub fn columns(&self) -> Result<Vec<ColumnInfo>, StatsError> {
        Ok(super::columns(&*self.frame()?, &self.settings))
    }

    /// The allowed columns as a user with `scope` may see them: dimension categories only those present
    /// inside the scope.
    pub fn columns_in_scope(&self, scope: &[Filter]) -> Result<Vec<ColumnInfo>, StatsError> {
        let frame = self.frame()?;
        self.observe(super::columns_in_scope(&frame, &self.settings, scope))
    }

    /// `frequencyTable`, for a user with `scope`, without deadline.
    pub fn frequency(&self, scope: &[Filter], input: &FrequencyInput) -> Result<StatsTable, StatsError> {
        self.frequency_within(scope, input, &Budget::unlimited())
    }

    /// `frequencyTable` on `frame`, stopping when `budget` runs out.
    pub fn frequency_within(
        &self,
        scope: &[Filter],
        input: &FrequencyInput,
        budget: &Budget,
    ) -> Result<StatsTable, StatsError> {
        let (frame, version) = self.versioned_frame()?;
        let mut table = self.observe(super::frequency_within(&frame, &self.settings, scope, input, budget))?;
        table.frame_version = version;
        Ok(table)
    }

    /// `meansTable`, for a user with `scope`, without deadline.
    pub fn means(&self, scope: &[Filter], input: &MeansInput) -> Result<StatsTable, StatsError> {
        self.means_within(scope, input, &Budget::unlimited())
    }

    /// `meansTable`, stopping when `budget` runs out.
    pub fn means_within(
        &self,
        scope: &[Filter],
        input: &MeansInput,
        budget: &Budget,
    ) -> Result<StatsTable, StatsError> {
        let (frame, version) = self.versioned_frame()?;
        let mut table = self.observe(super::means_within(&frame, &self.settings, scope, input, budget))?;
        table.frame_version = version;
        Ok(table)
    }

    /// `waveChange`, for a user with `scope`, without deadline.
    pub fn wave_change(&self, scope: &[Filter], input: &WaveChangeInput) -> Result<StatsTable, StatsError> {
        self.wave_change_within(scope, input, &Budget::unlimited())
    }

    /// `waveChange`, stopping when `budget` runs out.
    pub fn wave_change_within(
        &self,
        scope: &[Filter],
        input: &WaveChangeInput,
        budget: &Budget,
    ) -> Result<StatsTable, StatsError> {
        let (frame, version) = self.versioned_frame()?;
        let mut table = self.observe(super::wave_change_within(&frame, &self.settings, scope, input, budget))?;
        table.frame_version = version;
        Ok(table)
    }

    /// The configured data path, if any.
    pub fn data_path(&self) -> Option<PathBuf> {
        self.settings.data_path.clone()
    }
}
