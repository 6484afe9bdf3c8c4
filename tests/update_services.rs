//! The Services tab's pure update: refresh cadence and its in-flight guard, selection by
//! row id, the row filter, read-only refusal, the confirmed action's exact effect, action
//! results, the service log's time windows, the tunnel and the URL.

mod services_fixtures;
mod ui_fixtures;

use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use services_fixtures::*;
use sparkdeck::app::action::Action;
use sparkdeck::app::overlay::Overlay;
use sparkdeck::app::update::available;
use sparkdeck::app::{Effect, FlashLevel, Msg, State, update};
use sparkdeck::model::{
    ConnState, LogWindow, ServiceState, ServiceTarget, ServiceVerb, TunnelSpec, TunnelState,
};
use sparkdeck::services::actions::ActionError;
use ui_fixtures::*;

fn tick(s: &mut State, now: i64) -> Vec<Effect> {
    update(s, Msg::Tick { now })
}

#[test]
fn opening_the_tab_refreshes_the_active_connection_only_when_it_is_up() {
    let mut s = full_state();
    assert_eq!(
        update(&mut s, key('4')),
        vec![Effect::LoadServices { name: LAB.into() }]
    );
    // Nothing active: nothing to ask.
    let mut s = bare_state();
    assert!(update(&mut s, key('4')).is_empty());
    assert!(tick(&mut s, NOW + 60).is_empty());
    // Active but not connected: no request, and none on the ticks either.
    let mut s = full_state();
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 2,
            state: ConnState::Disconnected,
        },
    );
    assert!(update(&mut s, key('4')).is_empty());
    assert!(tick(&mut s, NOW + 60).is_empty());
}

#[test]
fn ticks_refresh_every_refresh_s_and_only_on_the_services_tab() {
    let mut s = services_state();
    assert_eq!(s.services.settings.refresh_s, 10);
    assert_eq!(loads(&tick(&mut s, NOW + 5)), 0);
    assert_eq!(
        tick(&mut s, NOW + 10),
        vec![Effect::LoadServices { name: LAB.into() }]
    );
    answer(&mut s, rows(), NOW + 11);
    assert_eq!(loads(&tick(&mut s, NOW + 15)), 0);
    assert_eq!(loads(&tick(&mut s, NOW + 20)), 1);
    answer(&mut s, rows(), NOW + 21);
    // Another tab on screen: no refreshes.
    update(&mut s, key('1'));
    assert_eq!(loads(&tick(&mut s, NOW + 60)), 0);
    // Back on the tab: at once.
    assert_eq!(loads(&update(&mut s, key('4'))), 1);
}

#[test]
fn a_refresh_in_flight_is_waited_for_up_to_three_periods() {
    let mut s = services_state();
    assert_eq!(loads(&tick(&mut s, NOW + 10)), 1);
    // No answer: no second request for three periods, whatever the user presses.
    for t in [NOW + 20, NOW + 30, NOW + 39] {
        assert_eq!(loads(&tick(&mut s, t)), 0, "tick at +{}", t - NOW);
    }
    let fx = update(&mut s, code(KeyCode::F(5)));
    assert_eq!(fx, vec![Effect::Refresh]);
    assert!(
        flash_text(&s).contains("already running"),
        "{}",
        flash_text(&s)
    );
    update(&mut s, key('1'));
    assert_eq!(loads(&update(&mut s, key('4'))), 0);
    // Three periods after it was sent the answer is given up on and a new one goes out.
    assert_eq!(loads(&tick(&mut s, NOW + 40)), 1);
}

#[test]
fn f5_and_ctrl_r_refresh_at_once() {
    let mut s = services_state();
    assert_eq!(
        update(&mut s, code(KeyCode::F(5))),
        vec![Effect::Refresh, Effect::LoadServices { name: LAB.into() }]
    );
    answer(&mut s, rows(), NOW);
    assert_eq!(loads(&update(&mut s, ctrl('r'))), 1);
}

#[test]
fn selection_follows_the_row_id_across_reports() {
    let mut s = services_state();
    select(&mut s, WEBUI);
    assert_eq!(s.services_selected_index(&s.services_rows()), Some(4));
    let mut reordered = rows();
    reordered.reverse();
    answer(&mut s, reordered, NOW + 10);
    assert_eq!(selected_id(&s), WEBUI);
    assert_eq!(s.services_selected_index(&s.services_rows()), Some(5));
    // Rows before it gone: the index moves, the service stays.
    let fewer: Vec<_> = rows()
        .into_iter()
        .filter(|r| r.id != OLLAMA && r.id != VLLM)
        .collect();
    answer(&mut s, fewer, NOW + 20);
    assert_eq!(selected_id(&s), WEBUI);
    assert_eq!(s.services_selected_index(&s.services_rows()), Some(2));
    // The row itself gone: the first row, without a panic.
    let without: Vec<_> = rows().into_iter().filter(|r| r.id != WEBUI).collect();
    answer(&mut s, without, NOW + 30);
    assert_eq!(selected_id(&s), OLLAMA);
}

