//! `?`: every binding of the live keymap, grouped by scope, plus the fixed dialog keys.

use super::super::hints::keys_label;
use super::super::style;
use super::{centered, dialog};
use crate::app::State;
use crate::app::action::{Action, Scope};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn scope_title(s: Scope) -> &'static str {
    match s {
        Scope::Global => "Everywhere",
        Scope::List => "Lists",
        Scope::Connections => "Connections tab",
    }
}

pub fn lines(state: &State) -> Vec<Line<'static>> {
    let th = &state.theme;
    let mut out = Vec::new();
    for scope in [Scope::Global, Scope::List, Scope::Connections] {
        out.push(Line::styled(scope_title(scope), style::title(th)));
        for a in Action::ALL.iter().filter(|a| a.scope() == scope) {
            let keys = keys_label(state, *a);
            if keys.is_empty() {
                continue;
            }
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), style::accent(th)),
                Span::raw(a.description()),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled("Forms and dialogs", style::title(th)));
    for (k, d) in [
        ("tab, shift-tab", "next / previous field or button"),
        ("enter", "save / confirm the chosen button"),
        ("esc", "cancel and close (nothing is saved)"),
        ("space", "toggle a yes/no field"),
    ] {
        out.push(Line::from(vec![
            Span::styled(format!("  {k:<16}"), style::accent(th)),
            Span::raw(d),
        ]));
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, scroll: u16) {
    let content = lines(state);
    let rect = centered(area, 64, content.len() as u16 + 2);
    let inner = dialog(frame, rect, state, "Help: keys (esc closes)".into());
    let max_scroll = (content.len() as u16).saturating_sub(inner.height);
    let p = Paragraph::new(content).scroll((scroll.min(max_scroll), 0));
    frame.render_widget(p, inner);
}
