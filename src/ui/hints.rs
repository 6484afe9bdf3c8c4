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

fn items(state: &State) -> Vec<(String, &'static str)> {
    let k = |a: Action| key_label(state, a);
    let fixed = |pairs: &[(&str, &'static str)]| {
        pairs
            .iter()
            .map(|(k, l)| (k.to_string(), *l))
            .collect::<Vec<_>>()
    };
    match &state.overlay {
        Some(Overlay::Form(_)) => fixed(&[
            ("tab", "next field"),
            ("shift-tab", "previous"),
            ("space", "toggle"),
            ("enter", "save"),
            ("esc", "cancel"),
        ]),
        Some(Overlay::TunnelForm(_)) => {
            fixed(&[("tab", "next field"), ("enter", "add"), ("esc", "cancel")])
        }
        Some(Overlay::ConfirmDelete(_)) | Some(Overlay::HostKey(_)) => {
            fixed(&[("←/→", "choose"), ("enter", "confirm"), ("esc", "cancel")])
        }
        Some(Overlay::TunnelPick(_)) => {
            fixed(&[("↑/↓", "choose"), ("enter", "remove"), ("esc", "cancel")])
        }
        Some(Overlay::Palette(_)) => fixed(&[
            ("type", "to filter"),
            ("↑/↓", "choose"),
            ("enter", "run"),
            ("esc", "close"),
        ]),
        Some(Overlay::Help { .. }) => vec![
            (format!("{}/{}", k(Action::Down), k(Action::Up)), "scroll"),
            (k(Action::Back), "close"),
        ],
        None if state.filter_editing => {
            fixed(&[("type", "to filter"), ("enter", "keep"), ("esc", "clear")])
        }
        None if state.tab == Tab::Connections => vec![
            (k(Action::Connect), "connect"),
            (k(Action::Disconnect), "disconnect"),
            (k(Action::Add), "add"),
            (k(Action::Edit), "edit"),
            (k(Action::Delete), "delete"),
            (k(Action::AddTunnel), "tunnel"),
            (k(Action::RemoveTunnel), "rm tunnel"),
            (k(Action::Filter), "filter"),
            (k(Action::Palette), "palette"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
        None => vec![
            (format!("{}-{}", k(Action::Tab1), k(Action::Tab5)), "tabs"),
            (k(Action::Palette), "palette"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
    }
}

pub fn render_hints(frame: &mut Frame, area: Rect, state: &State) {
    let th = &state.theme;
    let spans = items(state)
        .into_iter()
        .map(|(key, label)| {
            vec![
                Span::styled(key, style::accent(th)),
                Span::styled(format!(" {label}"), style::muted(th)),
            ]
        })
        .collect();
    let line = fit_spans(spans, "  ", area.width.saturating_sub(1) as usize);
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
