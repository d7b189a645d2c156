//! Benchmark of the statistics engine on a national-cohort frame: `cargo bench --bench stats` (release).
//!
//! Generates 200,000 students × 5 waves (about 1M rows) in about 450 schools (`STATS_BENCH_STUDENTS`,
//! `STATS_BENCH_WAVES`, `STATS_BENCH_SCHOOLS` change it; `STATS_BENCH_REPS` the repetitions), writes it as CSV and Parquet, and prints load times,
//! memory, then per table type the p50/p95 of the protected table (cell-key perturbation on) and of the same
//! table admitted by the differencing audit (MongoDB: `MONGODB_URI`, or a local SecantusDB server), and the
//! audit's bytes per table; then the throughput of 1 and 2 concurrent clients.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/localdb.rs"]
mod localdb;

use std::sync::Arc;
use std::time::{Duration, Instant};

use datatracker::stats::audit::StatsAudit;
use datatracker::stats::generate::{generate_with_schools, write_dataframe};
use datatracker::stats::{
    Filter, FrequencyInput, MeansInput, StatsService, StatsSettings, StatsTable, WaveChangeInput,
};

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.95))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

type Query = Box<dyn Fn(&StatsService) -> StatsTable + Send + Sync>;

fn queries(scope: Vec<Filter>, filters: Vec<Filter>) -> Vec<(&'static str, &'static str, Query)> {
    let items: Vec<String> = (1..=9).map(|i| format!("phq9_{i}")).collect();
    let (s1, s2, s3, s4) = (scope.clone(), scope.clone(), scope.clone(), scope);
    let f1 = FrequencyInput { group_by: strings(&["school"]), value_column: None, filters: filters.clone() };
    let f2 = FrequencyInput {
        group_by: strings(&["school", "yearGroup"]),
        value_column: Some("sex".into()),
        filters: filters.clone(),
    };
    let m =
        MeansInput { group_by: strings(&["school", "wave"]), value_columns: items.clone(), filters: filters.clone() };
    let w = WaveChangeInput {
        from_wave: "1".into(),
        to_wave: "2".into(),
        group_by: strings(&["school"]),
        value_columns: items,
        filters,
    };
    vec![
        ("frequency [school]", "frequency", Box::new(move |s: &StatsService| s.frequency(&s1, &f1).unwrap())),
        (
            "frequency [school,yearGroup] x sex",
            "frequency",
            Box::new(move |s: &StatsService| s.frequency(&s2, &f2).unwrap()),
        ),
        ("means phq9_1..9 by [school,wave]", "means", Box::new(move |s: &StatsService| s.means(&s3, &m).unwrap())),
        (
            "wave change 1->2 phq9 by [school]",
            "waveChange",
            Box::new(move |s: &StatsService| s.wave_change(&s4, &w).unwrap()),
        ),
    ]
}

fn throughput(svc: &Arc<StatsService>, qs: &Arc<Vec<(&'static str, &'static str, Query)>>, threads: usize) -> f64 {
    let per_thread = 20;
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (svc, qs) = (Arc::clone(svc), Arc::clone(qs));
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    (qs[i % qs.len()].2)(&svc);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    (threads * per_thread) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let students = env_usize("STATS_BENCH_STUDENTS", 200_000);
    let waves = env_usize("STATS_BENCH_WAVES", 5);
    let schools = env_usize("STATS_BENCH_SCHOOLS", 450);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cohort.csv");
    let parquet = dir.path().join("cohort.parquet");
    let mut df = generate_with_schools(students, waves, schools, 1).to_dataframe().unwrap();
    write_dataframe(&csv, &mut df).unwrap();
    write_dataframe(&parquet, &mut df).unwrap();
    let rows = df.height();
    drop(df);
    println!("\n== {students} students x {waves} waves in {schools} schools = {rows} rows ==");
    for path in [&csv, &parquet] {
        let times: Vec<Duration> = (0..3)
            .map(|_| {
                let svc = StatsService::new(StatsSettings::default());
                let t = Instant::now();
                svc.reload_from(path).unwrap();
                t.elapsed()
            })
            .collect();
        let (p50, _) = percentiles(times);
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "load {:<8} p50 {p50:8.1} ms  (file {:.1} MB, record keys included)",
            path.extension().unwrap().to_string_lossy(),
            size as f64 / 1e6
        );
    }
    let before = rss_bytes();
    // Threads per table: STATS_BENCH_THREADS (default: the engine's default).
    let threads = env_usize("STATS_BENCH_THREADS", StatsSettings::default().threads);
    println!("threads per table: {threads}");
    let svc = Arc::new(StatsService::new(StatsSettings { threads, ..StatsSettings::default() }));
    svc.reload_from(&parquet).unwrap();
    let after = rss_bytes();
    let frame = svc.frame().unwrap();
    println!(
        "memory: frame {:.1} MB, Arrow size of source columns {:.1} MB, RSS delta after load {:.1} MB",
        frame.heap_bytes() as f64 / 1e6,
        frame.source_arrow_bytes() as f64 / 1e6,
        after.saturating_sub(before) as f64 / 1e6
    );
    let school = frame.dimensions()[frame.dim_index("school").unwrap()].categories[0].clone();
    drop(frame);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let uri = std::env::var("MONGODB_URI").ok().filter(|u| !u.is_empty()).unwrap_or_else(localdb::start_local_server);
    let db = format!("dt_bench_stats_{}", uuid::Uuid::new_v4().simple());
    let store = runtime.block_on(datatracker::store::Store::connect(&uri, &db)).unwrap();
    runtime
        .block_on(datatracker::store::migrations::migrate(
            &store,
            &datatracker::store::migrations::embedded(),
            Duration::from_secs(60),
        ))
        .unwrap();
    let audit = StatsAudit::new(&store, 5);

    let scope = vec![Filter { column: "school".into(), values: vec![school] }];
    let filter = vec![Filter { column: "sex".into(), values: vec!["F".into()] }];
    let reps = env_usize("STATS_BENCH_REPS", 25);
    for (label, qs) in [("", queries(vec![], vec![])), (" +scope+filter", queries(scope, filter))] {
        for (name, kind, q) in &qs {
            let first = q(&svc);
            let bytes = first.population().serialized_size();
            let t = Instant::now();
            runtime.block_on(audit.admit(&first, kind)).unwrap();
            let first_audit = t.elapsed().as_secs_f64() * 1e3;
            let mut engine = Vec::new();
            let mut total = Vec::new();
            for _ in 0..reps {
                let t = Instant::now();
                let table = q(&svc);
                engine.push(t.elapsed());
                runtime.block_on(audit.admit(&table, kind)).unwrap();
                total.push(t.elapsed());
            }
            let (p50, p95) = percentiles(engine);
            let (a50, a95) = percentiles(total);
            println!(
                "{:<44} p50 {p50:7.2} ms  p95 {p95:7.2} ms | with audit p50 {a50:7.2} ms  p95 {a95:7.2} ms | \
                 first audit {first_audit:6.2} ms, {bytes} bytes",
                format!("{name}{label}")
            );
        }
    }
    let qs = Arc::new(queries(vec![], vec![]));
    let one = throughput(&svc, &qs, 1);
    let two = throughput(&svc, &qs, 2);
    println!("throughput (engine): 1 client {one:.1} q/s, 2 clients {two:.1} q/s (x{:.2})", two / one);
}
