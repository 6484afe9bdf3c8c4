//! The GPU tab's pure update: generations, rings, hysteresis, alerts, process selection,
//! the terminate flow, read-only and history requests.

mod gpu_fixtures;
mod ui_fixtures;

use gpu_fixtures::*;
use ratatui::crossterm::event::KeyCode;
use sparkdeck::app::gpu::{GpuMetric, HistoryPoint, HistoryRange};
use sparkdeck::app::overlay::Overlay;
use sparkdeck::app::{Effect, FlashLevel, Msg, State, update};
use sparkdeck::config::Config;
use sparkdeck::metrics::Level;
use sparkdeck::model::{ConnState, GpuEvent, GpuSample};
use ui_fixtures::*;

const LAB: &str = "spark-lab";

fn gpu_tab() -> State {
    let mut s = full_state();
    update(&mut s, key('2'));
    s
}

fn with_settings(f: impl FnOnce(&mut Config)) -> State {
    let mut c = Config::default();
    f(&mut c);
    let mut s = State::new(&c, false, "admin-box".into()).with_key_check(key_ok);
    send(
        &mut s,
        [
            Msg::Resize {
                width: 120,
                height: 40,
            },
            Msg::Tick { now: NOW },
            loaded(),
            Msg::ConnState {
                name: LAB.into(),
                generation: 1,
                state: ConnState::Connected { since: NOW - 60 },
            },
            key('2'),
        ],
    );
    s
}

fn util(index: u32, v: f64) -> GpuSample {
    GpuSample {
        index,
        utilization_pct: Some(v),
        ..Default::default()
    }
}

fn sample_msg(at: i64, samples: Vec<GpuSample>) -> Msg {
    gpu(LAB, 1, samples_at(at, samples))
}

#[test]
fn an_older_generation_is_dropped() {
    let mut s = gpu_tab();
    update(&mut s, gpu(LAB, 2, samples_at(NOW, a5000_samples())));
    update(&mut s, gpu(LAB, 1, samples_at(NOW + 2, v100_samples())));
    update(&mut s, gpu(LAB, 1, GpuEvent::Processes(gb10_processes())));
    let v = s.gpu_view().unwrap();
    assert_eq!(v.samples.len(), 2);
    assert_eq!(v.sampled_at, Some(NOW as f64));
    assert!(v.processes.is_empty());
    // A newer generation is taken, and the data of other connections is kept apart.
    update(&mut s, gpu(LAB, 3, samples_at(NOW + 4, v100_samples())));
    update(
        &mut s,
        gpu("spark-02", 1, samples_at(NOW, vec![gb10_sample()])),
    );
    assert_eq!(s.gpu_view().unwrap().samples.len(), 8);
    assert_eq!(s.gpu.views["spark-02"].samples.len(), 1);
}

#[test]
fn the_sparkline_ring_holds_sparkline_s_worth_of_samples() {
    let mut s = gpu_tab();
    assert_eq!(s.gpu.ring_capacity(), 60);
    for i in 0..75 {
        update(&mut s, sample_msg(NOW + i, vec![util(0, i as f64)]));
    }
    let t = &s.gpu_view().unwrap().tracks[&0];
    assert_eq!(t.utilization.len(), 60);
    assert_eq!(t.utilization.values().next(), Some(Some(15.0)));
    assert_eq!(t.utilization.values().last(), Some(Some(74.0)));
    // No memory figure: the ring keeps a gap, not a zero.
    assert_eq!(t.memory.values().last(), Some(None));

    let mut s = with_settings(|c| {
        c.gpu.sparkline_s = 10;
        c.gpu.interval_ms = 1000;
    });
    for i in 0..12 {
        update(&mut s, sample_msg(NOW + i, vec![util(0, 1.0)]));
    }
    assert_eq!(s.gpu_view().unwrap().tracks[&0].utilization.len(), 10);
}

#[test]
fn levels_keep_their_colour_until_the_hysteresis_margin() {
    let mut s = gpu_tab();
    let temp = |t: f64| GpuSample {
        index: 0,
        temperature_c: Some(t),
        ..Default::default()
    };
    let mut seen = Vec::new();
    for (i, t) in [55.0, 81.0, 78.0, 77.5, 76.9, 59.0, 56.9]
        .iter()
        .enumerate()
    {
        update(&mut s, sample_msg(NOW + i as i64, vec![temp(*t)]));
        seen.push(s.gpu_view().unwrap().tracks[&0].level(GpuMetric::Temperature));
    }
    use Level::*;
    // 60 / 80 °C with a 3 °C margin: 78 and 77.5 stay red, 59 stays yellow.
    assert_eq!(seen, vec![Ok, Crit, Crit, Crit, Warn, Warn, Ok]);
    // No utilisation reported: unknown, never "ok".
    assert_eq!(
        s.gpu_view().unwrap().tracks[&0].level(GpuMetric::Utilization),
        Unknown
    );
}

