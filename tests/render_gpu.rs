//! insta snapshots of the GPU tab at 120×40, 80×24 and 40×15: a discrete dual-GPU box, a
//! DGX Spark (GB10, unified memory), 8 GPUs, no GPU, a restarting stream, the history
//! chart, the terminate dialog and the alert list; plus tiny sizes that must not panic.

mod gpu_fixtures;
mod ui_fixtures;

use gpu_fixtures::*;
use sparkdeck::app::gpu::{GpuMetric, HistoryPoint, HistoryRange};
use sparkdeck::app::{Msg, State, update};
use sparkdeck::config::Config;
use sparkdeck::model::{GpuEvent, GpuSample, GpuSourceState};
use ui_fixtures::*;

const LAB: &str = "spark-lab";

/// The state is built after the resize, as keys that depend on the layout (history width)
/// read the size.
fn snap_all(name: &str, build: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut s = full_state();
        update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        update(&mut s, key('2'));
        build(&mut s);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&s, w, h));
    }
}

/// Ten samples two seconds apart, the last at `end`, so the sparklines have something to
/// draw; the figures are those of `events`.
fn with_samples(s: &mut State, events: Vec<GpuEvent>) {
    samples_until(s, events, NOW - 2);
}

fn samples_until(s: &mut State, events: Vec<GpuEvent>, end: i64) {
    let mut rest = Vec::new();
    for e in events {
        match e {
            GpuEvent::Samples { samples, .. } => rest.push(samples),
            other => {
                update(s, gpu(LAB, 1, other));
            }
        }
    }
    for samples in rest {
        for i in 0..10 {
            let mut ss: Vec<GpuSample> = samples.clone();
            for x in &mut ss {
                // The older samples were busier, so the sparkline shows a slope.
                x.utilization_pct = x.utilization_pct.map(|u| u + (9 - i) as f64 * 10.0);
            }
            update(s, gpu(LAB, 1, samples_at(end - 18 + 2 * i, ss)));
        }
    }
}

#[test]
fn discrete_dual_rtx_a5000() {
    snap_all("gpu_discrete", |s| with_samples(s, discrete_events(NOW)));
}

#[test]
fn gb10_unified_memory() {
    snap_all("gpu_gb10", |s| with_samples(s, gb10_events(NOW)));
}

#[test]
fn eight_v100() {
    snap_all("gpu_8x_v100", |s| with_samples(s, v100_events(NOW)));
}

#[test]
fn no_gpu_gives_both_reasons() {
    snap_all("gpu_none", |s| {
        update(
            s,
            gpu(
                LAB,
                1,
                GpuEvent::Source(GpuSourceState::NoGpu {
                    nvml_error: Some("libnvidia-ml.so.1: cannot open shared object file".into()),
                    smi_error: "command not found (exit 127)".into(),
                }),
            ),
        );
    });
}

#[test]
fn restarting_stream() {
    snap_all("gpu_restarting", |s| {
        with_samples(s, gb10_events(NOW));
        update(
            s,
            gpu(
                LAB,
                1,
                GpuEvent::Source(GpuSourceState::Restarting {
                    reason: "unparseable line \"GPU 0: garbage\"".into(),
                    attempt: 3,
                }),
            ),
        );
    });
}

#[test]
fn history_with_data() {
    snap_all("gpu_history", |s| {
        with_samples(s, discrete_events(NOW));
        update(s, key('h'));
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
            s,
            Msg::GpuHistory {
                name: LAB.into(),
                gpu_index: 0,
                metric: GpuMetric::Utilization,
                range: HistoryRange::Hour,
                points,
            },
        );
    });
}

#[test]
fn history_empty_says_so() {
    snap_all("gpu_history_empty", |s| {
        with_samples(s, gb10_events(NOW));
        update(s, key('h'));
        update(
            s,
            Msg::GpuHistory {
                name: LAB.into(),
                gpu_index: 0,
                metric: GpuMetric::Utilization,
                range: HistoryRange::Hour,
                points: vec![],
            },
        );
    });
}

#[test]
fn terminate_confirm_dialog() {
    snap_all("gpu_terminate", |s| {
        with_samples(s, gb10_events(NOW));
        update(s, key('K'));
    });
    snap_all("gpu_kill", |s| {
        with_samples(s, gb10_events(NOW));
        update(s, key('K'));
        update(s, key('K'));
    });
}

#[test]
fn alert_list() {
    snap_all("gpu_alerts", |s| {
        with_samples(s, discrete_events(NOW));
        // GPU 0 of the A5000 box is 91 % full: red for ten samples, so an alert is open.
        update(s, key('a'));
    });
}

#[test]
fn lost_connection_keeps_the_last_data_marked_stale() {
    snap_all("gpu_stale", |s| {
        samples_until(s, gb10_events(NOW), NOW - 75);
        update(
            s,
            Msg::ConnState {
                name: LAB.into(),
                generation: 2,
                state: sparkdeck::model::ConnState::Reconnecting {
                    attempt: 2,
                    retry_at: NOW + 5,
                    reason: "connection reset by peer".into(),
                },
            },
        );
    });
}

#[test]
fn tiny_sizes_do_not_panic() {
    for events in [discrete_events(NOW), gb10_events(NOW), v100_events(NOW)] {
        for (w, h) in [(1, 1), (10, 5), (20, 8), (39, 14), (60, 12), (200, 6)] {
            let mut s = State::new(&Config::default(), false, "admin-box".into());
            send(
                &mut s,
                [
                    Msg::Resize {
                        width: w,
                        height: h,
                    },
                    loaded(),
                    key('2'),
                ],
            );
            with_samples(&mut s, events.clone());
            for k in ['a', 'h', 'K'] {
                update(&mut s, key(k));
                draw(&s, w, h);
            }
        }
    }
}
