//! insta snapshots of the Services tab at 120×40, 80×24 and 40×15: the rich report (up,
//! down, conflict, duplicate, unexpected, failing probes), the docker-permission banner,
//! the detail pane (Ollama, vLLM), the confirmation, a service log with its time window,
//! the stale and empty states; plus tiny sizes that must not panic.

mod services_fixtures;
mod ui_fixtures;

use ratatui::crossterm::event::KeyCode;
use services_fixtures::*;
use sparkdeck::app::{Msg, State, update};
use sparkdeck::model::{ConnState, ListenerSource, SourceKind, SourceProblem};
use ui_fixtures::*;

fn snap_all(name: &str, build: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut s = services_state_sized(w, h);
        build(&mut s);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn rich_report() {
    snap_all("services_table", |s| select(s, WEBUI));
}

#[test]
fn docker_permission_banner() {
    snap_all("services_docker_denied", |s| {
        let mut r = report(rows(), NOW - 3);
        // Without docker the containers are unknown; the rows say so in their notes.
        r.problems = vec![docker_denied(), journal_denied()];
        update(
            s,
            Msg::Services {
                name: LAB.into(),
                report: r,
            },
        );
    });
}

#[test]
fn proc_net_fallback_warns_about_missing_process_names() {
    let mut s = services_state_sized(120, 40);
    let mut r = report(rows(), NOW - 3);
    r.listeners_from = ListenerSource::ProcNet;
    r.problems = vec![SourceProblem {
        source: SourceKind::Sockets,
        message: "ss is not installed: listeners read from /proc/net/tcp, without process names"
            .into(),
        fix: Some("sudo apt install iproute2".into()),
    }];
    update(
        &mut s,
        Msg::Services {
            name: LAB.into(),
            report: r,
        },
    );
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("via /proc/net: no process names"), "{text}");
    assert!(text.contains("fix: sudo apt install iproute2"), "{text}");
}

#[test]
fn detail_pane_ollama() {
    snap_all("services_detail_ollama", |s| {
        select(s, OLLAMA);
        update(s, code(KeyCode::Enter));
    });
}

#[test]
fn detail_pane_vllm() {
    snap_all("services_detail_vllm", |s| {
        select(s, VLLM);
        update(s, code(KeyCode::Enter));
    });
}

#[test]
fn detail_pane_conflict_with_container() {
    snap_all("services_detail_conflict", |s| {
        select(s, ARANGO);
        update(s, code(KeyCode::Enter));
    });
}

#[test]
fn confirm_dialog() {
    snap_all("services_confirm", |s| {
        select(s, OLLAMA);
        update(s, key('R'));
    });
}

#[test]
fn service_log_with_its_window() {
    snap_all("services_log", |s| {
        select(s, OLLAMA);
        update(s, key('l'));
        update(s, key('3'));
        update(
            s,
            Msg::LogLines {
                name: LAB.into(),
                lines: vec![
                    "Nov 22 07:14:02 spark-01 ollama[1187]: time=2026-11-22T07:14:02Z level=INFO source=routes.go:1511 msg=\"Listening on [::]:11434 (version 0.12.6)\"".into(),
                    "Nov 22 07:14:03 spark-01 ollama[1187]: time=2026-11-22T07:14:03Z level=INFO source=types.go:130 msg=\"inference compute\" library=cuda compute=12.1 name=\"NVIDIA GB10\"".into(),
                    "Nov 22 07:52:40 spark-01 ollama[1187]: [GIN] 2026/11/22 - 07:52:40 | 200 |  4.512339s | 10.0.0.9 | POST \"/api/chat\"".into(),
                    "Nov 22 07:58:11 spark-01 ollama[1187]: time=2026-11-22T07:58:11Z level=WARN msg=\"model request too large for system\" requested=\"48.0 GiB\" available=\"36.2 GiB\"".into(),
                ],
            },
        );
    });
}

#[test]
fn stale_after_the_connection_dropped() {
    for (w, h) in [(80, 24), (40, 15)] {
        let mut s = services_state_sized(w, h);
        update(
            &mut s,
            Msg::ConnState {
                name: LAB.into(),
                generation: 2,
                state: ConnState::Reconnecting {
                    attempt: 2,
                    retry_at: NOW + 4,
                    reason: "connection reset by peer".into(),
                },
            },
        );
        let text = screen_text(&s, w, h);
        assert!(text.contains("STALE 12s old"), "{text}");
        insta::assert_snapshot!(format!("services_stale_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn empty_states() {
    // Not connected.
    let mut s = full_state();
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 2,
            state: ConnState::Disconnected,
        },
    );
    update(&mut s, key('4'));
    let text = screen_text(&s, 80, 24);
    assert!(
        text.contains("'spark-lab' is not connected (disconnected)"),
        "{text}"
    );
    insta::assert_snapshot!("services_empty_disconnected_80x24", draw(&s, 80, 24));
    // First load in progress.
    let mut s = full_state();
    update(&mut s, key('4'));
    let text = screen_text(&s, 80, 24);
    assert!(
        text.contains("Reading services on dgx@10.0.0.5:22"),
        "{text}"
    );
    insta::assert_snapshot!("services_empty_loading_80x24", draw(&s, 80, 24));
    // Nothing catalogued and nothing listening.
    answer(&mut s, Vec::new(), NOW);
    let text = screen_text(&s, 80, 24);
    assert!(
        text.contains("nothing catalogued and nothing listening"),
        "{text}"
    );
    insta::assert_snapshot!("services_empty_nothing_80x24", draw(&s, 80, 24));
    // No active connection at all.
    let mut s = bare_state();
    update(&mut s, key('4'));
    assert!(screen_text(&s, 80, 24).contains("No active connection"));
}

#[test]
fn read_only_hides_the_action_hints() {
    let mut s = services_state_sized(120, 40);
    select(&mut s, OLLAMA);
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("R restart"), "{text}");
    s.read_only = true;
    let text = screen_text(&s, 120, 40);
    assert!(
        !text.contains("R restart") && !text.contains("S stop"),
        "{text}"
    );
    assert!(text.contains("read-only: no actions"), "{text}");
    assert!(text.contains("l logs"), "{text}");
}

#[test]
fn help_lists_the_services_keys() {
    let mut s = services_state_sized(120, 40);
    update(&mut s, key('?'));
    for _ in 0..60 {
        update(&mut s, key('j'));
    }
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("Services tab"), "{text}");
    assert!(text.contains("open the selected service's log"), "{text}");
}

#[test]
fn tiny_sizes_do_not_panic() {
    for (w, h) in [(1, 1), (10, 3), (20, 6), (30, 10), (39, 14)] {
        for build in [
            (|_: &mut State| {}) as fn(&mut State),
            |s| {
                update(s, code(KeyCode::Enter));
            },
            |s| {
                update(s, key('R'));
            },
            |s| {
                update(s, key('l'));
            },
        ] {
            let mut s = services_state_sized(w, h);
            build(&mut s);
            draw(&s, w, h);
        }
    }
}

#[test]
fn detail_names_cpu_offload_and_a_dead_tunnel() {
    let mut s = services_state_sized(120, 40);
    select(&mut s, OLLAMA);
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("75 % GPU, 25 % on CPU"), "{text}");
    select(&mut s, CLOUDFLARED);
    let text = screen_text(&s, 120, 40);
    assert!(
        text.contains("0 ready connections: the tunnel is down"),
        "{text}"
    );
    assert!(text.contains("7 restarts"), "{text}");
}