#[test]
fn an_alert_is_raised_after_n_red_samples_and_cleared_with_hysteresis() {
    let mut s = with_settings(|c| c.gpu.alert_after_samples = 3);
    let mut effects = Vec::new();
    for (i, v) in [90.0, 95.0, 92.0, 79.0, 76.0].iter().enumerate() {
        effects.push(update(
            &mut s,
            sample_msg(NOW + 2 * i as i64, vec![util(0, *v)]),
        ));
    }
    assert_eq!(effects[0], vec![]);
    assert_eq!(effects[1], vec![]);
    assert_eq!(
        effects[2],
        vec![Effect::AlertRaised {
            name: LAB.into(),
            gpu_index: 0,
            metric: GpuMetric::Utilization,
            peak: 95.0,
            message: "spark-lab GPU 0: utilization above 80 % for 3 samples (peak 95 %)".into(),
        }]
    );
    // 79 is within the 3-point margin of 80: still red, nothing changes.
    assert_eq!(effects[3], vec![]);
    assert_eq!(
        effects[4],
        vec![Effect::AlertCleared {
            name: LAB.into(),
            gpu_index: 0,
            metric: GpuMetric::Utilization,
        }]
    );
    assert_eq!(s.gpu.alerts.len(), 1);
    assert_eq!(s.gpu.alerts[0].raised_at, NOW + 4);
    assert_eq!(s.gpu.alerts[0].cleared_at, Some(NOW + 8));
    let flash = s.flash.as_ref().unwrap();
    assert_eq!(flash.level, FlashLevel::Info);
    assert!(
        flash
            .text
            .starts_with("cleared: spark-lab GPU 0 utilization")
    );
}

#[test]
fn the_store_alert_list_merges_with_alerts_of_this_session() {
    let mut s = with_settings(|c| c.gpu.alert_after_samples = 1);
    update(&mut s, sample_msg(NOW, vec![util(0, 99.0)]));
    let mut stored = s.gpu.alerts[0].clone();
    stored.raised_at = NOW - 3600;
    stored.cleared_at = Some(NOW - 3000);
    update(&mut s, Msg::GpuAlerts(vec![stored]));
    let times: Vec<i64> = s.gpu.alerts.iter().map(|a| a.raised_at).collect();
    assert_eq!(times, vec![NOW, NOW - 3600]);
}

