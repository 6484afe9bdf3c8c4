//! Pure `update` tests: navigation, selection by name, forms, dialogs, messages.

mod ui_fixtures;

use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use sparkdeck::app::action::Action;
use sparkdeck::app::form::Field;
use sparkdeck::app::overlay::Overlay;
use sparkdeck::app::update::palette_matches;
use sparkdeck::app::{Effect, FlashLevel, Msg, Tab, update};
use sparkdeck::config::{Config, KeyBinding, Keymap};
use sparkdeck::model::{ConnState, HostKeyDecision, TunnelSpec};
use ui_fixtures::*;

fn names(s: &sparkdeck::app::State) -> Vec<String> {
    s.visible_entries().into_iter().map(|e| e.name).collect()
}

#[test]
fn list_merges_local_saved_and_ssh_config_with_saved_winning() {
    let s = full_state();
    assert_eq!(
        names(&s),
        ["local", "spark-02", "spark-lab", "spark-old", "lab-gpu"]
    );
    let lab = s
        .entries()
        .into_iter()
        .find(|e| e.name == "spark-lab")
        .unwrap();
    assert_eq!(
        lab.host, "10.0.0.5",
        "the saved spark-lab hides the ssh-config one"
    );
    assert_eq!(selected(&s), "spark-lab", "starts on the active connection");
}

#[test]
fn vim_keys_and_arrows_move_and_clamp() {
    let mut s = full_state();
    send(&mut s, [key('j')]);
    assert_eq!(selected(&s), "spark-old");
    send(&mut s, [code(KeyCode::Down), key('j'), key('j')]);
    assert_eq!(selected(&s), "lab-gpu");
    send(&mut s, [key('k'), code(KeyCode::Up)]);
    assert_eq!(selected(&s), "spark-lab");
    send(&mut s, [key('g')]);
    assert_eq!(selected(&s), "local");
    send(&mut s, [key('G')]);
    assert_eq!(selected(&s), "lab-gpu");
}

#[test]
fn selection_by_name_survives_reload() {
    let mut s = full_state();
    send(&mut s, [key('k')]);
    assert_eq!(selected(&s), "spark-02");
    let mut saved = saved_list();
    let mut extra = saved[0].clone();
    extra.id = 9;
    extra.spec.name = "aaa-new".into();
    saved.push(extra);
    send(
        &mut s,
        [Msg::ConnectionsLoaded {
            saved,
            ssh_config: ssh_config(),
            tunnels: tunnels(),
            active: None,
        }],
    );
    assert_eq!(names(&s)[1], "aaa-new", "the new row comes before it");
    assert_eq!(selected(&s), "spark-02");
}

