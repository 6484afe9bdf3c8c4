//! Frame and update costs against DESIGN §8 (idle ≤ 0.15 % of a core, redraw only on
//! change): a full 120×40 draw of the Connections tab, an empty tab and the help overlay,
//! and `update` for a navigation key and a clock tick. Results and how they feed the idle
//! budget are in docs/performance.md.
//!
//! Run: `cargo bench --bench render`. Sample counts are small because the reference
//! machine has 2 shared cores; the spread criterion reports is wide enough for that.

#[path = "../tests/ui_fixtures/mod.rs"]
mod ui_fixtures;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use sparkdeck::app::{Msg, State, update};
use sparkdeck::model::{
    ConnState, ConnectionSpec, SavedConnection, SavedTunnel, TunnelSpec, TunnelState,
};
use std::hint::black_box;
use std::time::Duration;
use ui_fixtures::{NOW, code, full_state, key, saved_list, ssh_config, tunnels};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
/// Saved connections added on top of the fixtures so the list holds about 20 rows.
const EXTRA: i64 = 15;

/// The fixtures' rows (every state, tunnels, host facts) plus `EXTRA` saved connections
/// cycling through connected / reconnecting / error / connecting / never tried, each
/// connected one with a listening tunnel, so a frame scrolls a realistic list.
fn twenty_rows() -> State {
    let mut s = full_state();
    let mut saved = saved_list();
    let mut all_tunnels = tunnels();
    for i in 0..EXTRA {
        let id = 100 + i;
        let mut spec = ConnectionSpec::new(format!("spark-{i:02}-rack"), format!("10.1.0.{i}"));
        spec.user = Some("dgx".into());
        if i % 4 == 0 {
            spec.jump = Some("bastion.example:2222".into());
        }
        if i % 5 == 0 {
            spec.read_only = true;
        }
        saved.push(SavedConnection {
            id,
            spec,
            created_at: NOW - 40 * 86_400,
            updated_at: NOW - 2 * 86_400,
            last_connected_at: (i % 5 != 4).then_some(NOW - i * 3_600),
        });
        all_tunnels.push(SavedTunnel {
            id: 1_000 + i,
            connection_id: id,
            spec: TunnelSpec {
                local_port: 9_000 + i as u16,
                remote_host: "localhost".into(),
                remote_port: 8_000,
            },
        });
    }
    update(
        &mut s,
        Msg::ConnectionsLoaded {
            saved,
            ssh_config: ssh_config(),
            tunnels: all_tunnels,
            active: Some("spark-lab".into()),
        },
    );
    for i in 0..EXTRA {
        let name = format!("spark-{i:02}-rack");
        let state = match i % 5 {
            0 | 1 => ConnState::Connected {
                since: NOW - i * 600,
            },
            2 => ConnState::Reconnecting {
                attempt: i as u32,
                retry_at: NOW + 5,
                reason: "connection reset by peer".into(),
            },
            3 => ConnState::Error {
                reason: "authentication failed: no key in ssh-agent accepted".into(),
            },
            _ => ConnState::Connecting { attempt: 1 },
        };
        let connected = matches!(state, ConnState::Connected { .. });
        update(
            &mut s,
            Msg::ConnState {
                name: name.clone(),
                generation: 1,
                state,
            },
        );
        if connected {
            update(
                &mut s,
                Msg::TunnelState {
                    name,
                    spec: TunnelSpec {
                        local_port: 9_000 + i as u16,
                        remote_host: "localhost".into(),
                        remote_port: 8_000,
                    },
                    state: TunnelState::Listening,
                },
            );
        }
    }
    s
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test backend never fails")
}

/// One `Terminal::draw` per iteration, as the runtime does when `state.dirty` is set:
/// clear the back buffer, render every widget, diff against the last frame, flush.
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
    let conn = twenty_rows();
    assert!(
        conn.visible_entries().len() >= 20,
        "the Connections bench needs about 20 rows, has {}",
        conn.visible_entries().len()
    );
    bench_draw(c, "draw_120x40/connections_20_rows", &conn);

    let mut empty = twenty_rows();
    update(&mut empty, key('2'));
    bench_draw(c, "draw_120x40/empty_tab", &empty);

    let mut help = twenty_rows();
    update(&mut help, key('?'));
    assert!(help.overlay.is_some(), "'?' should open the help overlay");
    bench_draw(c, "draw_120x40/help_overlay", &help);

    // What an idle second costs on the Connections tab: the tick moves the clock, ages
    // change, the frame is redrawn and a few cells differ from the last one.
    let mut idle = twenty_rows();
    let mut t = terminal();
    let mut now = NOW;
    c.bench_function("idle_second_120x40/tick_then_draw", |b| {
        b.iter(|| {
            now += 1;
            update(&mut idle, Msg::Tick { now });
            t.draw(|f| sparkdeck::ui::render(f, &idle, idle.now))
                .expect("a test backend never fails");
        })
    });
}

fn updates(c: &mut Criterion) {
    // Alternating down/up keeps the selection moving instead of parking on the last row.
    let mut nav = twenty_rows();
    let mut down = true;
    c.bench_function("update/key_navigation", |b| {
        b.iter(|| {
            let msg = if down {
                code(KeyCode::Down)
            } else {
                code(KeyCode::Up)
            };
            down = !down;
            black_box(update(&mut nav, msg));
        })
    });

    let mut ticking = twenty_rows();
    let mut now = NOW;
    c.bench_function("update/tick", |b| {
        b.iter(|| {
            now += 1;
            black_box(update(&mut ticking, Msg::Tick { now }));
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .without_plots()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = render, updates
}
criterion_main!(benches);
