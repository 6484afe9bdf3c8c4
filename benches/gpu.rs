//! GPU tab costs against DESIGN §8: parsing what nvidia-smi prints (one CSV stream sample
//! for 1 and 8 GPUs, a `--query-compute-apps` answer, `-q -x` documents), the unified-memory
//! view, a 120×40 draw of the GPU tab (8 GPUs, a GB10, the history chart) and `update` for
//! one Samples event of 8 GPUs. Results are in docs/performance.md.
//!
//! Run: `cargo bench --bench gpu`. Sample counts are small because the reference machine
//! has 2 shared cores.

#[path = "../tests/gpu_fixtures/mod.rs"]
mod gpu_fixtures;
#[path = "../tests/ui_fixtures/mod.rs"]
mod ui_fixtures;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gpu_fixtures::{
    discrete_events, feed, gb10_events, gb10_processes, gb10_sample, gpu, samples_at,
    spark_host_memory, v100_events, v100_samples,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sparkdeck::app::gpu::{GpuMetric, HistoryPoint, HistoryRange};
use sparkdeck::app::{Msg, State, update};
use sparkdeck::metrics::memory_view;
use sparkdeck::sources::gpu::{parse_compute_apps, parse_gpu_line, parse_xml};
use std::cell::Cell;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;
use ui_fixtures::{NOW, full_state, key};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
const LAB: &str = "spark-lab";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nvidia-smi")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The body of one `# title` section of a capture bundle (after its `# $ command` line and
/// the rule under it), as the parser tests cut them.
fn section(bundle: &str, marker: &str) -> String {
    let title = format!("# {marker}\n");
    let start = bundle
        .find(&title)
        .unwrap_or_else(|| panic!("no section {marker:?} in the bundle"))
        + title.len();
    let rest = &bundle[start..];
    let (_command, rest) = rest.split_once('\n').expect("a command line");
    let (_rule, body) = rest.split_once('\n').expect("a rule under the command");
    let end = body.find("\n####").map_or(body.len(), |i| i + 1);
    body[..end].to_string()
}

/// A GB10 stream line as `--query-gpu=<QUERY_GPU_FIELDS> --format=csv,noheader,nounits`
/// prints it (surfer11may capture figures).
const GB10_LINE: &str = "0, GPU-6f1d2a0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b, NVIDIA GB10, 0, 0, \
    [N/A], [N/A], 35, 11.17, [N/A], 2418, 2418, [N/A], [N/A], P0";

/// Eight V100 stream lines (thamada capture figures), one tick of an 8-GPU box.
fn v100_lines() -> Vec<String> {
    (0..8)
        .map(|i| {
            format!(
                "{i}, GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f9{i:02}, Tesla V100-SXM2-16GB, \
                 {}, 0, 16384, 1, {}, {}.{i}1, 300.00, 1530, 1530, 877, [N/A], P0",
                i * 7,
                36 + i,
                39 + i
            )
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    assert!(
        parse_gpu_line(GB10_LINE).is_ok(),
        "the GB10 line must parse"
    );
    c.bench_function("parse/csv_sample_1_gpu_gb10", |b| {
        b.iter(|| black_box(parse_gpu_line(black_box(GB10_LINE))))
    });

    let lines = v100_lines();
    assert!(lines.iter().all(|l| parse_gpu_line(l).is_ok()));
    c.bench_function("parse/csv_sample_8_gpus", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(parse_gpu_line(black_box(l)).ok());
            }
        })
    });

    // The collector's own poll: no header, no units, QUERY_APPS_FIELDS order.
    let gb10_apps = "2804, /usr/lib/xorg/Xorg, GPU-6f1d2a0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b, 179\n\
        3060, /usr/bin/gnome-shell, GPU-6f1d2a0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b, 48\n\
        2283430, VLLM::EngineCore, GPU-6f1d2a0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b, 61383\n";
    assert_eq!(parse_compute_apps(gb10_apps).len(), 3);
    c.bench_function("parse/compute_apps_gb10_3_procs", |b| {
        b.iter(|| black_box(parse_compute_apps(black_box(gb10_apps))))
    });

    // A captured answer with a header and units (H100 MIG box under load).
    let h100 = section(
        &fixture("nvidia_gpu_exporter-h100-mig-590-capture-bundle.txt"),
        "load :: query-compute-apps (per-process)",
    );
    assert_eq!(parse_compute_apps(&h100).len(), 3);
    c.bench_function("parse/compute_apps_h100_capture_3_procs", |b| {
        b.iter(|| black_box(parse_compute_apps(black_box(&h100))))
    });

    for (name, file) in [
        (
            "parse/xml_dual_rtx_a5000",
            "telegraf-dual-rtx-a5000-590-q-x.xml",
        ),
        (
            "parse/xml_a100_mig",
            "telegraf-a100-sxm4-80gb-mig-535-q-x.xml",
        ),
    ] {
        let text = fixture(file);
        assert!(parse_xml(&text).is_ok(), "{file} must parse");
        c.bench_function(name, |b| b.iter(|| black_box(parse_xml(black_box(&text)))));
    }

    let sample = gb10_sample();
    let procs = gb10_processes();
    let host = spark_host_memory();
    c.bench_function("metrics/memory_view_gb10", |b| {
        b.iter(|| {
            black_box(memory_view(
                black_box(&sample),
                black_box(&procs),
                1,
                Some(&host),
            ))
        })
    });
}