#[test]
fn filter_is_incremental_case_insensitive_and_keeps_the_selection() {
    let mut s = full_state();
    send(&mut s, [key('k')]);
    assert_eq!(selected(&s), "spark-02");
    send(&mut s, [key('/')]);
    send(&mut s, typed("LAB"));
    assert_eq!(names(&s), ["spark-lab", "lab-gpu"]);
    assert_eq!(s.filter_text(), "LAB");
    // The hidden selection is not forgotten: clearing the filter brings it back.
    send(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.filter_text(), "");
    assert!(!s.filter_editing);
    assert_eq!(selected(&s), "spark-02");
    // Enter keeps the filter and gives the keys back to the list.
    send(&mut s, [key('/'), key('s'), key('s'), code(KeyCode::Enter)]);
    assert_eq!(names(&s), ["lab-gpu"], "ssh-config origin matches too");
    let fx = send(&mut s, [key('c')]);
    assert_eq!(
        fx[0],
        Effect::Connect {
            name: "lab-gpu".into()
        }
    );
    // Esc on the list clears a kept filter.
    send(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(names(&s).len(), 5);
}

#[test]
fn q_types_in_text_fields_and_quits_elsewhere() {
    let mut s = full_state();
    assert!(send(&mut s, [key('/'), key('q')]).is_empty());
    assert_eq!(s.filter_text(), "q");
    send(&mut s, [code(KeyCode::Esc), key('a')]);
    assert!(send(&mut s, [key('q')]).is_empty());
    let Some(Overlay::Form(f)) = &s.overlay else {
        panic!("form should be open")
    };
    assert_eq!(f.name.value(), "q");
    assert_eq!(
        send(&mut s, [ctrl('c')]),
        [Effect::Quit],
        "ctrl-c always quits"
    );
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(s.overlay.is_none(), "esc cancels the form");
    assert_eq!(send(&mut s, [key('q')]), [Effect::Quit]);
}

#[test]
fn tabs_by_number_and_tab_keys_wrap() {
    let mut s = full_state();
    send(&mut s, [key('3')]);
    assert_eq!(s.tab, Tab::Jobs);
    send(&mut s, [code(KeyCode::Tab), code(KeyCode::Tab)]);
    assert_eq!(s.tab, Tab::Models);
    send(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(s.tab, Tab::Connections);
    send(&mut s, [code(KeyCode::BackTab)]);
    assert_eq!(s.tab, Tab::Models);
    // Connection keys do nothing off the Connections tab.
    assert!(send(&mut s, [key('c'), key('D')]).is_empty());
    assert!(s.overlay.is_none());
}

#[test]
fn connecting_another_entry_switches_the_active_connection() {
    let mut s = full_state();
    send(&mut s, [key('k')]);
    let fx = send(&mut s, [key('c')]);
    assert_eq!(
        fx,
        [
            Effect::Connect {
                name: "spark-02".into()
            },
            Effect::SetActive {
                name: "spark-02".into()
            }
        ]
    );
    assert_eq!(s.active.as_deref(), Some("spark-02"));
    // Already connected, not active: only switch.
    send(&mut s, [key('g')]);
    assert_eq!(
        send(&mut s, [code(KeyCode::Enter)]),
        [Effect::SetActive {
            name: "local".into()
        }]
    );
    assert_eq!(
        send(&mut s, [key('x')]),
        [Effect::Disconnect {
            name: "local".into()
        }]
    );
    send(&mut s, [key('G')]);
    assert!(
        send(&mut s, [key('x')]).is_empty(),
        "lab-gpu is not connected"
    );
    assert_eq!(s.flash.as_ref().unwrap().text, "'lab-gpu' is not connected");
}

#[test]
fn form_validation_reports_every_field() {
    let mut s = full_state();
    send(&mut s, [key('a'), code(KeyCode::Enter)]);
    let Some(Overlay::Form(f)) = &s.overlay else {
        panic!("form should stay open")
    };
    assert_eq!(f.error(Field::Name), Some("a name is required"));
    assert_eq!(f.error(Field::Host), Some("a host is required"));
    assert_eq!(f.error(Field::Port), None, "22 is the default");
    assert_eq!(f.focused(), Field::Name, "focus jumps to the first error");

    send(&mut s, typed("new box"));
    send(&mut s, [code(KeyCode::Tab)]);
    send(&mut s, typed("10.0.0.9"));
    send(
        &mut s,
        [
            code(KeyCode::Tab),
            code(KeyCode::Backspace),
            code(KeyCode::Backspace),
        ],
    );
    send(&mut s, typed("70000"));
    send(&mut s, [code(KeyCode::Tab), code(KeyCode::Tab)]);
    send(&mut s, [Msg::Paste("/home/x/.ssh/missing".into())]);
    send(
        &mut s,
        [code(KeyCode::Tab), code(KeyCode::Tab), code(KeyCode::Tab)],
    );
    send(&mut s, typed("chartreuse"));
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert!(fx.is_empty());
    let Some(Overlay::Form(f)) = &s.overlay else {
        panic!("form should stay open")
    };
    assert_eq!(
        f.error(Field::Name),
        Some("no spaces in names (used with --host)")
    );
    assert_eq!(f.error(Field::Host), None);
    assert_eq!(
        f.error(Field::Port),
        Some("port must be a number from 1 to 65535")
    );
    assert_eq!(
        f.error(Field::KeyPath),
        Some("cannot read /home/x/.ssh/missing: No such file or directory"),
        "the injected key check decides"
    );
    assert!(f.error(Field::Color).unwrap().starts_with("unknown colour"));
    assert_eq!(f.port.value(), "70000", "nothing typed is lost");
}

#[test]
fn valid_form_saves_and_store_errors_keep_it_open() {
    let mut s = full_state();
    send(&mut s, [key('a')]);
    send(&mut s, typed("spark-new"));
    send(&mut s, [code(KeyCode::Tab)]);
    send(&mut s, typed("10.0.0.9"));
    send(&mut s, [code(KeyCode::Tab), code(KeyCode::Tab)]);
    send(&mut s, typed("dgx"));
    send(&mut s, [code(KeyCode::Tab)]);
    send(&mut s, typed("/keys/id"));
    send(&mut s, [code(KeyCode::Tab), code(KeyCode::Tab), key(' ')]);
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    let [Effect::SaveConnection { id: None, spec }] = fx.as_slice() else {
        panic!("expected one save, got {fx:?}")
    };
    assert_eq!(spec.name, "spark-new");
    assert_eq!(spec.port, 22);
    assert_eq!(spec.user.as_deref(), Some("dgx"));
    assert!(spec.read_only);
    assert_eq!(spec.jump, None);

    send(
        &mut s,
        [Msg::StoreSaved {
            result: Err("database is locked (/tmp/x/sparkdeck.db)".into()),
        }],
    );
    let Some(Overlay::Form(f)) = &s.overlay else {
        panic!("a store error must keep the form open")
    };
    assert_eq!(
        f.store_error.as_deref(),
        Some("database is locked (/tmp/x/sparkdeck.db)")
    );
    assert_eq!(f.name.value(), "spark-new");
    assert_eq!(s.flash.as_ref().unwrap().level, FlashLevel::Error);

    let mut saved = saved_list()[0].clone();
    saved.id = 7;
    saved.spec = spec.clone();
    send(&mut s, [code(KeyCode::Enter)]);
    send(&mut s, [Msg::StoreSaved { result: Ok(saved) }]);
    assert!(s.overlay.is_none());
    assert_eq!(selected(&s), "spark-new");
    assert!(names(&s).contains(&"spark-new".to_string()));
}

#[test]
fn duplicate_names_are_refused_but_editing_keeps_its_own_name() {
    let mut s = full_state();
    send(&mut s, [key('a')]);
    send(&mut s, typed("spark-02"));
    send(&mut s, [code(KeyCode::Tab)]);
    send(&mut s, typed("h"));
    send(&mut s, [code(KeyCode::Enter)]);
    let Some(Overlay::Form(f)) = &s.overlay else {
        panic!("form should stay open")
    };
    assert_eq!(
        f.error(Field::Name),
        Some("\"spark-02\" is already saved; pick another name")
    );
    send(&mut s, [code(KeyCode::Esc)]);
    // Edit spark-lab and save unchanged.
    let fx = send(&mut s, [key('e'), code(KeyCode::Enter)]);
    let [Effect::SaveConnection { id: Some(1), spec }] = fx.as_slice() else {
        panic!("expected an update of id 1, got {fx:?}")
    };
    assert_eq!(spec, &saved_list()[0].spec);
}

#[test]
fn editing_an_ssh_config_host_creates_a_saved_connection() {
    let mut s = full_state();
    send(&mut s, [key('G')]);
    let fx = send(&mut s, [key('e'), code(KeyCode::Enter)]);
    let [Effect::SaveConnection { id: None, spec }] = fx.as_slice() else {
        panic!("expected an insert, got {fx:?}")
    };
    assert_eq!(spec.name, "lab-gpu");
    assert_eq!(spec.host, "gpu.lab.example");
    assert_eq!(spec.user.as_deref(), Some("ml"));
    assert_eq!(spec.port, 22);
}

#[test]
fn delete_asks_first_and_defaults_to_cancel() {
    let mut s = full_state();
    send(&mut s, [key('D')]);
    let Some(Overlay::ConfirmDelete(c)) = &s.overlay else {
        panic!("delete must ask")
    };
    assert_eq!(c.name, "spark-lab");
    assert!(!c.delete_chosen);
    assert!(
        send(&mut s, [code(KeyCode::Enter)]).is_empty(),
        "enter on the default cancels"
    );
    assert!(s.overlay.is_none());

    let fx = send(
        &mut s,
        [key('D'), code(KeyCode::Right), code(KeyCode::Enter)],
    );
    assert_eq!(
        fx,
        [Effect::DeleteConnection {
            id: 1,
            name: "spark-lab".into()
        }]
    );
    send(
        &mut s,
        [Msg::StoreDeleted {
            id: 1,
            name: "spark-lab".into(),
            result: Ok(()),
        }],
    );
    assert_eq!(selected(&s), "spark-old", "the next row takes the cursor");
    assert!(s.tunnels.iter().all(|t| t.connection_id != 1));

    send(&mut s, [key('G'), key('D')]);
    assert!(s.overlay.is_none(), "ssh-config hosts are not deleted here");
    assert_eq!(s.flash.as_ref().unwrap().level, FlashLevel::Warn);
}

#[test]
fn host_key_answers_map_to_effects_and_default_to_cancel() {
    let ask = |id| Msg::HostKeyQuestion {
        id,
        name: "spark-lab".into(),
        host: "10.0.0.5:22".into(),
        key_type: "ssh-ed25519".into(),
        fingerprint: "SHA256:abc".into(),
        other_known_keys: 0,
    };
    let mut s = full_state();
    let answer = |s: &mut sparkdeck::app::State, id, keys: Vec<Msg>| {
        send(s, [ask(id)]);
        assert!(matches!(s.overlay, Some(Overlay::HostKey(_))));
        send(s, keys)
    };
    let a = |id, decision| vec![Effect::AnswerHostKey { id, decision }];
    assert_eq!(
        answer(&mut s, 1, vec![code(KeyCode::Enter)]),
        a(1, HostKeyDecision::Cancel)
    );
    assert_eq!(
        answer(&mut s, 2, vec![code(KeyCode::Left), code(KeyCode::Enter)]),
        a(2, HostKeyDecision::TrustAlways)
    );
    assert_eq!(
        answer(
            &mut s,
            3,
            vec![
                code(KeyCode::Left),
                code(KeyCode::Left),
                code(KeyCode::Enter)
            ]
        ),
        a(3, HostKeyDecision::TrustOnce)
    );
    assert_eq!(
        answer(&mut s, 4, vec![code(KeyCode::Esc)]),
        a(4, HostKeyDecision::Cancel)
    );
    assert!(s.overlay.is_none());

    // A question never replaces a half-typed form; it waits behind it.
    send(&mut s, [key('a'), key('z'), ask(5)]);
    assert!(matches!(s.overlay, Some(Overlay::Form(_))));
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(matches!(s.overlay, Some(Overlay::HostKey(ref h)) if h.id == 5));
}

#[test]
fn stale_generations_are_dropped() {
    let mut s = full_state();
    let st = |generation, state| Msg::ConnState {
        name: "spark-lab".into(),
        generation,
        state,
    };
    send(&mut s, [st(5, ConnState::Connected { since: NOW })]);
    send(
        &mut s,
        [st(
            4,
            ConnState::Error {
                reason: "old".into(),
            },
        )],
    );
    assert_eq!(
        s.conn_state("spark-lab"),
        ConnState::Connected { since: NOW }
    );
    send(&mut s, [st(6, ConnState::Disconnected)]);
    assert_eq!(s.conn_state("spark-lab"), ConnState::Disconnected);
}

#[test]
fn flash_expires_after_its_ttl_via_ticks() {
    let mut s = full_state();
    send(
        &mut s,
        [Msg::Flash {
            level: FlashLevel::Info,
            text: "done".into(),
        }],
    );
    send(&mut s, [Msg::Tick { now: NOW + 100 }]);
    send(&mut s, [Msg::Tick { now: NOW + 103 }]);
    assert!(s.flash.is_some());
    s.dirty = false;
    send(&mut s, [Msg::Tick { now: NOW + 104 }]);
    assert!(s.flash.is_none());
    assert!(s.dirty);
    send(
        &mut s,
        [Msg::Flash {
            level: FlashLevel::Error,
            text: "bad".into(),
        }],
    );
    send(
        &mut s,
        [Msg::Tick { now: NOW + 200 }, Msg::Tick { now: NOW + 205 }],
    );
    assert!(s.flash.is_some(), "errors stay longer");
}

#[test]
fn tunnels_add_with_validation_and_remove_by_pick() {
    let mut s = full_state();
    send(&mut s, [key('t')]);
    send(&mut s, typed("8080"));
    send(&mut s, [code(KeyCode::Tab), code(KeyCode::Tab)]);
    send(&mut s, typed("8000"));
    assert!(send(&mut s, [code(KeyCode::Enter)]).is_empty());
    let Some(Overlay::TunnelForm(f)) = &s.overlay else {
        panic!("tunnel form should stay open")
    };
    assert_eq!(
        f.error(sparkdeck::app::form::TunnelField::LocalPort),
        Some("local port 8080 is already a tunnel of this connection")
    );
    send(
        &mut s,
        [
            code(KeyCode::BackTab),
            code(KeyCode::BackTab),
            code(KeyCode::Backspace),
        ],
    );
    send(&mut s, typed("1"));
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        fx,
        [Effect::AddTunnel {
            connection: 1,
            name: "spark-lab".into(),
            spec: TunnelSpec {
                local_port: 8081,
                remote_host: "localhost".into(),
                remote_port: 8000
            }
        }]
    );
    send(&mut s, [code(KeyCode::Esc)]);
    // Listed by local port: 8080 (id 11), then 11435 (id 10).
    let fx = send(&mut s, [key('T'), key('j'), code(KeyCode::Enter)]);
    assert_eq!(fx, [Effect::RemoveTunnel { id: 10 }]);
    let fx = send(&mut s, [key('T'), code(KeyCode::Enter)]);
    assert_eq!(fx, [Effect::RemoveTunnel { id: 11 }]);
    send(&mut s, [key('g'), key('t')]);
    assert!(s.overlay.is_none(), "local has no saved tunnels");
}

#[test]
fn palette_offers_only_valid_actions_and_runs_them() {
    let mut s = full_state();
    send(&mut s, [key(':')]);
    send(&mut s, typed("disc"));
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        fx,
        [Effect::Disconnect {
            name: "spark-lab".into()
        }]
    );
    assert!(s.overlay.is_none());
    send(&mut s, [key('2')]);
    let offered = palette_matches(&s, "");
    assert!(!offered.contains(&Action::Connect));
    assert!(offered.contains(&Action::Quit));
    send(&mut s, [key(':'), key('?')]);
    assert!(
        matches!(s.overlay, Some(Overlay::Palette(_))),
        "'?' types in the palette"
    );
}

