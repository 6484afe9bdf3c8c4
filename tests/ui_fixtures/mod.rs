//! Fixed data for the update and render tests: a clock, connections in every state,
//! tunnels, and a key check that answers without touching the filesystem.
#![allow(dead_code)]

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sparkdeck::app::{Effect, Msg, State, update};
use sparkdeck::config::Config;
use sparkdeck::model::{
    ConnState, ConnectionSpec, HostInfo, SavedConnection, SavedTunnel, SshConfigEntry, TunnelSpec,
    TunnelState,
};
use std::path::{Path, PathBuf};

/// A fixed instant; every age in the snapshots is relative to it.
pub const NOW: i64 = 1_763_799_200;

pub fn key_ok(p: &Path) -> Result<(), String> {
    if p.starts_with("/keys") {
        Ok(())
    } else {
        Err(format!(
            "cannot read {}: No such file or directory",
            p.display()
        ))
    }
}

pub fn bare_state() -> State {
    let mut s = State::new(&Config::default(), false, "admin-box".into()).with_key_check(key_ok);
    update(
        &mut s,
        Msg::Resize {
            width: 120,
            height: 40,
        },
    );
    update(&mut s, Msg::Tick { now: NOW });
    s
}

fn saved(id: i64, spec: ConnectionSpec, last: Option<i64>) -> SavedConnection {
    SavedConnection {
        id,
        spec,
        created_at: NOW - 30 * 86_400,
        updated_at: NOW - 86_400,
        last_connected_at: last,
    }
}

pub fn saved_list() -> Vec<SavedConnection> {
    let mut lab = ConnectionSpec::new("spark-lab", "10.0.0.5");
    lab.user = Some("dgx".into());
    lab.key_path = Some(PathBuf::from("/keys/id_ed25519"));
    lab.color = Some("green".into());
    let mut two = ConnectionSpec::new("spark-02", "10.0.0.6");
    two.user = Some("ops".into());
    two.jump = Some("bastion".into());
    two.read_only = true;
    two.color = Some("red".into());
    let mut old = ConnectionSpec::new("spark-old", "192.168.1.50");
    old.port = 2222;
    old.user = Some("admin".into());
    vec![
        saved(1, lab, Some(NOW - 7200)),
        saved(2, two, Some(NOW - 3 * 86_400)),
        saved(3, old, None),
    ]
}

pub fn ssh_config() -> Vec<SshConfigEntry> {
    vec![
        SshConfigEntry {
            alias: "lab-gpu".into(),
            hostname: Some("gpu.lab.example".into()),
            port: None,
            user: Some("ml".into()),
            identity_file: Some(PathBuf::from("/keys/lab")),
            proxy_jump: None,
        },
        // Same name as a saved connection: the saved one wins.
        SshConfigEntry {
            alias: "spark-lab".into(),
            hostname: Some("spark-lab.example".into()),
            port: None,
            user: None,
            identity_file: None,
            proxy_jump: None,
        },
        SshConfigEntry {
            alias: "*".into(),
            hostname: None,
            port: None,
            user: None,
            identity_file: None,
            proxy_jump: None,
        },
    ]
}

pub fn tunnels() -> Vec<SavedTunnel> {
    vec![
        SavedTunnel {
            id: 10,
            connection_id: 1,
            spec: TunnelSpec::ollama_default(),
        },
        SavedTunnel {
            id: 11,
            connection_id: 1,
            spec: TunnelSpec {
                local_port: 8080,
                remote_host: "localhost".into(),
                remote_port: 8000,
            },
        },
    ]
}

pub fn loaded() -> Msg {
    Msg::ConnectionsLoaded {
        saved: saved_list(),
        ssh_config: ssh_config(),
        tunnels: tunnels(),
        active: Some("spark-lab".into()),
    }
}

/// Every kind of row: connected with tunnels (one failed), reconnecting with a reason,
/// error, never connected, ssh-config host, and `local`.
pub fn full_state() -> State {
    let mut s = bare_state();
    update(&mut s, loaded());
    let states = [
        ("local", ConnState::Connected { since: NOW - 600 }),
        ("spark-lab", ConnState::Connected { since: NOW - 7200 }),
        (
            "spark-02",
            ConnState::Reconnecting {
                attempt: 3,
                retry_at: NOW + 4,
                reason: "connection reset by peer".into(),
            },
        ),
        (
            "spark-old",
            ConnState::Error {
                reason: "key /keys/old_rsa needs a passphrase; add it to ssh-agent".into(),
            },
        ),
    ];
    for (name, st) in states {
        update(
            &mut s,
            Msg::ConnState {
                name: name.into(),
                generation: 1,
                state: st,
            },
        );
    }
    update(
        &mut s,
        Msg::TunnelState {
            name: "spark-lab".into(),
            spec: TunnelSpec::ollama_default(),
            state: TunnelState::Listening,
        },
    );
    update(
        &mut s,
        Msg::TunnelState {
            name: "spark-lab".into(),
            spec: TunnelSpec {
                local_port: 8080,
                remote_host: "localhost".into(),
                remote_port: 8000,
            },
            state: TunnelState::Failed("local port 8080 in use; 8081 is free".into()),
        },
    );
    update(
        &mut s,
        Msg::HostInfo {
            name: "spark-lab".into(),
            info: HostInfo {
                name: "spark-lab".into(),
                hostname: Some("spark-01".into()),
                source: "ssh".into(),
                user: Some("dgx".into()),
                groups: vec!["dgx".into(), "docker".into()],
                kernel: Some("6.11.0-1016-nvidia".into()),
                arch: Some("aarch64".into()),
                uptime_s: Some(3 * 86_400 + 4 * 3600),
            },
            at: NOW - 12,
        },
    );
    s
}

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Sends every message and collects all effects.
pub fn send(s: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|m| update(s, m)).collect()
}

/// Types text key by key, as a user would.
pub fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(key).collect()
}

pub fn selected(s: &State) -> String {
    s.selected_entry().map(|e| e.name).unwrap_or_default()
}

/// The sizes every rendering is snapshotted at.
pub const SIZES: [(u16, u16); 3] = [(120, 40), (80, 24), (40, 15)];

/// One frame of `state` at `w`×`h`, drawn at `NOW`.
pub fn draw(state: &State, w: u16, h: u16) -> ratatui::backend::TestBackend {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| sparkdeck::ui::render(f, state, NOW)).unwrap();
    t.backend().clone()
}

/// The frame as plain text, one line per row, for assertions on what is on screen.
pub fn screen_text(state: &State, w: u16, h: u16) -> String {
    let b = draw(state, w, h);
    let buf = b.buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
