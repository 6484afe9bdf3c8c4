//! What the keys do on the Services tab: refresh, selection, the row filter, the detail
//! pane, the confirmed start / stop / restart, the service log, the tunnel and the URL.

use super::action::Action;
use super::effect::Effect;
use super::logview::LogView;
use super::msg::FlashLevel;
use super::overlay::{LogPane, Overlay};
use super::services::{ConfirmService, ServiceLog, target_of};
use super::state::State;
use crate::model::{LogWindow, ServiceKind, ServiceRow, ServiceVerb, SourceKind};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// Whether `action` can do something on the Services tab; `None` leaves it to the
/// general rules.
pub fn available(state: &State, action: Action) -> Option<bool> {
    let selected = state.services_selected();
    let writable = !state.read_only_now();
    let acts = selected.is_some_and(|r| target_of(r).is_ok());
    let has_port = selected.is_some_and(|r| r.port.is_some());
    Some(match action {
        Action::ServiceRestart | Action::ServiceStop | Action::ServiceStart => writable && acts,
        Action::ServiceLog => acts,
        Action::ServiceTunnel | Action::CopyUrl => has_port,
        Action::ServiceFilter => state.services_report().is_some(),
        Action::Select => selected.is_some(),
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => selected.is_some(),
        Action::Back => state.services.detail,
        Action::Refresh => true,
        // Keys of the other tabs do nothing here.
        Action::Terminate
        | Action::History
        | Action::Alerts
        | Action::PrevGpu
        | Action::NextGpu
        | Action::HistoryMetric
        | Action::HistoryRange
        | Action::Filter => false,
        _ => return None,
    })
}