/// The GPU tab at 120×40 with ten samples two seconds apart, as the snapshot tests build it.
fn gpu_tab(events: Vec<sparkdeck::model::GpuEvent>) -> State {
    let mut s = full_state();
    update(
        &mut s,
        Msg::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
    update(&mut s, key('2'));
    let mut samples = Vec::new();
    for e in events {
        match e {
            sparkdeck::model::GpuEvent::Samples { samples: v, .. } => samples.push(v),
            other => feed(&mut s, LAB, vec![other]),
        }
    }
    for v in samples {
        for i in 0..10 {
            feed(&mut s, LAB, vec![samples_at(NOW - 20 + 2 * i, v.clone())]);
        }
    }
    s
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test backend never fails")
}

fn bench_draw(c: &mut Criterion, name: &str, state: &State) {
    let mut t = terminal();
    c.bench_function(name, |b| {
        b.iter(|| {
            t.draw(|f| sparkdeck::ui::render(f, black_box(state), NOW))
                .expect("a test backend never fails");
        })
    });
}

fn render(c: &mut Criterion) {
    bench_draw(c, "draw_120x40/gpu_8x_v100", &gpu_tab(v100_events(NOW)));
    bench_draw(c, "draw_120x40/gpu_gb10", &gpu_tab(gb10_events(NOW)));

    let mut history = gpu_tab(discrete_events(NOW));
    update(&mut history, key('h'));
    let points = (0..60)
        .map(|i| {
            let avg = 40.0 + 30.0 * ((i as f64) / 6.0).sin();
            HistoryPoint {
                t: NOW - 3600 + i * 60,
                min: Some((avg - 15.0).max(0.0)),
                avg: Some(avg),
                max: Some((avg + 20.0).min(100.0)),
            }
        })
        .collect();
    update(
        &mut history,
        Msg::GpuHistory {
            name: LAB.into(),
            gpu_index: 0,
            metric: GpuMetric::Utilization,
            range: HistoryRange::Hour,
            points,
        },
    );
    bench_draw(c, "draw_120x40/gpu_history_1h", &history);
}

fn updates(c: &mut Criterion) {
    // Each iteration is the next tick of the stream, two seconds after the last one, so the
    // windowed aggregation and sparkline rings see what a running stream gives them; the
    // message is built outside the timed part.
    let mut s = gpu_tab(v100_events(NOW));
    let samples = v100_samples();
    let at = Cell::new(NOW);
    c.bench_function("update/gpu_samples_8_gpus", |b| {
        b.iter_batched(
            || {
                at.set(at.get() + 2);
                gpu(LAB, 1, samples_at(at.get(), samples.clone()))
            },
            |msg| black_box(update(&mut s, msg)),
            BatchSize::SmallInput,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .without_plots()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = parse, render, updates
}
criterion_main!(benches);
