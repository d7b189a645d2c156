//! datatracker: tracks who ordered, produced and published which data, and serves safe statistics over a
//! confidential questionnaire frame, through one GraphQL API.
//!
//! [`build_app`] builds the whole service (router and state) from [`config::Settings`]; `main` and every
//! test use it.

pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod extract;
pub mod graphql;
pub mod http;
pub mod instances;
pub mod stats;
pub mod storage;
pub mod store;
pub mod telemetry;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use config::Settings;
use graphql::AppSchema;
use store::Store;

/// Shared state of the running service, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    store: Store,
    schema: AppSchema,
    tracker: domain::Tracker,
    files: domain::files::DataFiles,
    stats: Arc<stats::StatsService>,
    instances: Arc<instances::Instances>,
    auth: auth::AuthState,
    feed: domain::feed_hub::FeedHub,
    migrated: AtomicBool,
}

impl AppState {
    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }
    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }
    /// The GraphQL schema.
    pub fn schema(&self) -> &AppSchema {
        &self.inner.schema
    }
    /// The tracker service.
    pub fn tracker(&self) -> &domain::Tracker {
        &self.inner.tracker
    }
    /// The data file service.
    pub fn files(&self) -> &domain::files::DataFiles {
        &self.inner.files
    }
    /// Identity state: token keys, revocations, failure limits, OIDC providers.
    pub fn auth(&self) -> &auth::AuthState {
        &self.inner.auth
    }
    /// The change feed's hub (one poller per process for every live subscriber).
    pub fn feed(&self) -> &domain::feed_hub::FeedHub {
        &self.inner.feed
    }
    /// Whether migrations have been applied (or checked) since start.
    pub fn is_migrated(&self) -> bool {
        self.inner.migrated.load(Ordering::Acquire)
    }
    /// Marks migrations as applied.
    pub fn set_migrated(&self) {
        self.inner.migrated.store(true, Ordering::Release);
    }
    /// The statistics service.
    pub fn stats(&self) -> &Arc<stats::StatsService> {
        &self.inner.stats
    }
    /// This process among the instances sharing the database (statistics reloads, per-instance status).
    pub fn instances(&self) -> &Arc<instances::Instances> {
        &self.inner.instances
    }
    /// Whether a statistics frame is serving (for `/ready`).
    pub fn stats_frame_loaded(&self) -> bool {
        self.inner.stats.is_ready()
    }
}

/// The built service.
pub struct App {
    /// The router with every route and layer.
    pub router: Router,
    /// The shared state.
    pub state: AppState,
}

/// Why the app could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The MongoDB client could not be created (bad URI options).
    #[error("cannot create the MongoDB client: {0}")]
    Store(#[from] store::StoreError),
}

/// Builds the app from settings, creating the MongoDB client (it connects lazily).
pub async fn build_app(settings: Settings) -> Result<App, BuildError> {
    let store = Store::connect(settings.mongodb_uri.expose(), &settings.database).await?;
    Ok(build_app_with_store(settings, store))
}

/// Builds the app around an existing store (tests pass one with command monitoring).
pub fn build_app_with_store(settings: Settings, store: Store) -> App {
    let tracker = domain::Tracker::new(store.clone());
    let files = data_files(&settings, tracker.clone());
    let stats = Arc::new(stats::StatsService::new(stats_settings(&settings)));
    let instances = Arc::new(instances::Instances::new(store.clone(), stats.clone()));
    let audit = stats::audit::StatsAudit::new(&store, settings.stats.min_n);
    let stats_limit = graphql::StatsLimit {
        max_tables: settings.stats.protection.max_tables_per_request,
        timeout: settings.http.request_timeout,
    };
    let feed = domain::feed_hub::FeedHub::new(tracker.clone());
    let schema = graphql::build_schema(&settings.graphql)
        .extension(stats_limit)
        .data(tracker.clone())
        .data(files.clone())
        .data(stats.clone())
        .data(instances.clone())
        .data(audit)
        .data(feed.clone())
        .finish();
    let auth = auth::AuthState::new(&settings, store.clone());
    let state = AppState {
        inner: Arc::new(Inner {
            settings,
            store,
            schema,
            tracker,
            files,
            stats,
            instances,
            auth,
            feed,
            migrated: AtomicBool::new(false),
        }),
    };
    App { router: http::router(state.clone()), state }
}

/// The data file service for `settings`: the configured storage, URLs signed with a key derived from the
/// secret key.
pub fn data_files(settings: &Settings, tracker: domain::Tracker) -> domain::files::DataFiles {
    let limits = domain::files::FileLimits {
        max_upload: settings.files.max_upload_bytes,
        url_expiry: settings.files.url_expiry,
        url_max_expiry: settings.files.url_max_expiry,
        presigned_urls: matches!(&settings.files.backend, config::FilesBackend::S3(s3) if s3.downloads == config::S3Downloads::Presigned),
        redirect_ttl: match &settings.files.backend {
            config::FilesBackend::S3(s3) => s3.redirect_ttl,
            config::FilesBackend::Local { .. } => std::time::Duration::from_secs(30),
        },
    };
    domain::files::DataFiles::new(
        tracker,
        storage::open(&settings.files),
        settings.session.secret_key.expose(),
        settings.http.base_url.clone(),
        limits,
    )
}

/// The statistics engine's settings from the service's settings (allowed columns default to the seed's).
pub fn stats_settings(settings: &Settings) -> stats::StatsSettings {
    let defaults = stats::StatsSettings::default();
    let p = &settings.stats.protection;
    stats::StatsSettings {
        data_path: settings.stats.data_path.clone(),
        min_n: settings.stats.min_n,
        dimensions: settings.stats.dimensions.clone().unwrap_or(defaults.dimensions),
        measures: settings.stats.measures.clone().unwrap_or(defaults.measures),
        secret: stats::StatsSecret::new(p.secret.expose()),
        noise_max: p.noise_max,
        noise_variance: p.noise_variance,
        dominance_percent: p.dominance_percent,
        max_cells: p.max_cells,
        max_variables: p.max_variables,
        min_population: p.min_population,
        max_tables_per_request: p.max_tables_per_request,
        concurrency: p.concurrency,
        threads: p.threads,
    }
}

impl App {
    /// Loads (or reloads) the statistics frame on the blocking pool: the configured file, or a generated
    /// sample when none is configured. On failure the previous frame keeps serving.
    pub async fn load_stats_frame(state: &AppState) -> Result<stats::StatsStatus, stats::StatsError> {
        let svc = state.stats().clone();
        tokio::task::spawn_blocking(move || svc.reload())
            .await
            .map_err(|e| stats::StatsError::Load(format!("reload task failed: {e}")))?
    }

    /// Applies pending migrations (waiting up to a minute for another instance's lock), then marks ready.
    pub async fn migrate(&self) -> Result<Vec<String>, store::migrations::MigrationError> {
        let applied =
            store::migrations::migrate(self.state.store(), &store::migrations::embedded(), Duration::from_secs(60))
                .await?;
        store::sequence::count_tallies(self.state.store()).await?;
        self.state.set_migrated();
        Ok(applied)
    }

    /// Serves on `listener` until `shutdown` resolves; in-flight requests finish first.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let instances = self.state.instances().clone();
        if let Err(e) = instances.join().await {
            tracing::warn!(error = %e, "cannot record this instance; statistics reloads will follow once the database answers");
        }
        let follower = tokio::spawn(instances.run());
        let served = axum::serve(listener, self.router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
        follower.abort();
        served
    }
}
