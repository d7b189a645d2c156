//! The `datatracker` command: serve the API, migrate the database, print the schema, operate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

mod cli;

use datatracker::config::{Settings, Source};
use datatracker::store::migrations::{self, MigrationState};
use datatracker::store::Store;

/// Tracks orders, datasets and collections, and serves safe statistics, over GraphQL.
#[derive(Parser)]
#[command(name = "datatracker", version, about)]
struct Cli {
    /// TOML file with settings (keys as the variables without `DATATRACKER_`, lower case); the environment wins.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (applies pending migrations first unless --no-migrate).
    Serve {
        /// Do not apply pending migrations at start.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations.
    Migrate {
        /// List applied and pending migrations instead of applying them.
        #[arg(long)]
        status: bool,
    },
    /// Print the public GraphQL schema (SDL), as checked in at schema.graphql.
    Schema,
    /// Write a synthetic questionnaire frame (schools, classes, students, waves, PHQ-9 items) as CSV or Parquet.
    SampleData {
        /// Number of students.
        #[arg(long, default_value_t = 2000)]
        students: usize,
        /// Number of waves.
        #[arg(long, default_value_t = 3)]
        waves: usize,
        /// Random seed (the same seed gives the same file).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output file; `.csv` or `.parquet`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Manage users (the first administrator, API keys); acts as `system` in the logs.
    Users(cli::UsersArgs),
    /// Pull every entity an API key may see into JSON lines and Parquet, then only the changes.
    Extract(datatracker::extract::ExtractArgs),
}

fn load_settings(config: Option<&std::path::Path>) -> Result<Settings, ExitCode> {
    let source = Source::from_env(config).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })?;
    Settings::from_source(&source).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

async fn run(cli: Cli) -> Result<(), ExitCode> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Extract(args) => match datatracker::extract::main(args).await {
            0 => Ok(()),
            code => Err(ExitCode::from(code)),
        },
        Command::Schema => {
            print!("{}", datatracker::graphql::public_sdl());
            Ok(())
        }
        Command::SampleData { students, waves, seed, out } => {
            if students == 0 || waves == 0 {
                eprintln!("error: --students and --waves must be at least 1");
                return Err(ExitCode::from(2));
            }
            let rows = datatracker::stats::generate::write_sample(&out, students, waves, seed).map_err(fail)?;
            println!("wrote {rows} rows ({students} students, {waves} waves, seed {seed}) to {}", out.display());
            Ok(())
        }
        Command::Migrate { status } => {
            let settings = load_settings(config)?;
            datatracker::telemetry::init(settings.log_format);
            let store = Store::connect(settings.mongodb_uri.expose(), &settings.database).await.map_err(fail)?;
            store.wait_until_reachable(Duration::from_secs(30)).await.map_err(fail)?;
            let all = migrations::embedded();
            if status {
                for m in migrations::status(&store, &all).await.map_err(fail)? {
                    match m.state {
                        MigrationState::Applied(at) => println!("applied  {}  {at}", m.name),
                        MigrationState::Pending => println!("pending  {}", m.name),
                    }
                }
            } else {
                let applied = migrations::migrate(&store, &all, Duration::from_secs(60)).await.map_err(fail)?;
                println!(
                    "applied {} migration(s){}",
                    applied.len(),
                    if applied.is_empty() { String::new() } else { format!(": {}", applied.join(", ")) }
                );
            }
            Ok(())
        }
        Command::Users(args) => {
            let settings = load_settings(config)?;
            let migrate = settings.auto_migrate;
            let app = datatracker::build_app(settings).await.map_err(fail)?;
            app.state.store().wait_until_reachable(Duration::from_secs(30)).await.map_err(fail)?;
            if migrate {
                app.migrate().await.map_err(fail)?;
            }
            cli::run(app.state.tracker(), args).await.map_err(fail)
        }
        Command::Serve { no_migrate } => {
            let settings = load_settings(config)?;
            datatracker::telemetry::init(settings.log_format);
            serve(settings, !no_migrate).await
        }
    }
}

