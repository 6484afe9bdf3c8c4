//! Remove-tunnel picker: one saved tunnel of a connection.

use super::super::style;
use super::{centered, dialog};
use crate::app::State;
use crate::app::overlay::TunnelPick;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State, p: &TunnelPick) {
    let th = &state.theme;
    let mut lines = vec![Line::styled(
        "enter removes the chosen tunnel",
        style::muted(th),
    )];
    for (i, (_, label)) in p.tunnels.iter().enumerate() {
        let mark = if i == p.selected { "▶" } else { " " };
        let line = Line::raw(format!("{mark} {label}"));
        lines.push(if i == p.selected {
            line.style(style::selected(th))
        } else {
            line
        });
    }
    let rect = centered(area, 48, p.tunnels.len() as u16 + 3);
    let inner = dialog(
        frame,
        rect,
        state,
        format!("Remove a tunnel of '{}'", p.name),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}
