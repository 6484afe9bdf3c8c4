//! `?`: every binding of the live keymap, grouped by scope, plus the fixed dialog keys.

use super::super::hints::keys_label;
use super::super::style;
use super::{centered, dialog};
use crate::app::State;
use crate::app::action::{Action, Scope};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn scope_title(s: Scope) -> &'static str {
    match s {
        Scope::Global => "Everywhere",
        Scope::List => "Lists",
        Scope::Connections => "Connections tab",
        Scope::Gpu => "GPU tab",
        Scope::Jobs => "Jobs tab",
        Scope::Services => "Services tab",
        Scope::Models => "Models tab",
    }
}

pub fn lines(state: &State) -> Vec<Line<'static>> {
    let th = &state.theme;
    let mut out = Vec::new();
    for scope in [
        Scope::Global,
        Scope::List,
        Scope::Connections,
        Scope::Gpu,
        Scope::Jobs,
        Scope::Services,
        Scope::Models,
    ] {
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

/// Where the help splits into a second column on wide screens: after the "Lists" group.
fn split_point(lines: &[Line]) -> Option<usize> {
    lines.iter().position(|l| {
        l.spans
            .first()
            .is_some_and(|s| s.content == scope_title(Scope::Connections))
    })
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, scroll: u16) {
    let content = lines(state);
    let total = content.len() as u16;
    const COL_W: u16 = 57;
    let two_cols = total + 2 > area.height && area.width >= 2 * COL_W + 3;
    if let (true, Some(split)) = (two_cols, split_point(&content)) {
        let mut left = content;
        let right = left.split_off(split);
        let rows = left.len().max(right.len()) as u16;
        let rect = centered(area, 2 * COL_W + 3, rows + 2);
        let inner = dialog(frame, rect, state, "Help: keys (esc closes)".into());
        let [l, r] = Layout::horizontal([Constraint::Length(COL_W), Constraint::Fill(1)])
            .spacing(1)
            .areas(inner);
        let max_scroll = rows.saturating_sub(inner.height);
        let s = scroll.min(max_scroll);
        frame.render_widget(Paragraph::new(left).scroll((s, 0)), l);
        frame.render_widget(Paragraph::new(right).scroll((s, 0)), r);
        return;
    }
    let rect = centered(area, COL_W + 2, total + 2);
    let inner = dialog(frame, rect, state, "Help: keys (esc closes)".into());
    let max_scroll = total.saturating_sub(inner.height);
    let p = Paragraph::new(content).scroll((scroll.min(max_scroll), 0));
    frame.render_widget(p, inner);
}