#[test]
fn movement_keys_stay_inside_the_table() {
    let mut s = services_state();
    update(&mut s, code(KeyCode::End));
    assert_eq!(selected_id(&s), REDIS);
    update(&mut s, key('j'));
    assert_eq!(selected_id(&s), REDIS);
    update(&mut s, code(KeyCode::Home));
    update(&mut s, key('k'));
    assert_eq!(selected_id(&s), OLLAMA);
    update(&mut s, code(KeyCode::PageDown));
    assert_ne!(selected_id(&s), OLLAMA);
}

#[test]
fn the_filter_cycles_all_problems_and_catalogue() {
    let mut s = services_state();
    assert_eq!(s.services_rows().len(), 10);
    update(&mut s, key('f'));
    let problems: Vec<String> = s.services_rows().iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        problems,
        vec![ARANGO, OLLAMA2, WEBUI, TXT2KG, CLOUDFLARED],
        "conflict, duplicate, failing probes, a required service down"
    );
    update(&mut s, key('f'));
    let rows = s.services_rows();
    assert_eq!(
        rows.len(),
        7,
        "no unexpected listener, no uncatalogued duplicate"
    );
    assert!(
        rows.iter()
            .all(|r| r.expected && r.state() != ServiceState::Unexpected)
    );
    update(&mut s, key('f'));
    assert_eq!(s.services_rows().len(), 10);
}

#[test]
fn the_selection_survives_a_filter_that_hides_it_and_comes_back() {
    let mut s = services_state();
    select(&mut s, REDIS);
    update(&mut s, key('f'));
    assert_eq!(selected_id(&s), ARANGO, "the first visible row stands in");
    update(&mut s, key('f'));
    update(&mut s, key('f'));
    assert_eq!(selected_id(&s), REDIS, "nothing moved it, so it is back");
}

#[test]
fn enter_toggles_the_detail_pane_and_esc_closes_it() {
    let mut s = services_state();
    update(&mut s, code(KeyCode::Enter));
    assert!(s.services.detail);
    // Beside or under the table, j moves the selection and the pane follows.
    update(&mut s, key('j'));
    assert_eq!(selected_id(&s), VLLM);
    update(&mut s, code(KeyCode::Esc));
    assert!(!s.services.detail);
}

#[test]
fn confirm_sends_the_exact_action_for_that_connection_only() {
    let mut s = services_state();
    select(&mut s, OLLAMA);
    assert!(update(&mut s, key('R')).is_empty());
    let Some(Overlay::ConfirmService(c)) = &s.overlay else {
        panic!("no dialog: {:?}", s.overlay);
    };
    assert_eq!(c.name, LAB);
    assert_eq!(c.host, "dgx@10.0.0.5:22");
    assert_eq!(c.target, ServiceTarget::Unit("ollama.service".into()));
    assert!(!c.act_chosen, "Cancel is chosen first");
    // Enter on Cancel sends nothing.
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(s.overlay.is_none());
    update(&mut s, key('R'));
    update(&mut s, code(KeyCode::Right));
    assert_eq!(
        update(&mut s, code(KeyCode::Enter)),
        vec![Effect::ServiceAction {
            name: LAB.into(),
            target: ServiceTarget::Unit("ollama.service".into()),
            verb: ServiceVerb::Restart,
        }]
    );
    assert!(s.overlay.is_none());
}

#[test]
fn stop_and_start_on_a_docker_row_go_to_its_container() {
    let mut s = services_state();
    select(&mut s, WEBUI);
    for (k, verb) in [('S', ServiceVerb::Stop), ('s', ServiceVerb::Start)] {
        update(&mut s, key(k));
        update(&mut s, code(KeyCode::Tab));
        assert_eq!(
            update(&mut s, code(KeyCode::Enter)),
            vec![Effect::ServiceAction {
                name: LAB.into(),
                target: ServiceTarget::Container("open-webui".into()),
                verb,
            }]
        );
    }
    // A conflicting port acts on the container that holds it.
    select(&mut s, ARANGO);
    update(&mut s, key('R'));
    let Some(Overlay::ConfirmService(c)) = &s.overlay else {
        panic!("no dialog");
    };
    assert_eq!(
        c.target,
        ServiceTarget::Container("txt2kg-arangodb-1".into())
    );
    update(&mut s, code(KeyCode::Esc));
    assert!(s.overlay.is_none());
}

