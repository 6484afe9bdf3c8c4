//! insta snapshots of the frame, the Connections tab and every dialog at 120×40, 80×24 and
//! 40×15, with fixed data and a fixed clock; plus tiny sizes that must not panic.

mod ui_fixtures;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use sparkdeck::app::{Msg, State, update};
use sparkdeck::config::{Config, Theme};
use ui_fixtures::*;

/// Snapshots `build()` at every size; the state is rebuilt per size because layout-dependent
/// keys (paging, clicks) read the size from `Msg::Resize`.
fn snap_all(name: &str, build: impl Fn() -> State) {
    for (w, h) in SIZES {
        let mut s = build();
        update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&s, w, h));
    }
}

fn with(mut s: State, msgs: Vec<Msg>) -> State {
    send(&mut s, msgs);
    s
}

#[test]
fn empty_tabs_say_what_will_appear() {
    for (tab, name) in [('4', "services"), ('5', "models")] {
        snap_all(&format!("tab_{name}_empty"), || {
            with(full_state(), vec![key(tab)])
        });
    }
}

#[test]
fn connections_tab_with_every_state() {
    snap_all("connections", full_state);
}

#[test]
fn connections_tab_before_anything_loaded() {
    snap_all("connections_loading", bare_state);
}

#[test]
fn connections_tab_filtered() {
    snap_all("connections_filtered", || {
        let mut msgs = vec![key('/')];
        msgs.extend(typed("spark"));
        with(full_state(), msgs)
    });
}

#[test]
fn read_only_connection_shows_ro_and_reconnecting_is_stale() {
    snap_all("connections_active_read_only", || {
        let mut s = full_state();
        update(
            &mut s,
            Msg::HostInfo {
                name: "spark-02".into(),
                info: sparkdeck::model::HostInfo {
                    name: "spark-02".into(),
                    hostname: Some("spark-02".into()),
                    source: "ssh".into(),
                    user: Some("ops".into()),
                    groups: vec![],
                    kernel: Some("6.11.0-1016-nvidia".into()),
                    arch: Some("aarch64".into()),
                    uptime_s: Some(7200),
                },
                at: NOW - 190,
            },
        );
        with(s, vec![key('k'), key('c')])
    });
}

#[test]
fn help_overlay() {
    snap_all("help", || with(full_state(), vec![key('?')]));
}

#[test]
fn palette_overlay() {
    snap_all("palette", || with(full_state(), vec![key(':'), key('t')]));
}

#[test]
fn form_with_validation_errors() {
    snap_all("form_errors", || {
        let mut msgs = vec![key('a')];
        msgs.extend(typed("spark-02"));
        msgs.extend([
            code(KeyCode::Tab),
            code(KeyCode::Tab),
            code(KeyCode::Backspace),
        ]);
        msgs.extend(typed("2x"));
        msgs.extend([code(KeyCode::Tab), code(KeyCode::Tab)]);
        msgs.extend(typed("/home/op/.ssh/nope"));
        msgs.push(code(KeyCode::Enter));
        with(full_state(), msgs)
    });
}

#[test]
fn form_with_store_error() {
    snap_all("form_store_error", || {
        let mut s = with(full_state(), vec![key('e'), code(KeyCode::Enter)]);
        update(
            &mut s,
            Msg::StoreSaved {
                result: Err(
                    "database is locked: /home/op/.local/share/sparkdeck/sparkdeck.db".into(),
                ),
            },
        );
        s
    });
}

#[test]
fn confirm_delete_dialog() {
    snap_all("confirm_delete", || with(full_state(), vec![key('D')]));
}

#[test]
fn host_key_dialog_with_warning() {
    snap_all("host_key", || {
        with(
            full_state(),
            vec![Msg::HostKeyQuestion {
                id: 7,
                name: "spark-02".into(),
                host: "10.0.0.6:22".into(),
                key_type: "ssh-ed25519".into(),
                fingerprint: "SHA256:3q2+7wQzW0dC5lYkq1fD8nq6vJ0cV0vY8b9Pq8mZ6nE".into(),
                other_known_keys: 2,
            }],
        )
    });
}

#[test]
fn tunnel_form_and_flash() {
    snap_all("tunnel_form", || {
        let mut s = with(full_state(), vec![key('t')]);
        update(
            &mut s,
            Msg::Flash {
                level: sparkdeck::app::FlashLevel::Warn,
                text: "tunnel 8080 → localhost:8000 failed: local port 8080 in use".into(),
            },
        );
        s
    });
}

#[test]
fn mono_theme_keeps_every_cue_in_text() {
    let config = Config {
        theme: Theme::mono(),
        ..Config::default()
    };
    let mut s = State::new(&config, true, "admin-box".into());
    send(&mut s, [Msg::Tick { now: NOW }, loaded()]);
    let backend = draw(&s, 80, 24);
    let text = backend.to_string();
    assert!(text.contains("[RO]"), "global read-only shows the badge");
    assert!(text.contains("[1 Connections]"), "active tab is bracketed");
    assert!(text.contains("▶"), "selection has a marker");
    for cell in backend.buffer().content() {
        assert_eq!(
            cell.fg,
            ratatui::style::Color::Reset,
            "mono never sets a colour"
        );
        assert_eq!(
            cell.bg,
            ratatui::style::Color::Reset,
            "mono never sets a colour"
        );
    }
}

#[test]
fn hints_follow_the_live_keymap() {
    use sparkdeck::app::action::Action;
    use sparkdeck::config::{KeyBinding, Keymap};
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
    let mut s = State::new(&config, false, "admin-box".into());
    send(&mut s, [Msg::Tick { now: NOW }, loaded()]);
    let text = draw(&s, 120, 40).to_string();
    assert!(
        text.contains("o connect"),
        "hint bar shows the remapped key"
    );
    assert!(!text.contains("c connect"));
    send(&mut s, [key('?')]);
    let help = draw(&s, 120, 40).to_string();
    let line = format!("  {:<16}{}", "o", Action::Connect.description());
    assert!(help.contains(&line), "help lists the remapped key");
}

#[test]
fn tiny_terminals_do_not_panic() {
    let states: Vec<State> = vec![
        bare_state(),
        full_state(),
        with(full_state(), vec![key('?')]),
        with(full_state(), vec![key(':')]),
        with(full_state(), vec![key('a'), code(KeyCode::Enter)]),
        with(full_state(), vec![key('D')]),
        with(full_state(), vec![key('t')]),
        with(full_state(), vec![key('T')]),
        with(full_state(), vec![key('/'), key('x')]),
        with(
            full_state(),
            vec![Msg::HostKeyQuestion {
                id: 1,
                name: "n".into(),
                host: "h".into(),
                key_type: "k".into(),
                fingerprint: "f".into(),
                other_known_keys: 1,
            }],
        ),
        with(full_state(), vec![key('2')]),
    ];
    for s in &states {
        for (w, h) in [
            (1, 1),
            (10, 3),
            (2, 20),
            (20, 5),
            (39, 14),
            (59, 19),
            (0, 0),
        ] {
            let _ = draw(s, w.max(1), h.max(1));
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| sparkdeck::ui::render(f, s, NOW)).unwrap();
        }
    }
}

#[test]
fn tunnel_picker() {
    snap_all("tunnel_pick", || {
        with(full_state(), vec![key('T'), key('j')])
    });
}
