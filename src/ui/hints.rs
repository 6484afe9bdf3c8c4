//! The hint bar (keys of the current context, read from the live keymap, so remapped keys
//! show) and the flash line.

use super::style;
use super::text::{fit, fit_spans};
use crate::app::State;
use crate::app::action::Action;
use crate::app::overlay::Overlay;
use crate::app::state::Tab;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The first key bound to `action`, as the user would type it; `-` when unbound.
pub fn key_label(state: &State, action: Action) -> String {
    state
        .keymap
        .keys_for(action)
        .first()
        .map(|k| k.to_string())
        .unwrap_or_else(|| "-".into())
}

/// All keys bound to `action`, for the help overlay.
pub fn keys_label(state: &State, action: Action) -> String {
    let keys: Vec<String> = state
        .keymap
        .keys_for(action)
        .iter()
        .map(|k| k.to_string())
        .collect();
    keys.join(", ")
}

/// (key, what it does, priority): when the bar is too narrow the highest priority numbers
/// go first, so "help" and "quit" survive on a 40-column screen.
type Hint = (String, &'static str, u8);

fn items(state: &State) -> Vec<Hint> {
    let k = |a: Action| key_label(state, a);
    let fixed = |pairs: &[(&str, &'static str, u8)]| {
        pairs
            .iter()
            .map(|(k, l, p)| (k.to_string(), *l, *p))
            .collect::<Vec<_>>()
    };
    match &state.overlay {
        Some(Overlay::Form(_)) => fixed(&[
            ("tab", "next field", 1),
            ("shift-tab", "previous", 3),
            ("space", "toggle", 2),
            ("enter", "save", 0),
            ("esc", "cancel", 0),
        ]),
        Some(Overlay::TunnelForm(_)) => fixed(&[
            ("tab", "next field", 1),
            ("enter", "add", 0),
            ("esc", "cancel", 0),
        ]),
        Some(Overlay::ConfirmTerminate(c)) if !c.force => vec![
            ("←/→".into(), "choose", 1),
            (k(Action::Terminate), "SIGKILL instead", 2),
            ("enter".into(), "confirm", 0),
            ("esc".into(), "cancel", 0),
        ],
        Some(Overlay::ConfirmRequeue(_)) => fixed(&[
            ("←/→", "choose", 1),
            ("↑/↓", "scroll", 2),
            ("enter", "confirm", 0),
            ("esc", "cancel", 0),
        ]),
        Some(Overlay::RequeueResults(_)) => fixed(&[("↑/↓", "scroll", 1), ("enter", "close", 0)]),
        Some(Overlay::Log(p)) if p.service.is_some() => fixed(&[
            ("1-4", "tail/5m/1h/today", 1),
            ("/", "search", 2),
            ("n/N", "next/prev", 3),
            ("w", "wrap", 3),
            ("G", "follow", 2),
            ("esc", "close", 0),
        ]),
        Some(Overlay::Log(_)) => fixed(&[
            ("/", "search", 1),
            ("n/N", "next/prev", 2),
            ("w", "wrap", 2),
            ("G", "follow", 1),
            ("esc", "close", 0),
        ]),
        Some(Overlay::ConfirmDelete(_))
        | Some(Overlay::ConfirmService(_))
        | Some(Overlay::HostKey(_))
        | Some(Overlay::ConfirmTerminate(_)) => fixed(&[
            ("←/→", "choose", 1),
            ("enter", "confirm", 0),
            ("esc", "cancel", 0),
        ]),
        Some(Overlay::ConfirmModelDelete(_)) => fixed(&[
            ("type", "the model's name", 1),
            ("enter", "delete", 0),
            ("esc", "cancel", 0),
        ]),
        Some(Overlay::TunnelPick(_)) => fixed(&[
            ("↑/↓", "choose", 1),
            ("enter", "remove", 0),
            ("esc", "cancel", 0),
        ]),
        Some(Overlay::Problems { .. }) => vec![
            (format!("{}/{}", k(Action::Down), k(Action::Up)), "move", 1),
            (k(Action::Select), "go to it", 0),
            (k(Action::Back), "close", 0),
        ],
        Some(Overlay::Palette(_)) => fixed(&[
            ("type", "to filter", 2),
            ("↑/↓", "choose", 1),
            ("enter", "run", 0),
            ("esc", "close", 0),
        ]),
        Some(Overlay::Help { .. }) => vec![
            (
                format!("{}/{}", k(Action::Down), k(Action::Up)),
                "scroll",
                1,
            ),
            (k(Action::Back), "close", 0),
        ],
        None if state.filter_editing => fixed(&[
            ("type", "to filter", 1),
            ("enter", "keep", 0),
            ("esc", "clear", 0),
        ]),
        None if state.tab == Tab::Connections => vec![
            (k(Action::Connect), "connect", 1),
            (k(Action::Disconnect), "disconnect", 2),
            (k(Action::Add), "add", 2),
            (k(Action::Edit), "edit", 3),
            (k(Action::Delete), "delete", 3),
            (k(Action::AddTunnel), "tunnel", 4),
            (k(Action::RemoveTunnel), "rm tunnel", 5),
            (k(Action::Filter), "filter", 2),
            (k(Action::Palette), "palette", 5),
            (k(Action::Help), "help", 0),
            (k(Action::Quit), "quit", 0),
        ],
        None if state.tab == Tab::Gpu => {
            let mut v = Vec::new();
            if state.gpu.history.is_some() {
                v.push((k(Action::HistoryMetric), "metric", 1));
                v.push((k(Action::HistoryRange), "range", 1));
                v.push((k(Action::History), "close history", 2));
            } else if state.gpu_view().is_some_and(|g| !g.samples.is_empty()) {
                v.push((k(Action::History), "history", 2));
            }
            if !state.read_only_now() && state.gpu_selected_process().is_some() {
                v.push((k(Action::Terminate), "terminate", 2));
            }
            if state.gpu_view().is_some_and(|g| g.samples.len() > 1) {
                v.push((
                    format!("{}/{}", k(Action::PrevGpu), k(Action::NextGpu)),
                    "GPU",
                    1,
                ));
            }
            v.push((k(Action::Alerts), "alerts", 3));
            v.push((k(Action::Filter), "filter", 3));
            v.push((k(Action::Help), "help", 0));
            v.push((k(Action::Quit), "quit", 0));
            v
        }
        None if state.tab == Tab::Jobs => jobs_items(state),
        None if state.tab == Tab::Services => services_items(state),
        None if state.tab == Tab::Models => models_items(state),
        None => vec![
            (
                format!("{}-{}", k(Action::Tab1), k(Action::Tab5)),
                "tabs",
                1,
            ),
            (k(Action::Palette), "palette", 2),
            (k(Action::Help), "help", 0),
            (k(Action::Quit), "quit", 0),
        ],
    }
}

fn jobs_items(state: &State) -> Vec<Hint> {
    let k = |a: Action| key_label(state, a);
    let mut v = Vec::new();
    let selected = state.jobs_selected();
    if state.jobs.detail {
        v.push((
            format!("{}/{}", k(Action::Down), k(Action::Up)),
            "scroll",
            1,
        ));
        v.push((k(Action::Back), "close detail", 1));
    } else if selected.is_some() {
        v.push((k(Action::Select), "detail", 1));
    }
    // Requeue keys are hidden in read-only mode, and `r` is only offered for a job whose
    // status allows it.
    if !state.read_only_now() {
        if selected.is_some_and(|j| state.jobs.is_requeueable(j)) {
            v.push((k(Action::Requeue), "requeue", 1));
        }
        if selected.is_some() {
            v.push((k(Action::Mark), "mark", 3));
        }
        if !state.jobs.marks.is_empty() {
            v.push((k(Action::RequeueMarked), "requeue marked", 1));
        }
    }
    if state.jobs_view().is_some_and(|v| v.page.is_some()) {
        v.push((k(Action::StatusFilter), "status", 2));
        let sort = format!("{}/{}", k(Action::Sort), k(Action::SortReverse));
        v.push((sort, "sort", 4));
        let page = format!("{}/{}", k(Action::NextPage), k(Action::PrevPage));
        v.push((page, "page", 3));
    }
    if selected.is_some() {
        v.push((k(Action::CopyId), "copy id", 4));
    }
    if state.active.is_some() {
        v.push((k(Action::WorkerLog), "log", 4));
    }
    if state.jobs_view().is_some_and(|v| v.page.is_some()) {
        v.push((k(Action::Filter), "filter", 4));
    }
    v.push((k(Action::Help), "help", 0));
    v.push((k(Action::Quit), "quit", 0));
    v
}

fn services_items(state: &State) -> Vec<Hint> {
    let k = |a: Action| key_label(state, a);
    let mut v = Vec::new();
    let selected = state.services_selected();
    let acts = selected.is_some_and(|r| crate::app::services::target_of(r).is_ok());
    if state.services.detail {
        v.push((k(Action::Back), "close detail", 1));
        v.push((
            format!("{}/{}", k(Action::PageUp), k(Action::PageDown)),
            "scroll",
            3,
        ));
    } else if selected.is_some() {
        v.push((k(Action::Select), "detail", 1));
    }
    // Actions are hidden in read-only mode and for rows with nothing to act on.
    if acts && !state.read_only_now() {
        v.push((k(Action::ServiceRestart), "restart", 1));
        v.push((k(Action::ServiceStop), "stop", 2));
        v.push((k(Action::ServiceStart), "start", 2));
    }
    if acts {
        v.push((k(Action::ServiceLog), "logs", 1));
    }
    if selected.is_some_and(|r| r.port.is_some()) {
        if !state.services_local() {
            v.push((k(Action::ServiceTunnel), "tunnel", 3));
        }
        v.push((k(Action::CopyUrl), "copy url", 4));
    }
    if state.services_report().is_some() {
        v.push((k(Action::ServiceFilter), "filter", 3));
    }
    v.push((k(Action::Refresh), "refresh", 4));
    v.push((k(Action::Help), "help", 0));
    v.push((k(Action::Quit), "quit", 0));
    v
}

fn models_items(state: &State) -> Vec<Hint> {
    let k = |a: Action| key_label(state, a);
    let mut v = Vec::new();
    let selected = state.models_selected();
    if state.models.detail {
        v.push((k(Action::Back), "close detail", 1));
        v.push((
            format!("{}/{}", k(Action::PageUp), k(Action::PageDown)),
            "scroll",
            3,
        ));
    } else if selected.is_some() {
        v.push((k(Action::Select), "detail", 1));
    }
    // Delete is hidden in read-only mode, for models in use and while the host is away.
    if crate::app::update::available(state, Action::ModelDelete) {
        v.push((k(Action::ModelDelete), "delete", 1));
    }
    if state.models_report().is_some() {
        v.push((k(Action::ModelSort), "sort", 2));
        v.push((k(Action::ModelFilter), "filter", 2));
        v.push((k(Action::Filter), "name", 3));
    }
    v.push((k(Action::Refresh), "rescan", 3));
    v.push((k(Action::Help), "help", 0));
    v.push((k(Action::Quit), "quit", 0));
    v
}

pub fn render_hints(frame: &mut Frame, area: Rect, state: &State) {
    let th = &state.theme;
    let mut hints = items(state);
    let width = |h: &[Hint]| {
        h.iter()
            .map(|(k, l, _)| k.chars().count() + l.chars().count() + 3)
            .sum::<usize>()
    };
    let room = area.width.saturating_sub(1) as usize;
    while width(&hints) > room + 2 {
        let Some(worst) = hints.iter().map(|h| h.2).max() else {
            break;
        };
        let Some(i) = hints.iter().rposition(|h| h.2 == worst) else {
            break;
        };
        hints.remove(i);
    }
    let spans = hints
        .into_iter()
        .map(|(key, label, _)| {
            vec![
                Span::styled(key, style::accent(th)),
                Span::styled(format!(" {label}"), style::muted(th)),
            ]
        })
        .collect();
    let line = fit_spans(spans, "  ", room);
    let mut spans = vec![Span::raw(" ")];
    spans.extend(line.spans);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn render_flash(frame: &mut Frame, area: Rect, state: &State) {
    let Some(f) = &state.flash else {
        return;
    };
    let th = &state.theme;
    let text = format!(" {}: {}", f.level.prefix(), f.text);
    let line = Line::styled(fit(&text, area.width as usize), style::flash(th, f.level));
    frame.render_widget(Paragraph::new(line), area);
}