#[test]
fn mouse_toggles_and_clicks_select_tabs_and_rows() {
    let mut s = full_state();
    let click = |column, row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(&mut s, [click(20, 2)]);
    assert_eq!(
        s.tab,
        Tab::Connections,
        "clicks are ignored while mouse is off"
    );
    assert_eq!(send(&mut s, [key('M')]), [Effect::SetMouse(true)]);
    // 120×40: header 2 lines, tab bar on row 2; "[1 Connections]" is 15 wide.
    send(&mut s, [click(17, 2)]);
    assert_eq!(s.tab, Tab::Gpu);
    send(&mut s, [click(1, 2)]);
    assert_eq!(s.tab, Tab::Connections);
    // List border on row 3, column titles on row 4, first row ("local") on row 5.
    send(&mut s, [click(10, 5)]);
    assert_eq!(selected(&s), "local");
    send(&mut s, [click(10, 9)]);
    assert_eq!(selected(&s), "lab-gpu");
}

#[test]
fn remapped_keys_are_honoured() {
    let mut bindings: Vec<(KeyBinding, Action)> = Keymap::default()
        .bindings()
        .iter()
        .filter(|(_, a)| *a != Action::Connect)
        .copied()
        .collect();
    bindings.push((KeyBinding::plain('o'), Action::Connect));
    let config = Config {
        keymap: Keymap::from_bindings(bindings),
        ..Config::default()
    };
    let mut s = sparkdeck::app::State::new(&config, false, "h".into());
    update(&mut s, loaded());
    assert!(send(&mut s, [key('c')]).is_empty());
    assert_eq!(
        send(&mut s, [key('o')]),
        [Effect::Connect {
            name: "spark-lab".into()
        }]
    );
}
