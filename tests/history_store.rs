//! GPU history on a real SQLite file: windows in, chart points out, tiers, prune, export.

use sparkdeck::metrics::{MinAvgMax, WindowAccumulator, WindowStats};
use sparkdeck::model::GpuSample;
use sparkdeck::store::history::{FINE_KEEP_S, ROLLUP_S};
use sparkdeck::store::{HistoryPoint, Metric, Store};

/// A multiple of 300 (and so of 20).
const T0: i64 = 1_790_000_100;
const GIB: u64 = 1 << 30;

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sparkdeck.db")).unwrap();
    (dir, store)
}

fn mam(min: f64, avg: f64, max: f64) -> Option<MinAvgMax> {
    Some(MinAvgMax { min, avg, max })
}

/// A 20 s window of GPU `gpu` whose utilisation is `util` (min = max = avg) unless given.
fn window(gpu: u32, start: i64, util: Option<MinAvgMax>) -> WindowStats {
    WindowStats {
        gpu_index: gpu,
        gpu_uuid: Some(format!("GPU-{gpu}")),
        window_start: start,
        window_s: 20,
        samples: 10,
        utilization_pct: util,
        memory_used_bytes: mam(GIB as f64, 1.5 * GIB as f64, 2.0 * GIB as f64),
        temperature_c: None,
        power_w: mam(11.17, 20.5, 98.0),
        clock_mhz: mam(500.0, 1800.0, 2400.0),
    }
}

fn values(points: &[HistoryPoint]) -> Vec<(f64, f64, f64)> {
    points.iter().map(|p| (p.min, p.avg, p.max)).collect()
}

fn point(t: i64, min: f64, avg: f64, max: f64) -> HistoryPoint {
    HistoryPoint { t, min, avg, max }
}

