//! What the keys do on the GPU tab: process selection, the GPU selector, history, the
//! alert list and the terminate confirmation.

use super::action::Action;
use super::effect::Effect;
use super::gpu::{GpuMetric, HistoryRange, HistoryView};
use super::layout;
use super::msg::FlashLevel;
use super::overlay::{ConfirmTerminate, Overlay};
use super::state::State;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// Whether `action` can do something on the GPU tab; `None` leaves it to the general rules.
pub fn available(state: &State, action: Action) -> Option<bool> {
    let gpus = state.gpu_view().map_or(0, |v| v.samples.len());
    Some(match action {
        Action::Terminate => !state.read_only_now() && state.gpu_selected_process().is_some(),
        Action::PrevGpu | Action::NextGpu => gpus > 1,
        Action::HistoryMetric | Action::HistoryRange => state.gpu.history.is_some(),
        Action::History => state.active.is_some() && gpus > 0,
        Action::Alerts | Action::Filter => true,
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => !state.gpu_processes().is_empty(),
        Action::Back => {
            state.gpu.history.is_some()
                || state.gpu.show_alerts
                || !state.gpu.filter.value().is_empty()
        }
        _ => return None,
    })
}

/// Runs a GPU-tab action; `None` for actions that are not the tab's own (tabs, help...).
pub fn apply(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = page(state) as i64;
    match action {
        Action::Filter => state.filter_editing = true,
        Action::Up => move_process(state, -1),
        Action::Down => move_process(state, 1),
        Action::PageUp => move_process(state, -page),
        Action::PageDown => move_process(state, page),
        Action::Top => move_process(state, i64::MIN / 2),
        Action::Bottom => move_process(state, i64::MAX / 2),
        Action::Back => {
            if state.gpu.history.take().is_none() && !std::mem::take(&mut state.gpu.show_alerts) {
                state.gpu.filter.reset();
            }
        }
        Action::PrevGpu => return Some(move_gpu(state, -1)),
        Action::NextGpu => return Some(move_gpu(state, 1)),
        Action::Alerts => {
            state.gpu.show_alerts = !state.gpu.show_alerts;
            if state.gpu.show_alerts {
                state.gpu.history = None;
            }
        }
        Action::History => return Some(toggle_history(state)),
        Action::HistoryMetric => {
            return Some(change_history(state, |h| h.metric = h.metric.next()));
        }
        Action::HistoryRange => {
            return Some(change_history(state, |h| h.range = h.range.next()));
        }
        Action::Terminate => terminate(state),
        // A refresh also re-reads the chart on screen, up to now.
        Action::Refresh if state.gpu.history.is_some() => {
            let mut fx = vec![Effect::Refresh];
            fx.extend(load_history(state));
            return Some(fx);
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn body(state: &State) -> Rect {
    layout::frame(Rect::new(0, 0, state.size.0, state.size.1)).body
}

fn gpu_count(state: &State) -> usize {
    state.gpu_view().map_or(0, |v| v.samples.len())
}

fn page(state: &State) -> usize {
    let (l, _) = layout::gpu(body(state), gpu_count(state));
    // Border, header row.
    l.lower.height.saturating_sub(3).max(1) as usize
}

pub fn move_process(state: &mut State, delta: i64) {
    let rows = state.gpu_processes();
    let Some(i) = state.gpu_selected_index(&rows) else {
        return;
    };
    let j = (i as i64)
        .saturating_add(delta)
        .clamp(0, rows.len() as i64 - 1) as usize;
    state.gpu.selected_pid = Some(rows[j].pid);
}

fn move_gpu(state: &mut State, delta: i64) -> Vec<Effect> {
    let n = gpu_count(state);
    if n == 0 {
        return Vec::new();
    }
    let i = state.gpu_selected() as i64;
    state.gpu.selected_gpu = (i + delta).rem_euclid(n as i64) as usize;
    let index = state
        .gpu_view()
        .and_then(|v| v.samples.get(state.gpu.selected_gpu))
        .map(|s| s.index);
    match index {
        Some(index) if state.gpu.history.is_some() => change_history(state, |h| {
            h.gpu_index = index;
        }),
        _ => Vec::new(),
    }
}

fn toggle_history(state: &mut State) -> Vec<Effect> {
    if state.gpu.history.take().is_some() {
        return Vec::new();
    }
    let Some(name) = state.active.clone() else {
        state.flash(FlashLevel::Warn, "no active connection: pick one first");
        return Vec::new();
    };
    let Some(gpu_index) = state
        .gpu_view()
        .and_then(|v| v.samples.get(state.gpu_selected()))
        .map(|s| s.index)
    else {
        state.flash(
            FlashLevel::Info,
            format!("no GPU on '{name}' to show history for"),
        );
        return Vec::new();
    };
    state.gpu.show_alerts = false;
    state.gpu.history = Some(HistoryView {
        name,
        gpu_index,
        metric: GpuMetric::Utilization,
        range: HistoryRange::Hour,
        since: 0,
        until: 0,
        points: None,
    });
    load_history(state)
}

fn change_history(state: &mut State, f: impl FnOnce(&mut HistoryView)) -> Vec<Effect> {
    match &mut state.gpu.history {
        Some(h) => {
            f(h);
            load_history(state)
        }
        None => Vec::new(),
    }
}

/// Asks for the chart on screen, one point per plot column, ending now.
fn load_history(state: &mut State) -> Vec<Effect> {
    let points = layout::gpu_history_points(body(state), gpu_count(state));
    let now = state.now;
    let Some(h) = &mut state.gpu.history else {
        return Vec::new();
    };
    h.until = now;
    h.since = now - h.range.secs();
    h.points = None;
    vec![Effect::LoadGpuHistory {
        name: h.name.clone(),
        gpu_index: h.gpu_index,
        metric: h.metric,
        since: h.since,
        until: h.until,
        points,
    }]
}

fn terminate(state: &mut State) {
    if state.read_only_now() {
        state.flash(
            FlashLevel::Warn,
            "read-only: terminating processes is turned off",
        );
        return;
    }
    let Some(name) = state.active.clone() else {
        state.flash(FlashLevel::Warn, "no active connection");
        return;
    };
    let Some(p) = state.gpu_selected_process() else {
        state.flash(FlashLevel::Info, "no GPU process selected");
        return;
    };
    let host = state
        .active_entry()
        .map(|e| {
            if e.name == super::entries::LOCAL_NAME {
                state.local_hostname.clone()
            } else {
                e.address()
            }
        })
        .unwrap_or_else(|| name.clone());
    let force = state.gpu.sigterm_sent.as_ref() == Some(&(name.clone(), p.pid));
    state.overlay = Some(Overlay::ConfirmTerminate(ConfirmTerminate {
        name,
        host,
        pid: p.pid,
        command: p.command.clone().unwrap_or_else(|| p.name.clone()),
        force,
        terminate_chosen: false,
    }));
}

/// Keys in the terminate dialog. `K` again offers SIGKILL (a second confirmation, again
/// starting on Cancel). `None` closes the dialog.
pub fn confirm_terminate_key(
    state: &mut State,
    mut c: ConfirmTerminate,
    k: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<ConfirmTerminate> {
    let terminate_key = state
        .keymap
        .keys_for(Action::Terminate)
        .iter()
        .any(|b| b.matches(&k));
    match k.code {
        KeyCode::Esc | KeyCode::Char('n') => None,
        _ if terminate_key => {
            c.force = true;
            c.terminate_chosen = false;
            Some(c)
        }
        KeyCode::Left
        | KeyCode::Right
        | KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Char('h')
        | KeyCode::Char('l') => {
            c.terminate_chosen = !c.terminate_chosen;
            Some(c)
        }
        KeyCode::Enter => {
            // Read-only may have been switched on while the dialog was open.
            if c.terminate_chosen && !state.read_only_now() {
                if !c.force {
                    state.gpu.sigterm_sent = Some((c.name.clone(), c.pid));
                }
                state.gpu.pending.insert((c.name.clone(), c.pid), c.force);
                fx.push(Effect::TerminateProcess {
                    name: c.name,
                    pid: c.pid,
                    force: c.force,
                });
            }
            None
        }
        _ => Some(c),
    }
}