fn fail(err: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {err}");
    ExitCode::FAILURE
}

async fn serve(settings: Settings, migrate: bool) -> Result<(), ExitCode> {
    let migrate = migrate && settings.auto_migrate;
    let bind = settings.http.bind;
    let base_url = settings.http.base_url.clone();
    let refresh = Duration::from_secs(3600 * settings.stats.refresh_hours);
    match (&settings.stats.data_path, settings.local_mode) {
        (None, true) => tracing::info!("no DATATRACKER_DATA_PATH: serving a generated sample frame"),
        (None, false) => tracing::warn!("DATATRACKER_DATA_PATH is not set: serving a generated sample frame"),
        (Some(_), _) => {}
    }
    let local_mode = settings.local_mode;
    let app = datatracker::build_app(settings).await.map_err(fail)?;
    let listener =
        tokio::net::TcpListener::bind(bind).await.map_err(|e| fail(format!("cannot listen on {bind}: {e}")))?;
    let state = app.state.clone();
    let (fatal_tx, mut fatal_rx) = tokio::sync::mpsc::channel::<String>(1);
    tokio::spawn(async move {
        if let Err(e) = state.store().wait_until_reachable(Duration::from_secs(600)).await {
            let _ = fatal_tx.send(format!("MongoDB is unreachable: {e}")).await;
            return;
        }
        if migrate {
            match migrations::migrate(state.store(), &migrations::embedded(), Duration::from_secs(60)).await {
                Ok(applied) => tracing::info!(count = applied.len(), "migrations up to date"),
                Err(e) => {
                    let _ = fatal_tx.send(format!("migration failed: {e}")).await;
                    return;
                }
            }
        }
        if local_mode {
            match datatracker::auth::bootstrap::ensure_local_admin(state.tracker()).await {
                Ok(Some((_, key))) => {
                    let graphiql = format!("{}graphiql", state.settings().http.base_url);
                    eprintln!("{}", datatracker::auth::bootstrap::first_run_banner(&key, &graphiql));
                }
                Ok(None) => tracing::info!("local administrator exists"),
                Err(e) => tracing::error!(error = %e, "cannot create the local administrator"),
            }
        }
        state.set_migrated();
        reload_frame(&state, "start").await;
        tracing::info!("ready");
    });
    spawn_frame_refresh(app.state.clone(), refresh);
    tracing::info!(%bind, app = %base_url, graphiql = %format!("{base_url}graphiql"), "listening");
    eprintln!("datatracker listening on {bind}; web app: {base_url} ; GraphiQL: {base_url}graphiql");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(listener, async move {
        let _ = stop_rx.await;
    }));
    let fatal = tokio::select! {
        _ = shutdown_signal() => None,
        Some(msg) = fatal_rx.recv() => Some(msg),
    };
    tracing::info!("shutting down; waiting for in-flight requests");
    let _ = stop_tx.send(());
    let _ = server.await;
    match fatal {
        Some(msg) => {
            tracing::error!(error = %msg, "stopped");
            eprintln!("error: {msg}");
            Err(ExitCode::FAILURE)
        }
        None => Ok(()),
    }
}

async fn reload_frame(state: &datatracker::AppState, why: &str) {
    match datatracker::App::load_stats_frame(state).await {
        Ok(status) => {
            tracing::info!(why, rows = status.rows, students = status.students, source = ?status.source, "statistics frame loaded")
        }
        Err(e) => {
            tracing::error!(why, error = %e, "statistics frame not loaded; the previous frame (if any) keeps serving")
        }
    }
}

/// Reloads the frame every `period` and on SIGHUP.
fn spawn_frame_refresh(state: datatracker::AppState, period: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.tick().await;
        #[cfg(unix)]
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        loop {
            #[cfg(unix)]
            let hangup = async {
                match hup.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            #[cfg(not(unix))]
            let hangup = std::future::pending::<()>();
            let why = tokio::select! {
                _ = ticker.tick() => "schedule",
                _ = hangup => "SIGHUP",
            };
            reload_frame(&state, why).await;
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