/// Runs a Services-tab action; `None` for actions that are not the tab's own.
pub fn apply(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    // With the pane over the whole body the movement keys scroll it; beside or under the
    // table they move the selection and the pane follows.
    let pane_only = state.services.detail && state.services_layout().table.height == 0;
    match action {
        Action::Up if pane_only => scroll_detail(state, -1),
        Action::Down if pane_only => scroll_detail(state, 1),
        Action::PageUp if state.services.detail => scroll_detail(state, -(page(state) as i64)),
        Action::PageDown if state.services.detail => scroll_detail(state, page(state) as i64),
        Action::Top if pane_only => state.services.detail_scroll = 0,
        Action::Up => move_row(state, -1),
        Action::Down => move_row(state, 1),
        Action::PageUp => move_row(state, -(page(state) as i64)),
        Action::PageDown => move_row(state, page(state) as i64),
        Action::Top => move_row(state, i64::MIN / 2),
        Action::Bottom => move_row(state, i64::MAX / 2),
        Action::Select => {
            if state.services_selected().is_some() {
                state.services.detail = !state.services.detail;
                state.services.detail_scroll = 0;
            }
        }
        Action::Back => state.services.detail = false,
        Action::ServiceFilter => {
            state.services.filter = state.services.filter.next();
            let label = state.services.filter.label();
            state.flash(FlashLevel::Info, format!("showing {label}"));
        }
        Action::ServiceRestart => ask(state, ServiceVerb::Restart),
        Action::ServiceStop => ask(state, ServiceVerb::Stop),
        Action::ServiceStart => ask(state, ServiceVerb::Start),
        Action::ServiceLog => return Some(open_log(state)),
        Action::ServiceTunnel => return Some(tunnel(state)),
        Action::CopyUrl => return Some(copy_url(state)),
        Action::Refresh => {
            let mut fx = vec![Effect::Refresh];
            if state.services_view().is_some_and(|v| v.in_flight.is_some()) {
                state.flash(FlashLevel::Info, "a refresh is already running");
            } else {
                fx.extend(load(state));
            }
            return Some(fx);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Asks for a refresh of the active connection, when it is up and none is out.
pub fn load(state: &mut State) -> Vec<Effect> {
    if !state.active_connected() {
        return Vec::new();
    }
    let Some(name) = state.active.clone() else {
        return Vec::new();
    };
    let now = state.now;
    let view = state.services.views.entry(name.clone()).or_default();
    if view.in_flight.is_some() {
        return Vec::new();
    }
    view.in_flight = Some(now);
    view.last_sent = Some(now);
    vec![Effect::LoadServices { name }]
}

fn body(state: &State) -> Rect {
    super::layout::frame(Rect::new(0, 0, state.size.0, state.size.1)).body
}

/// Rows that fit in the table: what PageUp / PageDown move by.
fn page(state: &State) -> usize {
    let l = state.services_layout();
    let h = if state.services.detail && l.table.height == 0 {
        l.detail.map_or(body(state).height, |d| d.height)
    } else {
        l.table.height
    };
    h.saturating_sub(3).max(1) as usize
}

pub fn move_row(state: &mut State, delta: i64) {
    let rows = state.services_rows();
    let Some(i) = state.services_selected_index(&rows) else {
        return;
    };
    let j = (i as i64)
        .saturating_add(delta)
        .clamp(0, rows.len() as i64 - 1) as usize;
    let id = rows[j].id.clone();
    if state.services.selected.as_ref() != Some(&id) {
        state.services.detail_scroll = 0;
    }
    state.services.selected = Some(id);
}

fn scroll_detail(state: &mut State, delta: i64) {
    let s = i64::from(state.services.detail_scroll) + delta;
    state.services.detail_scroll = s.clamp(0, i64::from(u16::MAX)) as u16;
}

/// The active connection is down: say so rather than act on what may be gone.
fn refuse_offline(state: &mut State) -> bool {
    if state.active_connected() {
        return false;
    }
    let name = state.active.clone().unwrap_or_default();
    let word = state.conn_state(&name).label();
    state.flash(
        FlashLevel::Warn,
        format!("'{name}' is {word}: the rows on screen are stale; reconnect first"),
    );
    true
}

/// Opens the confirmation for `verb` on the selected row's unit or container.
fn ask(state: &mut State, verb: ServiceVerb) {
    if state.read_only_now() {
        state.flash(
            FlashLevel::Warn,
            format!("read-only: {} of services is turned off", verb_noun(verb)),
        );
        return;
    }
    let (Some(name), Some(host)) = (state.active.clone(), state.active_host_label()) else {
        state.flash(FlashLevel::Warn, "no active connection");
        return;
    };
    if refuse_offline(state) {
        return;
    }
    let Some(row) = state.services_selected().cloned() else {
        state.flash(FlashLevel::Info, "no service selected");
        return;
    };
    match target_of(&row) {
        Ok(target) => {
            state.overlay = Some(Overlay::ConfirmService(ConfirmService {
                name,
                host,
                service: row.name,
                target,
                verb,
                act_chosen: false,
            }));
        }
        Err(why) => {
            let why = with_docker_fault(state, &row, why);
            state.flash(FlashLevel::Warn, why);
        }
    }
}

/// A docker row without a container is usually docker not answering: the reason and its
/// fix say more than "nothing to act on".
fn with_docker_fault(state: &State, row: &ServiceRow, why: String) -> String {
    if row.kind != ServiceKind::Docker {
        return why;
    }
    let fault = state
        .services_report()
        .and_then(|r| r.problems.iter().find(|p| p.source == SourceKind::Docker));
    match fault {
        Some(p) => match &p.fix {
            Some(fix) => format!(
                "{}: docker could not be asked ({}); fix: {fix}",
                row.name, p.message
            ),
            None => format!("{}: docker could not be asked ({})", row.name, p.message),
        },
        None => why,
    }
}

fn verb_noun(verb: ServiceVerb) -> &'static str {
    match verb {
        ServiceVerb::Start => "starting",
        ServiceVerb::Stop => "stopping",
        ServiceVerb::Restart => "restarting",
    }
}

/// Keys in the action dialog; `None` closes it. Only Enter on the verb sends anything.
pub fn confirm_key(
    state: &mut State,
    mut c: ConfirmService,
    k: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<ConfirmService> {
    match k.code {
        KeyCode::Esc | KeyCode::Char('n') => None,
        KeyCode::Left
        | KeyCode::Right
        | KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Char('h')
        | KeyCode::Char('l') => {
            c.act_chosen = !c.act_chosen;
            Some(c)
        }
        KeyCode::Enter => {
            // Read-only may have been switched on while the dialog was open.
            if c.act_chosen && !state.read_only_now() {
                state.flash(
                    FlashLevel::Info,
                    format!("{} {} on {}…", verb_noun(c.verb), c.target.name(), c.host),
                );
                fx.push(Effect::ServiceAction {
                    name: c.name,
                    target: c.target,
                    verb: c.verb,
                });
            }
            None
        }
        _ => Some(c),
    }
}

/// Opens the viewer on the selected row's journal or docker log, newest lines first.
fn open_log(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.active.clone() else {
        state.flash(FlashLevel::Warn, "no active connection: pick one first");
        return Vec::new();
    };
    if refuse_offline(state) {
        return Vec::new();
    }
    let Some(row) = state.services_selected().cloned() else {
        state.flash(FlashLevel::Info, "no service selected");
        return Vec::new();
    };
    let target = match target_of(&row) {
        Ok(t) => t,
        Err(why) => {
            let why = with_docker_fault(state, &row, why);
            state.flash(
                FlashLevel::Warn,
                why.replace("nothing to act on", "no log to show"),
            );
            return Vec::new();
        }
    };
    let log = ServiceLog {
        target: target.clone(),
        window: LogWindow::Tail,
        host: name.clone(),
    };
    let mut view = LogView::default();
    let (w, h) = state.size;
    view.set_viewport(view.body_rows(Rect::new(0, 0, w, h)));
    state.overlay = Some(Overlay::Log(Box::new(LogPane {
        title: log.title(),
        name: name.clone(),
        view,
        jump_to: None,
        service: Some(log),
    })));
    vec![Effect::OpenServiceLog {
        name,
        target,
        window: LogWindow::Tail,
    }]
}

/// The window a digit picks in a service log: 1 tail, 2 five minutes, 3 an hour, 4 today.
pub fn window_for_key(k: &KeyEvent) -> Option<LogWindow> {
    match k.code {
        KeyCode::Char('1') => Some(LogWindow::Tail),
        KeyCode::Char('2') => Some(LogWindow::Last5m),
        KeyCode::Char('3') => Some(LogWindow::LastHour),
        KeyCode::Char('4') => Some(LogWindow::Today),
        _ => None,
    }
}

/// Reopens a service log from another time window: the lines on screen belong to the old
/// window, so they go, and the old stream is closed before the new one starts.
pub fn switch_window(p: &mut LogPane, window: LogWindow) -> Vec<Effect> {
    let Some(log) = &mut p.service else {
        return Vec::new();
    };
    if log.window == window {
        return Vec::new();
    }
    log.window = window;
    p.title = log.title();
    p.view.clear();
    p.view.set_notice(None);
    p.view.set_follow(true);
    vec![
        Effect::CloseLog {
            name: p.name.clone(),
        },
        Effect::OpenServiceLog {
            name: p.name.clone(),
            target: log.target.clone(),
            window,
        },
    ]
}

fn tunnel(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.active.clone() else {
        state.flash(FlashLevel::Warn, "no active connection: pick one first");
        return Vec::new();
    };
    let Some(row) = state.services_selected().cloned() else {
        state.flash(FlashLevel::Info, "no service selected");
        return Vec::new();
    };
    let Some(port) = row.port else {
        state.flash(FlashLevel::Info, format!("{} has no port", row.name));
        return Vec::new();
    };
    if state.services_local() {
        state.flash(
            FlashLevel::Info,
            format!(
                "{} runs on this machine: http://127.0.0.1:{port} is reachable directly, no tunnel needed",
                row.name
            ),
        );
        return Vec::new();
    }
    if refuse_offline(state) {
        return Vec::new();
    }
    if let Some(local) = state.services_tunnel_port(port) {
        state.flash(
            FlashLevel::Info,
            format!("a tunnel is already open: http://127.0.0.1:{local} → port {port}"),
        );
        return Vec::new();
    }
    let host = state.active_host_label().unwrap_or_else(|| name.clone());
    state.flash(
        FlashLevel::Info,
        format!("opening a tunnel to port {port} ({}) on {host}…", row.name),
    );
    vec![Effect::OpenServiceTunnel { name, port }]
}

fn copy_url(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.services_selected().cloned() else {
        state.flash(FlashLevel::Info, "no service selected");
        return Vec::new();
    };
    match state.service_url(&row) {
        Ok(url) => {
            state.flash(FlashLevel::Info, format!("copied {url}"));
            vec![Effect::CopyToClipboard(url)]
        }
        Err(why) => {
            state.flash(FlashLevel::Warn, why);
            Vec::new()
        }
    }
}