#[test]
fn processes_sort_by_memory_and_the_selection_follows_the_pid() {
    let mut s = gpu_tab();
    feed(&mut s, LAB, gb10_events(NOW));
    let pids = |s: &State| s.gpu_processes().iter().map(|p| p.pid).collect::<Vec<_>>();
    assert_eq!(pids(&s), vec![2283430, 2804, 3060]);
    send(&mut s, [key('j')]);
    assert_eq!(s.gpu_selected_process().unwrap().pid, 2804);
    // gnome-shell grows past Xorg: the table re-sorts, the cursor stays on Xorg.
    let mut procs = gb10_processes();
    procs[1].used_memory_bytes = Some(4096 * MIB);
    update(&mut s, gpu(LAB, 1, GpuEvent::Processes(procs)));
    assert_eq!(pids(&s), vec![2283430, 3060, 2804]);
    assert_eq!(s.gpu_selected_process().unwrap().pid, 2804);
    // The filter narrows the table; the selection falls back to the first visible row.
    send(&mut s, [key('/')]);
    send(&mut s, typed("vllm"));
    send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(pids(&s), vec![2283430]);
    assert_eq!(s.gpu_selected_process().unwrap().pid, 2283430);
    send(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(pids(&s).len(), 3);
    // The Connections filter was not touched.
    assert_eq!(s.filter_text(), "");
}

fn confirm(s: &State) -> sparkdeck::app::overlay::ConfirmTerminate {
    match &s.overlay {
        Some(Overlay::ConfirmTerminate(c)) => c.clone(),
        other => panic!("expected the terminate dialog, got {other:?}"),
    }
}

#[test]
fn terminate_asks_first_with_cancel_chosen_then_sigterm_then_sigkill() {
    let mut s = gpu_tab();
    feed(&mut s, LAB, gb10_events(NOW));
    // Cancel is the default: K then enter does nothing.
    assert_eq!(send(&mut s, [key('K'), code(KeyCode::Enter)]), vec![]);
    assert!(s.overlay.is_none());

    send(&mut s, [key('K')]);
    let c = confirm(&s);
    assert_eq!(
        (
            c.pid,
            c.command.as_str(),
            c.host.as_str(),
            c.force,
            c.terminate_chosen
        ),
        (2283430, "VLLM::EngineCore", "dgx@10.0.0.5:22", false, false)
    );
    let fx = send(&mut s, [code(KeyCode::Right), code(KeyCode::Enter)]);
    assert_eq!(
        fx,
        vec![Effect::TerminateProcess {
            name: LAB.into(),
            pid: 2283430,
            force: false
        }]
    );
    update(
        &mut s,
        Msg::ProcessTerminated {
            name: LAB.into(),
            pid: 2283430,
            result: Ok(()),
        },
    );
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("sent SIGTERM to pid 2283430 on spark-lab")
    );

    // The same pid again: SIGKILL, again starting on Cancel.
    send(&mut s, [key('K')]);
    let c = confirm(&s);
    assert!(c.force && !c.terminate_chosen);
    let fx = send(&mut s, [code(KeyCode::Left), code(KeyCode::Enter)]);
    assert_eq!(
        fx,
        vec![Effect::TerminateProcess {
            name: LAB.into(),
            pid: 2283430,
            force: true
        }]
    );
    update(
        &mut s,
        Msg::ProcessTerminated {
            name: LAB.into(),
            pid: 2283430,
            result: Err("kill: (2283430): Operation not permitted".into()),
        },
    );
    let f = s.flash.as_ref().unwrap();
    assert_eq!(f.level, FlashLevel::Error);
    assert!(
        f.text
            .contains("could not send SIGKILL to pid 2283430 on spark-lab")
    );
}

#[test]
fn a_second_k_inside_the_dialog_offers_sigkill_and_needs_its_own_confirmation() {
    let mut s = gpu_tab();
    feed(&mut s, LAB, gb10_events(NOW));
    send(&mut s, [key('j'), key('K'), code(KeyCode::Right)]);
    assert!(confirm(&s).terminate_chosen);
    send(&mut s, [key('K')]);
    let c = confirm(&s);
    assert_eq!((c.pid, c.force, c.terminate_chosen), (2804, true, false));
    assert_eq!(send(&mut s, [code(KeyCode::Enter)]), vec![]);
    let fx = send(
        &mut s,
        [key('K'), key('K'), code(KeyCode::Tab), code(KeyCode::Enter)],
    );
    assert_eq!(
        fx,
        vec![Effect::TerminateProcess {
            name: LAB.into(),
            pid: 2804,
            force: true
        }]
    );
}

#[test]
fn terminate_is_refused_and_hidden_in_read_only_mode() {
    let mut s = State::new(&Config::default(), true, "admin-box".into()).with_key_check(key_ok);
    send(&mut s, [Msg::Tick { now: NOW }, loaded(), key('2')]);
    feed(&mut s, LAB, gb10_events(NOW));
    assert_eq!(send(&mut s, [key('K')]), vec![]);
    assert!(s.overlay.is_none());
    assert!(s.flash.as_ref().unwrap().text.contains("read-only"));
    assert!(!sparkdeck::app::update::available(
        &s,
        sparkdeck::app::action::Action::Terminate
    ));
    assert!(
        !sparkdeck::app::update::palette_matches(&s, "terminate")
            .contains(&sparkdeck::app::action::Action::Terminate)
    );
}