#[test]
fn a_bare_process_has_nothing_to_act_on_and_says_its_pid() {
    let mut s = services_state();
    select(&mut s, FLASK);
    assert!(!available(&s, Action::ServiceRestart));
    assert!(update(&mut s, key('R')).is_empty());
    assert!(s.overlay.is_none());
    let f = flash_text(&s);
    assert!(
        f.contains("nothing to act on") && f.contains("pid 9911"),
        "{f}"
    );
    assert!(update(&mut s, key('l')).is_empty());
    assert!(flash_text(&s).contains("no log"), "{}", flash_text(&s));
}

#[test]
fn read_only_refuses_and_hides_actions() {
    let mut s = services_state();
    s.read_only = true;
    select(&mut s, OLLAMA);
    for k in ['R', 'S', 's'] {
        assert!(update(&mut s, key(k)).is_empty());
        assert!(s.overlay.is_none());
        assert!(
            flash_text(&s).starts_with("read-only"),
            "{}",
            flash_text(&s)
        );
    }
    assert!(!available(&s, Action::ServiceRestart));
    assert!(available(&s, Action::ServiceLog), "logs stay");
    // A dialog opened before read-only was switched on sends nothing.
    let mut s = services_state();
    update(&mut s, key('R'));
    update(&mut s, code(KeyCode::Right));
    s.read_only = true;
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
}

#[test]
fn a_read_only_saved_connection_refuses_too() {
    let mut s = services_state();
    // spark-02 is saved read-only; make it the active, connected one.
    s.active = Some("spark-02".into());
    update(
        &mut s,
        Msg::ConnState {
            name: "spark-02".into(),
            generation: 2,
            state: ConnState::Connected { since: NOW },
        },
    );
    update(
        &mut s,
        Msg::Services {
            name: "spark-02".into(),
            report: report(rows(), NOW),
        },
    );
    assert!(s.read_only_now());
    assert!(update(&mut s, key('R')).is_empty());
    assert!(s.overlay.is_none());
}

#[test]
fn an_action_result_flashes_and_refreshes() {
    let mut s = services_state();
    let fx = update(
        &mut s,
        Msg::ServiceActed {
            name: LAB.into(),
            target: ServiceTarget::Unit("ollama.service".into()),
            verb: ServiceVerb::Restart,
            result: Ok("restarted ollama.service".into()),
        },
    );
    assert_eq!(fx, vec![Effect::LoadServices { name: LAB.into() }]);
    let f = s.flash.clone().unwrap();
    assert_eq!(
        (f.level, f.text.as_str()),
        (FlashLevel::Info, "restarted ollama.service")
    );
    answer(&mut s, rows(), NOW);
    let fx = update(
        &mut s,
        Msg::ServiceActed {
            name: LAB.into(),
            target: ServiceTarget::Unit("ollama.service".into()),
            verb: ServiceVerb::Stop,
            result: Err(ActionError {
                message: "sudo wants a password on spark-01".into(),
                fix: Some("run: sudo systemctl stop ollama.service".into()),
            }),
        },
    );
    assert_eq!(loads(&fx), 1);
    let f = s.flash.clone().unwrap();
    assert_eq!(f.level, FlashLevel::Error);
    assert!(
        f.text.contains("sudo wants a password on spark-01")
            && f.text
                .contains("fix: run: sudo systemctl stop ollama.service"),
        "{}",
        f.text
    );
}

#[test]
fn an_action_answered_during_a_refresh_reads_again_after_it() {
    let mut s = services_state();
    assert_eq!(loads(&tick(&mut s, NOW + 10)), 1);
    let fx = update(
        &mut s,
        Msg::ServiceActed {
            name: LAB.into(),
            target: ServiceTarget::Container("open-webui".into()),
            verb: ServiceVerb::Restart,
            result: Ok(String::new()),
        },
    );
    assert_eq!(loads(&fx), 0, "one refresh at a time");
    assert!(flash_text(&s).contains("open-webui"), "{}", flash_text(&s));
    assert_eq!(loads(&answer(&mut s, rows(), NOW + 11)), 1);
    assert_eq!(loads(&answer(&mut s, rows(), NOW + 12)), 0);
}