#[test]
fn accumulated_samples_round_trip_with_concrete_values() {
    let (_dir, store) = open();
    let mut acc = WindowAccumulator::new(20);
    for (i, util) in [(0, 10.0), (2, 95.0), (4, 30.0)] {
        let s = GpuSample {
            index: 0,
            uuid: Some("GPU-6f1c".into()),
            utilization_pct: Some(util),
            memory_used_bytes: None,
            temperature_c: Some(40.0 + f64::from(i)),
            power_w: Some(45.25),
            clock_graphics_mhz: Some(1980),
            ..GpuSample::default()
        };
        acc.push(T0 as f64 + f64::from(i), &[s]);
    }
    store
        .record_windows("spark-01", &acc.take_due(T0 as f64 + 20.0))
        .unwrap();

    let util = store
        .history("spark-01", 0, Metric::Utilization, T0, T0 + 3600, 180)
        .unwrap();
    assert_eq!(util, [point(T0, 10.0, 45.0, 95.0)]);
    let temp = store
        .history("spark-01", 0, Metric::Temperature, T0, T0 + 3600, 180)
        .unwrap();
    assert_eq!(temp, [point(T0, 40.0, 42.0, 44.0)]);
    let power = store
        .history("spark-01", 0, Metric::Power, T0, T0 + 3600, 180)
        .unwrap();
    assert_eq!(power, [point(T0, 45.25, 45.25, 45.25)]);
    // Unknown memory stays unknown: no point at all rather than a 0.
    let mem = store
        .history("spark-01", 0, Metric::MemoryUsed, T0, T0 + 3600, 180)
        .unwrap();
    assert!(mem.is_empty(), "{mem:?}");
    // Other hosts and GPUs are not mixed in.
    assert!(
        store
            .history("spark-02", 0, Metric::Utilization, T0, T0 + 3600, 180)
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .history("spark-01", 1, Metric::Utilization, T0, T0 + 3600, 180)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn units_convert_back_from_mib_and_milliwatts() {
    let (_dir, store) = open();
    store
        .record_windows("h", &[window(3, T0, mam(1.0, 2.0, 3.0))])
        .unwrap();
    let mem = store
        .history("h", 3, Metric::MemoryUsed, T0, T0 + 60, 10)
        .unwrap();
    assert_eq!(
        mem,
        [point(T0, GIB as f64, 1.5 * GIB as f64, 2.0 * GIB as f64)]
    );
    let power = store
        .history("h", 3, Metric::Power, T0, T0 + 60, 10)
        .unwrap();
    assert_eq!(power, [point(T0, 11.17, 20.5, 98.0)]);
    let clock = store
        .history("h", 3, Metric::Clock, T0, T0 + 60, 10)
        .unwrap();
    assert_eq!(clock, [point(T0, 500.0, 1800.0, 2400.0)]);
}

#[test]
fn downsampling_returns_at_most_points_buckets_with_true_min_and_max() {
    let (_dir, store) = open();
    // One hour of 20 s windows: utilisation i % 50 with a single spike of 100 at window 97
    // and a single dip to 0 at window 33.
    let windows: Vec<WindowStats> = (0..180)
        .map(|i| {
            let v = match i {
                97 => 100.0,
                33 => 0.0,
                _ => f64::from(i % 50) + 1.0,
            };
            window(0, T0 + i64::from(i) * 20, mam(v, v, v))
        })
        .collect();
    store.record_windows("h", &windows).unwrap();
    for points in [1, 2, 7, 60, 179, 180, 500] {
        let got = store
            .history("h", 0, Metric::Utilization, T0, T0 + 3600, points)
            .unwrap();
        assert!(
            got.len() <= points,
            "{points} points asked, {} returned",
            got.len()
        );
        assert!(!got.is_empty());
        let max = got.iter().map(|p| p.max).fold(f64::MIN, f64::max);
        let min = got.iter().map(|p| p.min).fold(f64::MAX, f64::min);
        assert_eq!((min, max), (0.0, 100.0), "peaks lost at {points} points");
        assert!(got.windows(2).all(|w| w[0].t < w[1].t), "ordered by time");
        assert!(got.iter().all(|p| p.t >= T0 && p.t < T0 + 3600));
    }
    // Enough points: one per window, exact.
    let all = store
        .history("h", 0, Metric::Utilization, T0, T0 + 3600, 500)
        .unwrap();
    assert_eq!(all.len(), 180);
    assert_eq!(all[97], point(T0 + 97 * 20, 100.0, 100.0, 100.0));
    // 60 s buckets (3 windows each): the bucket holding window 97 (windows 96..=98).
    let by_minute = store
        .history("h", 0, Metric::Utilization, T0, T0 + 3600, 61)
        .unwrap();
    let spike = by_minute.iter().find(|p| p.max == 100.0).unwrap();
    assert_eq!(
        *spike,
        point(T0 + 96 * 20, 47.0, (47.0 + 100.0 + 49.0) / 3.0, 100.0)
    );
}

#[test]
fn rollups_follow_the_fine_windows_and_long_ranges_read_them() {
    let (_dir, store) = open();
    // 15 windows (300 s): GPU 0 utilisation 10..=150 step 10 → min 10, max 150, mean 80; in
    // two batches, so the roll-up is refreshed rather than written once.
    let all: Vec<WindowStats> = (0..15)
        .map(|i| {
            let v = f64::from(i + 1) * 10.0;
            window(0, T0 + i64::from(i) * 20, mam(v, v, v))
        })
        .collect();
    store.record_windows("h", &all[..4]).unwrap();
    let partial = store
        .history("h", 0, Metric::Utilization, T0 - 7 * 86_400, T0 + 600, 100)
        .unwrap();
    assert_eq!(values(&partial), [(10.0, 25.0, 40.0)]);
    // Buckets are aligned to multiples of their width, so the point starts at or before T0.
    assert!(partial[0].t <= T0 && partial[0].t > T0 - 7 * 86_400 / 99);
    store.record_windows("h", &all[4..]).unwrap();
    // 7 d and 24 h ranges read the 300 s tier: one row for the 15 windows.
    let week = store
        .history(
            "h",
            0,
            Metric::Utilization,
            T0 - 7 * 86_400 + 600,
            T0 + 600,
            100,
        )
        .unwrap();
    assert_eq!(values(&week), [(10.0, 80.0, 150.0)]);
    let day = store
        .history(
            "h",
            0,
            Metric::Utilization,
            T0 - 86_400 + 600,
            T0 + 600,
            2000,
        )
        .unwrap();
    assert_eq!(day, [point(T0, 10.0, 80.0, 150.0)], "300 s buckets: exact");
    // Up to 6 h the 20 s windows are read: with enough points, one point per window.
    let six_h = store
        .history("h", 0, Metric::Utilization, T0, T0 + 6 * 3600, 2000)
        .unwrap();
    assert_eq!(six_h.len(), 15);
    assert_eq!(six_h[14], point(T0 + 280, 150.0, 150.0, 150.0));
    // The roll-up is a real row of the 300 s tier (what export shows).
    let rows = store.export(Some("h"), T0).unwrap();
    let rollup: Vec<_> = rows.iter().filter(|r| r.window_s == ROLLUP_S).collect();
    assert_eq!(rollup.len(), 1);
    assert_eq!(
        (rollup[0].window_start, rollup[0].window_end),
        (T0, T0 + 300)
    );
    assert_eq!(
        (
            rollup[0].util_pct_min,
            rollup[0].util_pct_avg,
            rollup[0].util_pct_max
        ),
        (Some(10), Some(80), Some(150))
    );
    assert_eq!(rollup[0].temp_c_max, None, "NULL stays NULL in the roll-up");
    assert_eq!(rows.iter().filter(|r| r.window_s == 20).count(), 15);
}

#[test]
fn a_window_written_twice_keeps_both_peaks() {
    let (_dir, store) = open();
    store
        .record_windows("h", &[window(0, T0, mam(20.0, 30.0, 90.0))])
        .unwrap();
    store
        .record_windows("h", &[window(0, T0, mam(5.0, 50.0, 60.0))])
        .unwrap();
    store.record_windows("h", &[window(0, T0, None)]).unwrap();
    let got = store
        .history("h", 0, Metric::Utilization, T0, T0 + 20, 10)
        .unwrap();
    assert_eq!(got, [point(T0, 5.0, 40.0, 90.0)]);
}

#[test]
fn prune_removes_fine_rows_after_48h_and_everything_after_retention() {
    let (_dir, store) = open();
    let now = T0 + 40 * 86_400;
    // Windows 31 days, 3 days and 1 hour old, each with its roll-up.
    let ages = [31 * 86_400, 3 * 86_400, 3600];
    for age in ages {
        store
            .record_windows("h", &[window(0, now - age, mam(50.0, 50.0, 50.0))])
            .unwrap();
    }
    assert_eq!(store.export(None, 0).unwrap().len(), 6);
    // Fine row of 3 days and the 31-day-old fine row and roll-up go; 4 rows.
    let deleted = store.prune_at(now, 30).unwrap();
    assert_eq!(deleted, 3);
    let left: Vec<(i64, i64)> = store
        .export(None, 0)
        .unwrap()
        .iter()
        .map(|r| (r.window_s, now - r.window_start))
        .collect();
    assert_eq!(
        left,
        [(20, 3600), (ROLLUP_S, 3 * 86_400), (ROLLUP_S, 3600)],
        "fine kept {FINE_KEEP_S} s, roll-ups for the retention"
    );
    // prune(older_than) is the plain retention cut.
    assert_eq!(store.prune(now - 2 * 86_400).unwrap(), 1);
    assert_eq!(store.prune(now - 2 * 86_400).unwrap(), 0, "idempotent");
}

#[test]
fn export_filters_by_host_and_since() {
    let (_dir, store) = open();
    store
        .record_windows(
            "a",
            &[window(0, T0, mam(1.0, 1.0, 1.0)), window(1, T0, None)],
        )
        .unwrap();
    store
        .record_windows("b", &[window(0, T0 + 20, mam(2.0, 2.0, 2.0))])
        .unwrap();
    let a = store.export(Some("a"), 0).unwrap();
    assert_eq!(a.len(), 4, "two fine rows and two roll-ups");
    assert!(a.iter().all(|r| r.host == "a"));
    let first = &a[0];
    assert_eq!(
        (first.gpu_index, first.gpu_uuid.as_deref(), first.window_s),
        (0, Some("GPU-0"), 20)
    );
    assert_eq!(first.mem_used_mib_max, Some(2048));
    assert_eq!(first.power_mw_min, Some(11_170));
    assert_eq!(a[1].util_pct_avg, None);
    let all = store.export(None, T0 + 1).unwrap();
    assert_eq!(
        all.len(),
        1,
        "only b's fine window starts after T0: {all:?}"
    );
    assert_eq!(all[0].host, "b");
}

#[test]
fn all_gpus_in_one_pass_match_the_per_gpu_queries() {
    let (_dir, store) = open();
    let windows: Vec<WindowStats> = (0..90)
        .flat_map(|i| {
            [0u32, 1, 5].map(|g| {
                let v = f64::from((i * 7 + g * 13) % 101);
                window(g, T0 + i64::from(i) * 20, mam(v, v, v))
            })
        })
        .collect();
    store.record_windows("h", &windows).unwrap();
    for (since, until, points) in [(T0, T0 + 1800, 30), (T0 - 86_400, T0 + 3600, 50)] {
        let all = store
            .history_all_gpus("h", Metric::Utilization, since, until, points)
            .unwrap();
        assert_eq!(all.iter().map(|(g, _)| *g).collect::<Vec<_>>(), [0, 1, 5]);
        for (gpu, points_of_gpu) in &all {
            let one = store
                .history("h", *gpu, Metric::Utilization, since, until, points)
                .unwrap();
            assert_eq!(&one, points_of_gpu, "GPU {gpu}");
            assert!(one.len() <= points);
        }
    }
    assert!(
        store
            .history_all_gpus("nobody", Metric::Power, T0, T0 + 60, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn windows_of_300_s_or_more_serve_short_ranges_too() {
    let (_dir, store) = open();
    let long = |start: i64, v: f64| WindowStats {
        window_s: 600,
        ..window(0, start, mam(v, v, v))
    };
    store
        .record_windows("h", &[long(T0 - 300, 10.0), long(T0 + 300, 70.0)])
        .unwrap();
    let hour = store
        .history("h", 0, Metric::Utilization, T0 - 1800, T0 + 1800, 60)
        .unwrap();
    assert_eq!(values(&hour), [(10.0, 10.0, 10.0), (70.0, 70.0, 70.0)]);
    // No roll-up is derived from windows that are already at least that long.
    assert_eq!(store.export(None, 0).unwrap().len(), 2);
}

mod downsampling {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        // Whatever the data, range and width: never more points than asked, in range, and
        // the chart's extremes are the extremes of the windows in the range.
        #[test]
        fn at_most_points_and_extremes_kept(
            values in proptest::collection::vec(proptest::option::of(0u8..=100), 1..200),
            offset in 0i64..4000,
            span in 1i64..21_600,
            points in 1usize..400,
        ) {
            let (_dir, store) = open();
            let windows: Vec<WindowStats> = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let v = v.map(f64::from);
                    window(0, T0 + i as i64 * 20, v.and_then(|v| mam(v, v, v)))
                })
                .collect();
            store.record_windows("h", &windows).unwrap();
            let (since, until) = (T0 + offset, T0 + offset + span);
            let got = store
                .history("h", 0, Metric::Utilization, since, until, points)
                .unwrap();
            prop_assert!(got.len() <= points);
            prop_assert!(got.iter().all(|p| p.t >= since && p.t < until));
            let inside: Vec<f64> = windows
                .iter()
                .filter(|w| w.window_start >= since && w.window_start < until)
                .filter_map(|w| w.utilization_pct.map(|u| u.max))
                .collect();
            let max = inside.iter().copied().fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            let min = inside.iter().copied().fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
            prop_assert_eq!(got.iter().map(|p| p.max).reduce(f64::max), max);
            prop_assert_eq!(got.iter().map(|p| p.min).reduce(f64::min), min);
        }
    }
}