#[test]
fn history_asks_for_the_range_ending_now_with_one_point_per_column() {
    let mut s = gpu_tab();
    feed(&mut s, LAB, discrete_events(NOW));
    // 120 columns less the border (2) and the y-axis labels (7).
    let load = |gpu_index, metric, secs: i64| Effect::LoadGpuHistory {
        name: LAB.into(),
        gpu_index,
        metric,
        since: NOW - secs,
        until: NOW,
        points: 111,
    };
    assert_eq!(
        send(&mut s, [key('h')]),
        vec![load(0, GpuMetric::Utilization, 3600)]
    );
    assert_eq!(
        send(&mut s, [key('r')]),
        vec![load(0, GpuMetric::Utilization, 6 * 3600)]
    );
    assert_eq!(
        send(&mut s, [key('r')]),
        vec![load(0, GpuMetric::Utilization, 86_400)]
    );
    assert_eq!(
        send(&mut s, [key('r')]),
        vec![load(0, GpuMetric::Utilization, 7 * 86_400)]
    );
    assert_eq!(
        send(&mut s, [key('m')]),
        vec![load(0, GpuMetric::Memory, 7 * 86_400)]
    );
    assert_eq!(
        send(&mut s, [key(']')]),
        vec![load(1, GpuMetric::Memory, 7 * 86_400)]
    );
    let pts = vec![HistoryPoint {
        t: NOW - 600,
        min: Some(1.0),
        avg: Some(2.0),
        max: Some(3.0),
    }];
    // An answer for another chart is dropped; the one for this chart is kept.
    update(
        &mut s,
        Msg::GpuHistory {
            name: LAB.into(),
            gpu_index: 0,
            metric: GpuMetric::Memory,
            range: HistoryRange::Week,
            points: pts.clone(),
        },
    );
    assert_eq!(s.gpu.history.as_ref().unwrap().points, None);
    update(
        &mut s,
        Msg::GpuHistory {
            name: LAB.into(),
            gpu_index: 1,
            metric: GpuMetric::Memory,
            range: HistoryRange::Week,
            points: pts.clone(),
        },
    );
    assert_eq!(s.gpu.history.as_ref().unwrap().points, Some(pts));
    // At 80 columns the chart is narrower, and so is the request.
    send(
        &mut s,
        [
            key('h'),
            Msg::Resize {
                width: 80,
                height: 24,
            },
        ],
    );
    match send(&mut s, [key('h')]).as_slice() {
        [Effect::LoadGpuHistory { points, .. }] => assert_eq!(*points, 71),
        other => panic!("{other:?}"),
    }
}

#[test]
fn data_of_a_lost_connection_stays_and_is_marked_stale() {
    let mut s = gpu_tab();
    feed(&mut s, LAB, gb10_events(NOW - 40));
    assert_eq!(s.gpu_stale_age(NOW), None);
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 2,
            state: ConnState::Reconnecting {
                attempt: 1,
                retry_at: NOW + 2,
                reason: "connection reset by peer".into(),
            },
        },
    );
    assert_eq!(s.gpu_stale_age(NOW), Some(42));
    assert_eq!(s.gpu_view().unwrap().samples.len(), 1);
}

#[test]
fn refresh_with_the_history_open_re_reads_the_chart_up_to_now() {
    let mut s = gpu_tab();
    feed(&mut s, LAB, discrete_events(NOW));
    send(&mut s, [key('h')]);
    update(&mut s, Msg::Tick { now: NOW + 30 });
    let fx = send(&mut s, [ctrl('r')]);
    assert_eq!(
        fx,
        vec![
            Effect::Refresh,
            Effect::LoadGpuHistory {
                name: LAB.into(),
                gpu_index: 0,
                metric: GpuMetric::Utilization,
                since: NOW + 30 - 3600,
                until: NOW + 30,
                points: 111,
            }
        ]
    );
    // Closed again: a refresh is only a refresh.
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(s.gpu.history.is_none());
    assert_eq!(send(&mut s, [ctrl('r')]), vec![Effect::Refresh]);
}

#[test]
fn gpu_keys_switch_the_shown_gpu_and_wrap() {
    let mut s = gpu_tab();
    update(
        &mut s,
        Msg::Resize {
            width: 40,
            height: 15,
        },
    );
    feed(&mut s, LAB, v100_events(NOW));
    assert_eq!(s.gpu_selected(), 0);
    send(&mut s, [key('['), key('[')]);
    assert_eq!(s.gpu_selected(), 6);
    send(&mut s, [code(KeyCode::Right), code(KeyCode::Right)]);
    assert_eq!(s.gpu_selected(), 0);
    // Fewer GPUs later (a reconnect to another box): the position is clamped.
    send(&mut s, [key('['), key('[')]);
    update(&mut s, gpu(LAB, 1, samples_at(NOW + 2, a5000_samples())));
    assert_eq!(s.gpu_selected(), 1);
}