#[test]
fn a_dropped_connection_keeps_the_report_marked_stale() {
    let mut s = services_state();
    assert!(!s.services_stale());
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 2,
            state: ConnState::Reconnecting {
                attempt: 1,
                retry_at: NOW + 5,
                reason: "connection reset by peer".into(),
            },
        },
    );
    assert!(s.services_stale());
    assert_eq!(s.services_rows().len(), 10);
    assert_eq!(loads(&tick(&mut s, NOW + 60)), 0);
    // Nothing is sent to a host that is not there; the flash says why.
    select(&mut s, OLLAMA);
    for k in ['R', 'l', 't'] {
        assert!(update(&mut s, key(k)).is_empty(), "{k}");
        assert!(s.overlay.is_none());
        assert!(
            flash_text(&s).contains("reconnect first"),
            "{}",
            flash_text(&s)
        );
    }
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 3,
            state: ConnState::Connected { since: NOW + 61 },
        },
    );
    assert_eq!(loads(&tick(&mut s, NOW + 62)), 1);
}

fn log_title(s: &State) -> String {
    match &s.overlay {
        Some(Overlay::Log(p)) => p.title.clone(),
        other => panic!("no log viewer: {other:?}"),
    }
}

#[test]
fn l_opens_the_service_log_from_the_tail() {
    let mut s = services_state();
    select(&mut s, OLLAMA);
    assert_eq!(
        update(&mut s, key('l')),
        vec![Effect::OpenServiceLog {
            name: LAB.into(),
            target: ServiceTarget::Unit("ollama.service".into()),
            window: LogWindow::Tail,
        }]
    );
    assert_eq!(log_title(&s), "journal: ollama.service @ spark-lab · tail");
    update(
        &mut s,
        Msg::LogLines {
            name: LAB.into(),
            lines: vec!["Nov 22 08:12:40 spark-01 ollama[1187]: listening on [::]:11434".into()],
        },
    );
    assert_eq!(
        update(&mut s, code(KeyCode::Esc)),
        vec![Effect::CloseLog { name: LAB.into() }]
    );
    assert!(s.overlay.is_none());
}

#[test]
fn window_keys_clear_the_view_and_reopen_the_log_from_there() {
    let mut s = services_state();
    select(&mut s, WEBUI);
    update(&mut s, key('l'));
    assert_eq!(log_title(&s), "docker logs: open-webui @ spark-lab · tail");
    update(
        &mut s,
        Msg::LogLines {
            name: LAB.into(),
            lines: vec!["INFO:     Started server process [1]".into()],
        },
    );
    let target = ServiceTarget::Container("open-webui".into());
    for (k, window) in [
        ('2', LogWindow::Last5m),
        ('3', LogWindow::LastHour),
        ('4', LogWindow::Today),
        ('1', LogWindow::Tail),
    ] {
        assert_eq!(
            update(&mut s, key(k)),
            vec![
                Effect::CloseLog { name: LAB.into() },
                Effect::OpenServiceLog {
                    name: LAB.into(),
                    target: target.clone(),
                    window,
                },
            ]
        );
        let Some(Overlay::Log(p)) = &s.overlay else {
            panic!("viewer closed");
        };
        assert!(p.view.is_empty(), "old window's lines stay on screen");
        assert!(p.title.ends_with(window.label()), "{}", p.title);
    }
    // The window on screen already: nothing to do.
    assert!(update(&mut s, key('1')).is_empty());
    // Digits typed into the search prompt are text, not windows.
    update(&mut s, key('/'));
    assert!(update(&mut s, key('2')).is_empty());
    assert!(log_title(&s).ends_with("tail"));
}

#[test]
fn the_worker_log_has_no_window_keys() {
    let mut s = services_state();
    update(&mut s, key('3'));
    let fx = update(&mut s, key('l'));
    assert!(
        matches!(fx.as_slice(), [Effect::OpenWorkerLog { .. }]),
        "{fx:?}"
    );
    assert!(update(&mut s, key('2')).is_empty());
    assert!(matches!(&s.overlay, Some(Overlay::Log(p)) if p.service.is_none()));
}

