//! Progress on stderr (a bar per type on a terminal, a log line every few seconds otherwise) and the
//! summary at the end (a table, or JSON with `--json`).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde::Serialize;

use super::entity::EntityType;

/// Seconds between log lines when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// Progress display of one run.
pub struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    /// Bars when stderr is a terminal, log lines otherwise.
    pub fn new() -> Self {
        Self { multi: std::io::stderr().is_terminal().then(MultiProgress::new) }
    }

    /// The display of one type in one phase (`paging`, `changes`).
    pub fn bar(&self, name: &str, phase: &str) -> TypeBar {
        let bar = self.multi.as_ref().map(|m| {
            let b = m.add(ProgressBar::no_length());
            let style = ProgressStyle::with_template("{prefix:>12} {spinner} {pos} {msg} ({per_sec}, {elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            b.set_style(style);
            b.set_prefix(name.to_string());
            b.set_message(phase.to_string());
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        TypeBar {
            bar,
            label: format!("{name} {phase}"),
            count: AtomicU64::new(0),
            start: Instant::now(),
            last_log: Mutex::new(Instant::now()),
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// One type's progress.
pub struct TypeBar {
    bar: Option<ProgressBar>,
    label: String,
    count: AtomicU64,
    start: Instant,
    last_log: Mutex<Instant>,
}

impl TypeBar {
    /// Sets the count (a resumed type).
    pub fn set(&self, n: u64) {
        self.count.store(n, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.set_position(n);
        }
    }

    /// Adds `n` items.
    pub fn inc(&self, n: u64) {
        let total = self.count.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(b) = &self.bar {
            b.set_position(total);
            return;
        }
        if let Ok(mut last) = self.last_log.lock() {
            if last.elapsed() >= LOG_EVERY {
                *last = Instant::now();
                let secs = self.start.elapsed().as_secs_f64().max(0.001);
                eprintln!("extract: {}: {total} ({:.0}/s)", self.label, total as f64 / secs);
            }
        }
    }

    /// Ends the display.
    pub fn finish(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.finish_with_message(msg.to_string());
        }
    }
}

/// Per type counts of a run.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct TypeSummary {
    /// Entities read from the lists plus changes read from the feed.
    pub fetched: u64,
    /// Entities written new or changed by changes (a first run: every entity).
    pub upserted: u64,
    /// Entities removed (deleted, or no longer visible to the key).
    pub deleted: u64,
    /// Entities in the output now.
    pub rows: Option<u64>,
    /// Whether the key may not list this type (left out).
    pub forbidden: bool,
}

/// The summary of a run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// `full` (paged everything) or `incremental`.
    pub mode: String,
    /// The feed position the output is current to.
    pub position: String,
    /// Seconds.
    pub seconds: f64,
    /// Per type.
    pub types: BTreeMap<EntityType, TypeSummary>,
}

impl Summary {
    /// The summary as a table.
    pub fn table(&self) -> String {
        let mut s = format!("{:<12} {:>10} {:>10} {:>10} {:>10}\n", "type", "fetched", "upserted", "deleted", "rows");
        for (t, c) in &self.types {
            let rows = if c.forbidden {
                "forbidden".to_string()
            } else {
                c.rows.map(|r| r.to_string()).unwrap_or_else(|| "-".into())
            };
            s.push_str(&format!(
                "{:<12} {:>10} {:>10} {:>10} {:>10}\n",
                t.name(),
                c.fetched,
                c.upserted,
                c.deleted,
                rows
            ));
        }
        s.push_str(&format!(
            "{} extract to feed position {} in {:.2} s\n",
            self.mode,
            if self.position.is_empty() { "(start)" } else { &self.position },
            self.seconds
        ));
        s
    }
}
