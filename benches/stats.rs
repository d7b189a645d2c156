//! Benchmark of the statistics engine: `cargo bench --bench stats` (release build).
//!
//! Generates frames of about 100k and 1M rows (students × 10 waves), writes them as CSV and Parquet, and
//! prints load times, memory, p50/p95 per query kind (plain and with a scope and a filter) and the throughput
//! of 1 and 2 concurrent clients. Default: 14,400 and 144,000 students (about 100k and 1M rows); set `STATS_BENCH_SIZES=12000,120000` (students) to change the sizes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use datatracker::stats::generate::write_sample;
use datatracker::stats::{Filter, FrequencyInput, MeansInput, StatsService, StatsSettings, WaveChangeInput};

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

type Query = Box<dyn Fn(&StatsService) + Send + Sync>;

fn queries(scope: Vec<Filter>, filters: Vec<Filter>) -> Vec<(&'static str, Query)> {
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
        (
            "frequency [school]",
            Box::new(move |s: &StatsService| {
                s.frequency(&s1, &f1).unwrap();
            }),
        ),
        (
            "frequency [school,yearGroup] x sex",
            Box::new(move |s: &StatsService| {
                s.frequency(&s2, &f2).unwrap();
            }),
        ),
        (
            "means phq9_1..9 by [school,wave]",
            Box::new(move |s: &StatsService| {
                s.means(&s3, &m).unwrap();
            }),
        ),
        (
            "wave change 1->2 phq9 by [school]",
            Box::new(move |s: &StatsService| {
                s.wave_change(&s4, &w).unwrap();
            }),
        ),
    ]
}

fn throughput(svc: &Arc<StatsService>, qs: &Arc<Vec<(&'static str, Query)>>, threads: usize) -> f64 {
    let per_thread = 40;
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (svc, qs) = (Arc::clone(svc), Arc::clone(qs));
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    (qs[i % qs.len()].1)(&svc);
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
    let sizes: Vec<usize> = std::env::var("STATS_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![14_400, 144_000]);
    let dir = tempfile::tempdir().unwrap();
    for students in sizes {
        let csv = dir.path().join(format!("f{students}.csv"));
        let parquet = dir.path().join(format!("f{students}.parquet"));
        let rows = write_sample(&csv, students, 10, 1).unwrap();
        write_sample(&parquet, students, 10, 1).unwrap();
        println!("\n== {students} students x 10 waves = {rows} rows ==");
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
                "load {:<8} p50 {p50:8.1} ms  (file {:.1} MB)",
                path.extension().unwrap().to_string_lossy(),
                size as f64 / 1e6
            );
        }
        let before = rss_bytes();
        let svc = Arc::new(StatsService::new(StatsSettings::default()));
        svc.reload_from(&parquet).unwrap();
        let after = rss_bytes();
        let frame = svc.frame().unwrap();
        println!(
            "memory: frame {:.1} MB, Arrow size of source columns {:.1} MB (ratio {:.2}), RSS delta after load {:.1} MB",
            frame.heap_bytes() as f64 / 1e6,
            frame.source_arrow_bytes() as f64 / 1e6,
            frame.heap_bytes() as f64 / frame.source_arrow_bytes() as f64,
            after.saturating_sub(before) as f64 / 1e6
        );
        let school = frame.dimensions()[frame.dim_index("school").unwrap()].categories[0].clone();
        drop(frame);
        let scope = vec![Filter { column: "school".into(), values: vec![school] }];
        let filter = vec![Filter { column: "sex".into(), values: vec!["F".into()] }];
        let reps = if rows > 500_000 { 25 } else { 100 };
        for (label, qs) in [("", queries(vec![], vec![])), (" +scope+filter", queries(scope, filter))] {
            for (name, q) in &qs {
                q(&svc);
                let times: Vec<Duration> = (0..reps)
                    .map(|_| {
                        let t = Instant::now();
                        q(&svc);
                        t.elapsed()
                    })
                    .collect();
                let (p50, p95) = percentiles(times);
                println!("{:<48} p50 {p50:7.2} ms  p95 {p95:7.2} ms", format!("{name}{label}"));
            }
        }
        let qs = Arc::new(queries(vec![], vec![]));
        let one = throughput(&svc, &qs, 1);
        let two = throughput(&svc, &qs, 2);
        println!("throughput: 1 client {one:.1} q/s, 2 clients {two:.1} q/s (x{:.2})", two / one);
    }
}