#[test]
fn t_opens_a_tunnel_on_a_remote_host_and_says_why_not_locally() {
    let mut s = services_state();
    select(&mut s, WEBUI);
    assert_eq!(
        update(&mut s, key('t')),
        vec![Effect::OpenServiceTunnel {
            name: LAB.into(),
            port: 8080,
        }]
    );
    s.active = Some("local".into());
    update(
        &mut s,
        Msg::Services {
            name: "local".into(),
            report: report(rows(), NOW),
        },
    );
    select(&mut s, WEBUI);
    assert!(update(&mut s, key('t')).is_empty());
    assert!(
        flash_text(&s).contains("http://127.0.0.1:8080 is reachable directly"),
        "{}",
        flash_text(&s)
    );
}

fn copied(fx: &[Effect]) -> Option<String> {
    match fx {
        [Effect::CopyToClipboard(u)] => Some(u.clone()),
        _ => None,
    }
}

#[test]
fn y_copies_the_url_that_works_from_here() {
    let mut s = services_state();
    // Wildcard bind on a remote host: the host's address.
    select(&mut s, VLLM);
    assert_eq!(
        copied(&update(&mut s, key('y'))).as_deref(),
        Some("http://10.0.0.5:8000")
    );
    // Loopback only: a tunnel first.
    select(&mut s, WEBUI);
    assert!(update(&mut s, key('y')).is_empty());
    let f = flash_text(&s);
    assert!(
        f.contains("127.0.0.1 only") && f.contains("tunnel first (t)"),
        "{f}"
    );
    // With a tunnel listening for that port: its local end.
    update(
        &mut s,
        Msg::TunnelState {
            name: LAB.into(),
            spec: TunnelSpec {
                local_port: 18080,
                remote_host: "localhost".into(),
                remote_port: 8080,
            },
            state: TunnelState::Listening,
        },
    );
    assert_eq!(
        copied(&update(&mut s, key('y'))).as_deref(),
        Some("http://127.0.0.1:18080")
    );
    // The default Ollama tunnel (11435 → 11434) is listening in the fixture.
    select(&mut s, OLLAMA);
    assert_eq!(
        copied(&update(&mut s, key('y'))).as_deref(),
        Some("http://127.0.0.1:11435")
    );
    // Locally every port is on 127.0.0.1.
    s.active = Some("local".into());
    update(
        &mut s,
        Msg::Services {
            name: "local".into(),
            report: report(rows(), NOW),
        },
    );
    select(&mut s, VLLM);
    assert_eq!(
        copied(&update(&mut s, key('y'))).as_deref(),
        Some("http://127.0.0.1:8000")
    );
}

#[test]
fn a_failed_tunnel_is_not_a_url() {
    let mut s = services_state();
    update(
        &mut s,
        Msg::TunnelState {
            name: LAB.into(),
            spec: TunnelSpec {
                local_port: 18080,
                remote_host: "localhost".into(),
                remote_port: 8080,
            },
            state: TunnelState::Failed("local port 18080 in use".into()),
        },
    );
    select(&mut s, WEBUI);
    assert!(update(&mut s, key('y')).is_empty());
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn the_mouse_wheel_and_a_click_select_rows() {
    let mut s = services_state();
    s.mouse = true;
    update(&mut s, mouse(MouseEventKind::ScrollDown, 10, 10));
    assert_eq!(selected_id(&s), VLLM);
    update(&mut s, mouse(MouseEventKind::ScrollUp, 10, 10));
    assert_eq!(selected_id(&s), OLLAMA);
    // 120x40: header 2, tabs 1, status 1, then the table's border and column titles; the
    // fifth row (Open WebUI) is on screen row 6 + 4.
    let table = s.services_layout().table;
    assert_eq!(table.y, 4);
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 20, table.y + 2 + 4),
    );
    assert_eq!(selected_id(&s), WEBUI);
    // Below the last row: nothing changes.
    update(
        &mut s,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            20,
            table.y + 2 + 30,
        ),
    );
    assert_eq!(selected_id(&s), WEBUI);
}

#[test]
fn a_docker_row_without_docker_says_why_and_how_to_fix_it() {
    let mut s = services_state();
    // docker refused: containers are unknown, so the rows carry none.
    let mut blind = rows();
    for r in &mut blind {
        r.container = None;
        r.owner.container = None;
    }
    update(
        &mut s,
        Msg::Services {
            name: LAB.into(),
            report: sparkdeck::model::ServicesReport {
                problems: vec![docker_denied()],
                ..report(blind, NOW)
            },
        },
    );
    select(&mut s, WHISPER);
    assert!(update(&mut s, key('R')).is_empty());
    let f = flash_text(&s);
    assert!(
        f.contains("docker could not be asked") && f.contains("fix: sudo usermod -aG docker"),
        "{f}"
    );
}
