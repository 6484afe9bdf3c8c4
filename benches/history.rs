//! GPU history costs (DESIGN §8): writing one window of 8 GPUs, and the 24 h / 7 d chart
//! queries on 30 days of history for 8 GPUs, plus the file size per GPU-month.

use criterion::{Criterion, criterion_group, criterion_main};
use sparkdeck::metrics::{MinAvgMax, WindowStats};
use sparkdeck::store::history::{FINE_KEEP_S, ROLLUP_S};
use sparkdeck::store::{Metric, Store};
use std::cell::Cell;
use std::hint::black_box;

const GPUS: u32 = 8;
const HOST: &str = "spark-01";
/// "Now" for the generated data, a multiple of 300.
const NOW: i64 = 1_790_000_100;
/// Points of a chart as wide as a 240-column terminal.
const POINTS: usize = 240;

fn mam(v: f64, spread: f64) -> Option<MinAvgMax> {
    Some(MinAvgMax {
        min: (v - spread).max(0.0),
        avg: v,
        max: v + spread,
    })
}

/// A window with values that vary like real ones, so SQLite cannot pack them all as
/// constants.
fn window(gpu: u32, start: i64, window_s: i64) -> WindowStats {
    let phase = ((start / window_s) as f64 * 0.37 + f64::from(gpu)).sin();
    WindowStats {
        gpu_index: gpu,
        gpu_uuid: Some(format!("GPU-6f1c2a9e-3b7d-4c55-9e0a-1d2f3a4b5c{gpu:02}")),
        window_start: start,
        window_s,
        samples: (window_s / 2) as u32,
        utilization_pct: mam(50.0 + 45.0 * phase, 4.0),
        memory_used_bytes: mam((40.0 + 20.0 * phase) * 1024.0 * 1024.0 * 1024.0, 1e8),
        temperature_c: mam(60.0 + 15.0 * phase, 2.0),
        power_w: mam(150.0 + 100.0 * phase, 20.0),
        clock_mhz: mam(1800.0 + 400.0 * phase, 100.0),
    }
}

/// 30 days × 8 GPUs as retention leaves it: 300 s windows for days 30..2 back, and the last
/// 48 h written through `record_windows` in 20 s windows (which also writes their roll-ups).
fn fill(store: &Store) {
    let coarse: Vec<WindowStats> = (NOW - 30 * 86_400..NOW - FINE_KEEP_S)
        .step_by(ROLLUP_S as usize)
        .flat_map(|start| (0..GPUS).map(move |g| window(g, start, ROLLUP_S)))
        .collect();
    store.record_windows(HOST, &coarse).unwrap();
    for hour in 0..48 {
        let from = NOW - FINE_KEEP_S + hour * 3600;
        let fine: Vec<WindowStats> = (from..from + 3600)
            .step_by(20)
            .flat_map(|start| (0..GPUS).map(move |g| window(g, start, 20)))
            .collect();
        store.record_windows(HOST, &fine).unwrap();
    }
}

fn history(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparkdeck.db");
    let store = Store::open(&path).unwrap();
    fill(&store);
    drop(store);
    let store = Store::open(&path).unwrap();
    let rows = store.export(None, 0).unwrap();
    let fine = rows.iter().filter(|r| r.window_s == 20).count();
    let bytes = std::fs::metadata(&path).unwrap().len()
        + std::fs::metadata(dir.path().join("sparkdeck.db-wal")).map_or(0, |m| m.len());
    eprintln!(
        "history: {} rows ({fine} of 20 s, {} of 300 s) for {GPUS} GPUs over 30 days; \
         database {bytes} bytes = {:.2} MB per GPU-month",
        rows.len(),
        rows.len() - fine,
        bytes as f64 / f64::from(GPUS) / 1e6
    );
    drop(rows);

    let mut group = c.benchmark_group("history");
    group.sample_size(20);
    for (name, range) in [
        ("1h", 3600),
        ("6h", 6 * 3600),
        ("24h", 86_400),
        ("7d", 7 * 86_400),
    ] {
        group.bench_function(format!("query_{name}_one_gpu"), |b| {
            b.iter(|| {
                let points = store
                    .history(HOST, 3, Metric::Temperature, NOW - range, NOW, POINTS)
                    .unwrap();
                black_box(points)
            })
        });
    }
    for (name, range) in [("24h", 86_400), ("7d", 7 * 86_400)] {
        group.bench_function(format!("query_{name}_all_8_gpus"), |b| {
            b.iter(|| {
                for gpu in 0..GPUS {
                    let points = store
                        .history(HOST, gpu, Metric::Utilization, NOW - range, NOW, POINTS)
                        .unwrap();
                    black_box(points);
                }
            })
        });
    }
    for (name, range) in [("24h", 86_400), ("7d", 7 * 86_400)] {
        group.bench_function(format!("query_{name}_all_8_gpus_one_pass"), |b| {
            b.iter(|| {
                let gpus = store
                    .history_all_gpus(HOST, Metric::Utilization, NOW - range, NOW, POINTS)
                    .unwrap();
                black_box(gpus)
            })
        });
    }
    let next = Cell::new(NOW);
    group.bench_function("insert_one_window_8_gpus", |b| {
        b.iter(|| {
            let start = next.get();
            next.set(start + 20);
            let windows: Vec<WindowStats> = (0..GPUS).map(|g| window(g, start, 20)).collect();
            store.record_windows(HOST, &windows).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, history);
criterion_main!(benches);
